package io.github.netobservch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.netobservch.deploy.DeployFiles.Doc;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The validator rejects broken variants of the committed manifests. Each variant is a mutated copy of
 * the parsed tree (the files on disk stay clean); every test first makes sure the unmutated document
 * passes, so a rejection is caused by the mutation alone.
 */
class DeployManifestsNegativeTest {

    private static List<Doc> docs;
    private static CrdSchemas schemas;
    private static String dockerfile;

    @BeforeAll
    static void load() {
        docs = DeployFiles.loadAll();
        schemas = CrdSchemas.load();
        dockerfile = DeployFiles.dockerfile();
        assertThat(ManifestRules.check(docs, dockerfile))
                .as("committed manifests pass")
                .isEmpty();
    }

    // ------------------------------------------------------------------------ schema (strict CRD)

    @Test
    void unknownFieldInJobSpecIsRejected() {
        Doc app = mutate(application(), d -> job(d).put("upgradeMod", "savepoint"));
        assertThat(schemas.validate(app)).anyMatch(e -> e.contains("upgradeMod"));
    }

    @Test
    void unknownFieldInSpecIsRejected() {
        Doc app = mutate(application(), d -> spec(d).putObject("flinkConfig").put("a", "b"));
        assertThat(schemas.validate(app)).anyMatch(e -> e.contains("flinkConfig"));
    }

    @Test
    void unknownFieldDeepInThePodTemplateIsRejected() {
        Doc app = mutate(application(), d -> mainContainer(d).putArray("volumeMount"));
        assertThat(schemas.validate(app)).anyMatch(e -> e.contains("volumeMount"));
    }

    @Test
    void unknownFieldInASessionJobIsRejected() {
        Doc job = mutate(sessionJob(), d -> spec(d).put("podTemplate", "not here"));
        assertThat(schemas.validate(job)).anyMatch(e -> e.contains("podTemplate"));
    }

    @Test
    void invalidEnumValuesAreRejected() {
        assertThat(schemas.validate(mutate(application(), d -> job(d).put("upgradeMode", "last_state"))))
                .isNotEmpty();
        assertThat(schemas.validate(mutate(application(), d -> job(d).put("state", "started"))))
                .isNotEmpty();
    }

