package io.github.netobservch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.netobservch.deploy.DeployFiles.Doc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Offline validation of everything under {@code flink-k8s/}: every YAML document parses, every
 * custom resource matches its CRD schema made strict (unknown fields rejected, see {@link CrdSchemas}),
 * and the project rules in {@link ManifestRules} hold. No cluster or network is needed.
 */
class DeployManifestsTest {

    /** Kinds validated by rules only (core or tool kinds without a vendored schema). */
    /** Checked by other means: PrometheusRule field by field in {@link AlertRulesTest} (no CRD schema offline). */
    /** The read API's core kinds (flink-k8s/loki-api/) are checked by loki-api's LokiApiManifestsTest. */
    private static final Set<String> KINDS_WITHOUT_SCHEMA = Set.of(
            "Secret",
            "ConfigMap",
            "Kustomization",
            "PrometheusRule",
            "Deployment",
            "Service",
            "ServiceAccount",
            "ClusterRoleBinding",
            "NetworkPolicy");

    private static List<Doc> docs;
    private static CrdSchemas schemas;

    @BeforeAll
    static void load() {
        docs = DeployFiles.loadAll();
        schemas = CrdSchemas.load();
    }

    @Test
    void everyYamlFileParsesIntoKubernetesObjects() {
        assertThat(DeployFiles.yamlFiles()).hasSizeGreaterThanOrEqualTo(10);
        for (Path file : DeployFiles.yamlFiles()) {
            assertThat(DeployFiles.load(file)).as(file.toString()).isNotEmpty();
        }
        for (Doc doc : docs) {
            assertThat(doc.apiVersion()).as("apiVersion of " + doc).isNotBlank();
            assertThat(doc.kind()).as("kind of " + doc).isNotBlank();
        }
        assertThat(docs)
                .extracting(Doc::kind)
                .contains("FlinkDeployment", "FlinkSessionJob", "Secret", "KafkaTopic", "KafkaUser", "FlowCollector");
    }

    @Test
    void everyResourceHasASchemaOrIsAKnownPlainKind() {
        for (Doc doc : docs) {
            if (!KINDS_WITHOUT_SCHEMA.contains(doc.kind())) {
                assertThat(schemas.knows(doc))
                        .as("a schema for " + doc + " (" + doc.apiVersion() + ")")
                        .isTrue();
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> customResourcesMatchTheirStrictCrdSchemas() {
        return docs.stream()
                .filter(schemas::knows)
                .map(doc -> DynamicTest.dynamicTest(doc.toString(), () -> assertThat(schemas.validate(doc))
                        .as(doc.toString())
                        .isEmpty()));
    }

    @Test
    void projectRulesHold() {
        assertThat(ManifestRules.check(docs, DeployFiles.dockerfile())).isEmpty();
    }

    @Test
    void bothDeploymentModesAreCovered() {
        List<ManifestRules.JobRef> jobs = jobs();
        assertThat(jobs)
                .extracting(j -> j.doc().kind())
                .containsExactlyInAnyOrder("FlinkDeployment", "FlinkSessionJob");
        assertThat(jobs)
                .allSatisfy(
                        j -> assertThat(j.cluster()).as("cluster of " + j.doc()).isNotNull());
        assertThat(jobs).allSatisfy(j -> assertThat(j.job().path("upgradeMode").asText())
                .isEqualTo("savepoint"));
    }

    @Test
    void applicationAndSessionJobsGetTheSameArguments() {
        List<ManifestRules.JobRef> jobs = jobs();
        assertThat(jobs.get(0).args()).isEqualTo(jobs.get(1).args());
    }

    @Test
    void sessionClusterCarriesTheSameSecretsAsTheApplicationCluster() {
        JsonNode app = ManifestRules.mainContainer(deployment("netobserv-clickhouse"));
        JsonNode session = ManifestRules.mainContainer(deployment("netobserv-session"));
        assertThat(session.path("env")).isEqualTo(app.path("env"));
        assertThat(session.path("volumeMounts")).isEqualTo(app.path("volumeMounts"));
    }

    @Test
    void dockerfileCopiesTheJarTheBuildProduces() {
        String dockerfile = DeployFiles.dockerfile();
        assertThat(dockerfile)
                .containsPattern("(?m)^COPY .*job/target/netobserv-clickhouse-job\\.jar "
                        + "/opt/flink/usrlib/netobserv-clickhouse-job\\.jar$");
        assertThat(dockerfile).containsPattern("(?m)^ARG FLINK_IMAGE=flink:2\\.2\\.\\d+-java17$");
        String pom = DeployFiles.read(DeployFiles.repoRoot().resolve("job/pom.xml"));
        assertThat(pom).contains("<finalName>netobserv-clickhouse-job</finalName>");
        assertThat(DeployFiles.read(DeployFiles.flinkK8s().resolve("Dockerfile.dockerignore")))
                .contains("!job/target/netobserv-clickhouse-job.jar");
    }

    @Test
    void kustomizationsListEveryManifestOfTheirFolderButNeverSecrets() {
        Set<Path> listed = new TreeSet<>();
        for (Doc doc : docs) {
            if (!doc.kind().equals("Kustomization")) {
                continue;
            }
            Path dir = doc.file().getParent();
            for (JsonNode resource : doc.node().path("resources")) {
                Path file = dir.resolve(resource.asText()).normalize();
                if (Files.isDirectory(file)) { // a base: another kustomization
                    assertThat(file.resolve("kustomization.yaml"))
                            .as("base of " + doc)
                            .isRegularFile();
                    continue;
                }
                assertThat(file).as("resource of " + doc).isRegularFile();
                listed.add(file);
            }
            for (JsonNode generator : doc.node().path("configMapGenerator")) {
                for (JsonNode f : generator.path("files")) {
                    String path = f.asText().contains("=")
                            ? f.asText().substring(f.asText().indexOf('=') + 1)
                            : f.asText();
                    assertThat(dir.resolve(path).normalize())
                            .as("generator file of " + doc + " inside its directory (kustomize's load restriction)")
                            .isRegularFile()
                            .startsWith(dir);
                }
            }
            try (Stream<Path> siblings = Files.list(dir)) {
                siblings.filter(p -> p.toString().endsWith(".yaml")
                                && !p.getFileName().toString().equals("kustomization.yaml"))
                        .forEach(p -> assertThat(listed)
                                .as(doc + " lists " + p.getFileName())
                                .contains(p));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        assertThat(listed).noneMatch(p -> p.startsWith(DeployFiles.flinkK8s().resolve("secrets")));
    }

    @Test
    void scriptsAreExecutableStrictBash() {
        for (String name : List.of("build-jar", "submit-to-session")) {
            Path script = DeployFiles.repoRoot().resolve("scripts").resolve(name);
            assertThat(script).isRegularFile();
            assertThat(Files.isExecutable(script)).as(name + " is executable").isTrue();
            String text = DeployFiles.read(script);
            assertThat(text).startsWith("#!/usr/bin/env bash\n").contains("\nset -euo pipefail\n");
        }
        assertThat(DeployFiles.read(DeployFiles.repoRoot().resolve("scripts/build-jar")))
                .contains("-DskipTests package -pl job -am");
    }

    private static List<ManifestRules.JobRef> jobs() {
        return ManifestRules.jobsOf(docs);
    }

    private static Doc deployment(String name) {
        return docs.stream()
                .filter(d -> d.kind().equals("FlinkDeployment") && d.name().equals(name))
                .findFirst()
                .orElseThrow();
    }
}