    @Test
    void flinkVersionV23IsRejectedAsByOperator1150() {
        Doc app = mutate(application(), d -> spec(d).put("flinkVersion", "v2_3"));
        assertThat(schemas.validate(app)).anyMatch(e -> e.contains("flinkVersion"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1_20", "v2_0", "v2_1", "v2_2"})
    void flinkVersionsOfOperator1150AreAccepted(String version) {
        Doc app = application().copy();
        spec(app).put("flinkVersion", version);
        assertThat(schemas.validate(app)).isEmpty();
    }

    @Test
    void strimziV1beta2AclSpellingIsRejectedByV1() {
        Doc user = mutate(find("KafkaUser", "netobserv-clickhouse"), d -> {
            ObjectNode acl = (ObjectNode) d.node().at("/spec/authorization/acls/0");
            acl.remove("operations");
            acl.put("operation", "Read");
        });
        assertThat(schemas.validate(user)).isNotEmpty();
    }

    @Test
    void netobservV1beta1ExporterTypeIsRejected() {
        Doc fc = mutate(
                find("FlowCollector", "cluster"),
                d -> ((ObjectNode) d.node().at("/spec/exporters/0")).put("type", "KAFKA"));
        assertThat(schemas.validate(fc)).anyMatch(e -> e.contains("type"));
    }

    // ------------------------------------------------------------------------ secrets

    @Test
    void inlinePasswordInEnvIsRejected() {
        Doc app = mutate(application(), d -> {
            ObjectNode env = (ObjectNode) mainContainer(d).path("env").get(1);
            env.remove("valueFrom");
            env.put("value", "hunter2");
        });
        assertThat(rules(app)).anyMatch(v -> v.contains("CLICKHOUSE_PASSWORD has an inline value"));
    }

    @Test
    void inlinePasswordInArgsIsRejected() {
        Doc app =
                mutate(application(), d -> args(d).add("--clickhouse.password").add("hunter2"));
        assertThat(rules(app))
                .anyMatch(v -> v.contains("--clickhouse.password passes a secret value"))
                .anyMatch(v -> v.contains("the job rejects its arguments"));
    }

    @Test
    void inlineJaasLineInArgsIsRejected() {
        Doc job = mutate(
                sessionJob(),
                d -> args(d).add("--kafka.properties.sasl.jaas.config")
                        .add(
                                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";"));
        assertThat(rules(job)).anyMatch(v -> v.contains("inline credential"));
    }

    @Test
    void secretInFlinkConfigurationIsRejected() {
        Doc app = mutate(application(), d -> config(d).put("s3.secret-key", "abc"));
        assertThat(rules(app)).anyMatch(v -> v.contains("'s3.secret-key' would put a secret"));
    }

    @Test
    void literalPasswordFieldAnywhereIsRejected() {
        Doc fc = mutate(
                find("FlowCollector", "cluster"), d -> ((ObjectNode) d.node().at("/spec/exporters/0/kafka"))
                        .putObject("sasl")
                        .put("password", "p"));
        assertThat(rules(fc)).anyMatch(v -> v.contains("holds a literal secret value"));
    }

    @Test
    void secretTemplateWithARealValueIsRejected() {
        Doc secret = mutate(
                find("Secret", "netobserv-clickhouse-credentials"),
                d -> ((ObjectNode) d.node().path("stringData")).put("password", "s3cr3t"));
        assertThat(rules(secret)).anyMatch(v -> v.contains("stringData.password is not a CHANGE-ME placeholder"));
    }

    @Test
    void referenceToAnUnknownSecretIsRejected() {
        Doc app = mutate(application(), d -> ((ObjectNode) mainContainer(d).at("/env/1/valueFrom/secretKeyRef"))
                .put("name", "clickhouse-typo"));
        assertThat(rules(app)).anyMatch(v -> v.contains("Secret clickhouse-typo"));
    }

    // ------------------------------------------------------------------------ jar and image

    @Test
    void mismatchedJarPathIsRejected() {
        Doc app = mutate(application(), d -> job(d).put("jarURI", "local:///opt/flink/usrlib/netobserv-job.jar"));
        assertThat(rules(app)).anyMatch(v -> v.contains("is not where the Dockerfile copies the jar"));
    }

    @Test
    void jarOutsideUsrlibIsRejected() {
        String libDockerfile = dockerfile.replace(
                "/opt/flink/usrlib/netobserv-clickhouse-job.jar", "/opt/flink/lib/netobserv-clickhouse-job.jar");
        Doc app =
                mutate(application(), d -> job(d).put("jarURI", "local:///opt/flink/lib/netobserv-clickhouse-job.jar"));
        assertThat(ManifestRules.check(replace(app), libDockerfile))
                .anyMatch(v -> v.contains("is not under local:///opt/flink/usrlib/"));
    }

    @Test
    void dockerfileCopyingElsewhereIsRejected() {
        String moved =
                dockerfile.replace("/opt/flink/usrlib/netobserv-clickhouse-job.jar", "/opt/flink/usrlib/job.jar");
        assertThat(ManifestRules.check(docs, moved))
                .anyMatch(v -> v.contains("is not where the Dockerfile copies the jar"));
    }

    @Test
    void rootImageIsRejected() {
        assertThat(ManifestRules.check(docs, dockerfile + "\nUSER root\n")).anyMatch(v -> v.contains("non-root USER"));
    }

    @Test
    void flinkVersionNotMatchingTheImageIsRejected() {
        Doc app = mutate(application(), d -> spec(d).put("flinkVersion", "v2_1"));
        assertThat(rules(app)).anyMatch(v -> v.contains("does not match the Dockerfile base image"));
    }

    @Test
    void sessionJobWithANonHttpsJarIsRejected() {
        Doc job = mutate(sessionJob(), d -> job(d).put("jarURI", "http://10.0.0.5/job.jar"));
        assertThat(rules(job)).anyMatch(v -> v.contains("is not https://"));
    }

    // ------------------------------------------------------------------------ state and recovery

    @ParameterizedTest
    @ValueSource(strings = {"stateless", ""})
    void statelessUpgradeModeIsRejected(String mode) {
        Doc app = mutate(application(), d -> {
            if (mode.isEmpty()) {
                job(d).remove("upgradeMode");
            } else {
                job(d).put("upgradeMode", mode);
            }
        });
        assertThat(rules(app)).anyMatch(v -> v.contains("loses state on upgrade"));
    }

    @Test
    void disabledCheckpointingIsRejected() {
        Doc app = mutate(application(), d -> config(d).remove("execution.checkpointing.interval"));
        assertThat(rules(app)).anyMatch(v -> v.contains("checkpointing is off"));
    }

    @Test
    void managedMemoryLeftToTheHeapBackendIsRejected() {
        // Flink's default managed fraction (0.4): 1 GB of the 3072 MB TaskManager that nothing uses
        Doc app = mutate(application(), d -> config(d).remove("taskmanager.memory.managed.fraction"));
        assertThat(rules(app)).anyMatch(v -> v.contains("managed memory (1003 MiB) is unused"));
        Doc rocksDb = mutate(application(), d -> {
            config(d).remove("taskmanager.memory.managed.fraction");
            config(d).put("state.backend.type", "rocksdb");
        });
        assertThat(rules(rocksDb)).noneMatch(v -> v.contains("managed memory"));
    }

    @Test
    void aTaskHeapTooSmallForTheDedupStateIsRejected() {
        Doc cluster = mutate(
                sessionCluster(),
                d -> ((ObjectNode) spec(d).path("taskManager").path("resource")).put("memory", "1536m"));
        assertThat(rules(cluster)).anyMatch(v -> v.contains("task heap per slot") && v.contains("below 512 MiB"));
    }

    @Test
    void aTaskManagerHeapNotTouchedAtStartIsRejected() {
        Doc app = mutate(application(), d -> config(d).remove("env.java.opts.taskmanager"));
        assertThat(rules(app)).anyMatch(v -> v.contains("does not touch its heap at start"));
        Doc turnedOff = mutate(sessionCluster(), d -> config(d)
                .put("env.java.opts.taskmanager", "-XX:+AlwaysPreTouch -XX:-AlwaysPreTouch"));
        assertThat(rules(turnedOff)).anyMatch(v -> v.contains("does not touch its heap at start"));
        Doc viaAll = mutate(application(), d -> {
            config(d).remove("env.java.opts.taskmanager");
            config(d).put("env.java.opts.all", "-XX:+AlwaysPreTouch");
        });
        assertThat(rules(viaAll)).noneMatch(v -> v.contains("does not touch its heap at start"));
    }

    @Test
    void aTaskManagerMemoryThatDoesNotAddUpIsRejected() {
        Doc app = mutate(application(), d -> config(d).put("taskmanager.memory.managed.fraction", "1.5"));
        assertThat(rules(app)).anyMatch(v -> v.contains("the TaskManager memory does not add up"));
    }

    @Test
    void sessionJobWithoutCheckpointingOnItsClusterIsRejected() {
        Doc cluster = mutate(sessionCluster(), d -> config(d).remove("execution.checkpointing.interval"));
        assertThat(rules(cluster)).anyMatch(v -> v.contains("FlinkSessionJob") && v.contains("checkpointing is off"));
    }

    @Test
    void atLeastOnceCheckpointingIsRejected() {
        Doc app = mutate(application(), d -> config(d).put("execution.checkpointing.mode", "AT_LEAST_ONCE"));
        assertThat(rules(app)).anyMatch(v -> v.contains("breaks exactly-once"));
    }

    @Test
    void localCheckpointDirectoryIsRejected() {
        Doc app = mutate(application(), d -> config(d).put("execution.checkpointing.dir", "file:///tmp/checkpoints"));
        assertThat(rules(app)).anyMatch(v -> v.contains("is not durable storage"));
    }

    @Test
    void checkpointDirectoryOnAPersistentVolumeIsAccepted() {
        Doc app = mutate(application(), d -> {
            config(d).put("execution.checkpointing.dir", "file:///flink-data/checkpoints");
            mainContainer(d)
                    .withArray("volumeMounts")
                    .addObject()
                    .put("name", "flink-data")
                    .put("mountPath", "/flink-data");
            ((ObjectNode) d.node().at("/spec/podTemplate/spec"))
                    .withArray("volumes")
                    .addObject()
                    .put("name", "flink-data")
                    .putObject("persistentVolumeClaim")
                    .put("claimName", "flink-data");
        });
        assertThat(rules(app)).isEmpty();
        assertThat(schemas.validate(app)).isEmpty();
    }

    @Test
    void deprecatedFlink1CheckpointKeyIsRejected() {
        Doc app = mutate(application(), d -> config(d).put("state.checkpoints.dir", "s3://b/c"));
        assertThat(rules(app)).anyMatch(v -> v.contains("use execution.checkpointing.dir"));
    }

    @Test
    void missingHighAvailabilityIsRejected() {
        Doc app = mutate(application(), d -> {
            config(d).remove("high-availability.type");
            config(d).remove("high-availability.storageDir");
        });
        assertThat(rules(app))
                .anyMatch(v -> v.contains("high-availability.type must be kubernetes"))
                .anyMatch(v -> v.contains("high-availability.storageDir is not set"));
    }

    // ------------------------------------------------------------------------ pods

    @Test
    void missingMainContainerIsRejected() {
        Doc app = mutate(application(), d -> mainContainer(d).put("name", "flink"));
        assertThat(rules(app)).anyMatch(v -> v.contains("no container named flink-main-container"));
    }

    @Test
    void rootUserIsRejected() {
        Doc app = mutate(application(), d -> ((ObjectNode) d.node().at("/spec/podTemplate/spec/securityContext"))
                .put("runAsUser", 0));
        assertThat(rules(app)).anyMatch(v -> v.contains("runs as root"));
    }

    @Test
    void missingRunAsNonRootIsRejected() {
        Doc app = mutate(sessionCluster(), d -> ((ObjectNode) d.node().at("/spec/podTemplate/spec/securityContext"))
                .remove("runAsNonRoot"));
        assertThat(rules(app)).anyMatch(v -> v.contains("runAsNonRoot must be true"));
    }

    @Test
    void readOnlyRootWithoutScratchVolumesIsRejected() {
        Doc app = mutate(application(), d -> {
            ArrayNode mounts = (ArrayNode) mainContainer(d).path("volumeMounts");
            for (int i = mounts.size() - 1; i >= 0; i--) {
                if (mounts.get(i).path("mountPath").asText().equals("/tmp")) {
                    mounts.remove(i);
                }
            }
        });
        assertThat(rules(app)).anyMatch(v -> v.contains("readOnlyRootFilesystem without a volume at /tmp"));
    }

    @Test
    void mountOfAnUndeclaredVolumeIsRejected() {
        Doc app = mutate(application(), d -> mainContainer(d)
                .withArray("volumeMounts")
                .addObject()
                .put("name", "nowhere")
                .put("mountPath", "/x"));
        assertThat(rules(app)).anyMatch(v -> v.contains("volumeMount nowhere has no volume"));
    }

    // ------------------------------------------------------------------------ Kafka side and job arguments

    @Test
    void jobTopicDifferentFromTheStrimziTopicIsRejected() {
        Doc topic = mutate(
                find("KafkaTopic", "flows-export"),
                d -> ((ObjectNode) d.node().path("metadata")).put("name", "netobserv-flows-export"));
        assertThat(rules(topic)).anyMatch(v -> v.startsWith("topics disagree"));
    }

    @Test
    void exporterTopicDifferentFromTheJobTopicIsRejected() {
        Doc fc = mutate(
                find("FlowCollector", "cluster"),
                d -> ((ObjectNode) d.node().at("/spec/exporters/0/kafka")).put("topic", "network-flows"));
        assertThat(rules(fc)).anyMatch(v -> v.startsWith("topics disagree"));
    }

    @Test
    void jobTopicArgumentDifferentFromTheStrimziTopicIsRejected() {
        Doc app = mutate(application(), d -> {
            ArrayNode args = args(d);
            for (int i = 0; i < args.size(); i++) {
                if (args.get(i).asText().equals("--kafka.topics")) {
                    args.set(i + 1, "flows");
                }
            }
        });
        assertThat(rules(app)).anyMatch(v -> v.startsWith("topics disagree"));
    }

    @Test
    void jobUserWithoutReadOnTheGroupIsRejected() {
        Doc user = mutate(
                find("KafkaUser", "netobserv-clickhouse"),
                d -> ((ArrayNode) d.node().at("/spec/authorization/acls")).remove(1));
        assertThat(rules(user)).anyMatch(v -> v.contains("no KafkaUser may Read consumer group netobserv-clickhouse"));
    }

    @Test
    void misspelledJobOptionIsRejectedByTheJobsOwnLoader() {
        Doc app = mutate(application(), d -> {
            ArrayNode args = args(d);
            args.set(0, "--kafka.bootstrap-server");
        });
        assertThat(rules(app))
                .anyMatch(v -> v.contains("the job rejects its arguments") && v.contains("kafka.bootstrap-server"));
    }

    @Test
    void sessionJobForAMissingClusterIsRejected() {
        Doc job = mutate(sessionJob(), d -> spec(d).put("deploymentName", "nope"));
        assertThat(rules(job)).anyMatch(v -> v.contains("names no FlinkDeployment"));
    }

    @Test
    void aGrafanaDatasourcePasswordIsASecretReferenceOrRejected() {
        Doc ds = find("GrafanaDatasource", "netobserv-clickhouse");
        Doc literal = mutate(
                ds, d -> ((ObjectNode) spec(d).path("datasource").path("secureJsonData")).put("password", "hunter2"));
        assertThat(rules(literal)).anyMatch(v -> v.contains("secureJsonData.password holds a literal secret value"));
        Doc unbound = mutate(ds, d -> spec(d).remove("valuesFrom"));
        assertThat(rules(unbound)).anyMatch(v -> v.contains("secureJsonData.password holds a literal secret value"));
        Doc typo = mutate(ds, d -> spec(d).with("datasource").put("typo", "x"));
        assertThat(schemas.validate(typo)).anyMatch(e -> e.contains("typo"));
        Doc dashboard = mutate(find("GrafanaDashboard", "netobserv-overview"), d -> spec(d).remove("instanceSelector"));
        assertThat(schemas.validate(dashboard)).anyMatch(e -> e.contains("instanceSelector"));
    }

    // ------------------------------------------------------------------------ helpers

    private static List<String> rules(Doc mutated) {
        return ManifestRules.check(replace(mutated), dockerfile);
    }

    /** The document set with {@code mutated} in place of its original (same file and index). */
    private static List<Doc> replace(Doc mutated) {
        List<Doc> out = new ArrayList<>();
        for (Doc d : docs) {
            out.add(d.file().equals(mutated.file()) && d.index() == mutated.index() ? mutated : d);
        }
        return out;
    }

    private static Doc mutate(Doc original, Consumer<Doc> change) {
        assertThat(schemas.knows(original) ? schemas.validate(original) : List.of())
                .as("unmutated " + original)
                .isEmpty();
        Doc copy = original.copy();
        change.accept(copy);
        assertThat(copy.node()).as("mutation changed the tree").isNotEqualTo(original.node());
        return copy;
    }

    private static Doc find(String kind, String name) {
        return find(d -> d.kind().equals(kind) && d.name().equals(name));
    }

    private static Doc find(Predicate<Doc> p) {
        return docs.stream().filter(p).findFirst().orElseThrow();
    }

    private static Doc application() {
        return find("FlinkDeployment", "netobserv-clickhouse");
    }

    private static Doc sessionCluster() {
        return find("FlinkDeployment", "netobserv-session");
    }

    private static Doc sessionJob() {
        return find("FlinkSessionJob", "netobserv-clickhouse");
    }

    private static ObjectNode spec(Doc d) {
        return (ObjectNode) d.node().path("spec");
    }

    private static ObjectNode job(Doc d) {
        return (ObjectNode) spec(d).path("job");
    }

    private static ArrayNode args(Doc d) {
        return (ArrayNode) job(d).path("args");
    }

    private static ObjectNode config(Doc d) {
        return (ObjectNode) spec(d).path("flinkConfiguration");
    }

    private static ObjectNode mainContainer(Doc d) {
        JsonNode main = ManifestRules.mainContainer(d);
        assertThat(main.isObject()).isTrue();
        return (ObjectNode) main;
    }
}
