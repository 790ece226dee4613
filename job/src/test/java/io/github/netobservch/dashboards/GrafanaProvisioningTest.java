package io.github.netobservch.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The three ways the dashboards are provisioned agree with each other and with the dashboard files:
 * Grafana's own provisioning files (flink-k8s/grafana/provisioning/), the sidecar ConfigMaps
 * (the base kustomization's generator and sidecar/datasource.yaml) and the grafana-operator
 * resources (operator/grafana-operator.yaml). The Kubernetes objects are schema-checked with the
 * other manifests (DeployManifestsTest: GrafanaDashboard/GrafanaDatasource against the operator's
 * CRDs, Secret and ConfigMap rules); this test checks what binds them.
 */
class GrafanaProvisioningTest {

    private static final YAMLMapper YAML = new YAMLMapper();
    /** The data source's provisioning keys (grafana/clickhouse-datasource docs/sources/configure.md, "Provision the data source"). */
    private static final Set<String> PLUGIN_JSON_DATA = Set.of(
            "host",
            "port",
            "protocol",
            "secure",
            "username",
            "defaultDatabase",
            "tlsSkipVerify",
            "tlsAuth",
            "tlsAuthWithCACert",
            "dialTimeout",
            "queryTimeout",
            "path",
            "validateSql");

    private static Path grafana() {
        return Dashboards.directory().getParent();
    }

    private static List<JsonNode> documents(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isEmpty()) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    /** ConfigMap name → (key → file) of the base kustomization's generator. */
    private static Map<String, Map<String, String>> generatedConfigMaps() throws Exception {
        JsonNode k = documents(grafana().resolve("kustomization.yaml")).get(0);
        assertThat(k.path("generatorOptions").path("disableNameSuffixHash").asBoolean())
                .isTrue();
        assertThat(k.path("generatorOptions")
                        .path("labels")
                        .path("grafana_dashboard")
                        .asText())
                .isEqualTo("1");
        Map<String, Map<String, String>> out = new TreeMap<>();
        for (JsonNode g : k.path("configMapGenerator")) {
            Map<String, String> keys = new TreeMap<>();
            for (JsonNode f : g.path("files")) {
                String path = f.asText();
                String key = path.contains("=")
                        ? path.substring(0, path.indexOf('='))
                        : Path.of(path).getFileName().toString();
                keys.put(key, path.contains("=") ? path.substring(path.indexOf('=') + 1) : path);
            }
            out.put(g.path("name").asText(), keys);
        }
        return out;
    }

    @Test
    void everyDashboardFileIsOneConfigMapAndOneGrafanaDashboard() throws Exception {
        Set<String> files = new TreeSet<>();
        for (Dashboards.Dashboard d : Dashboards.load()) {
            files.add(d.file().getFileName().toString());
        }
        Map<String, Map<String, String>> maps = generatedConfigMaps();
        Set<String> generated = new TreeSet<>();
        maps.forEach((name, keys) -> {
            assertThat(keys).as(name).hasSize(1);
            keys.forEach((key, file) -> {
                assertThat(key).as("the sidecar keeps keys ending in .json").endsWith(".json");
                assertThat(Path.of(file).getFileName().toString()).isEqualTo(key);
                generated.add(key);
            });
        });
        assertThat(generated).isEqualTo(files);

        Map<String, String> refs = new TreeMap<>();
        for (JsonNode doc : documents(grafana().resolve("operator").resolve("grafana-operator.yaml"))) {
            if (doc.path("kind").asText().equals("GrafanaDashboard")) {
                JsonNode ref = doc.path("spec").path("configMapRef");
                assertThat(maps)
                        .as(doc.path("metadata").path("name").asText())
                        .containsKey(ref.path("name").asText());
                assertThat(maps.get(ref.path("name").asText()))
                        .containsKey(ref.path("key").asText());
                refs.put(ref.path("name").asText(), ref.path("key").asText());
            }
        }
        assertThat(refs.keySet()).isEqualTo(maps.keySet());
        List<String> bases = new ArrayList<>();
        for (String overlay : List.of("sidecar", "operator")) {
            JsonNode k = documents(grafana().resolve(overlay).resolve("kustomization.yaml"))
                    .get(0);
            k.path("resources").forEach(r -> bases.add(overlay + ":" + r.asText()));
        }
        assertThat(bases).contains("sidecar:..", "operator:..");
    }

    @Test
    void theDataSourceIsTheSameEverywhereAndItsPasswordNeverInline() throws Exception {
        JsonNode plain = documents(
                        grafana().resolve("provisioning").resolve("datasources").resolve("netobserv-clickhouse.yaml"))
                .get(0);
        assertThat(plain.path("apiVersion").asInt()).isEqualTo(1);
        JsonNode sidecarMap = documents(grafana().resolve("sidecar").resolve("datasource.yaml"))
                .get(0);
        assertThat(sidecarMap
                        .path("metadata")
                        .path("labels")
                        .path("grafana_datasource")
                        .asText())
                .isEqualTo("1");
        JsonNode sidecar = YAML.readTree(
                sidecarMap.path("data").path("netobserv-clickhouse.yaml").asText());
        JsonNode operator = null;
        for (JsonNode doc : documents(grafana().resolve("operator").resolve("grafana-operator.yaml"))) {
            if (doc.path("kind").asText().equals("GrafanaDatasource")) {
                operator = doc;
            }
        }
        assertThat(operator).isNotNull();

        ObjectNode a = (ObjectNode) plain.path("datasources").get(0).deepCopy();
        ObjectNode b = (ObjectNode) sidecar.path("datasources").get(0).deepCopy();
        ObjectNode c = (ObjectNode) operator.path("spec").path("datasource").deepCopy();
        assertThat(a.path("type").asText()).isEqualTo(Dashboards.CLICKHOUSE);
        assertThat(a.path("jsonData").path("defaultDatabase").asText()).isEqualTo("netobserv");
        a.path("jsonData").fieldNames().forEachRemaining(f -> assertThat(PLUGIN_JSON_DATA)
                .as("jsonData." + f)
                .contains(f));
        // the password: an environment variable in Grafana's files, the Secret's key with the operator
        assertThat(a.path("secureJsonData").path("password").asText()).isEqualTo("${NETOBSERV_CLICKHOUSE_PASSWORD}");
        assertThat(b.path("secureJsonData").path("password").asText()).isEqualTo("${NETOBSERV_CLICKHOUSE_PASSWORD}");
        JsonNode from = operator.path("spec").path("valuesFrom").get(0);
        assertThat(from.path("targetPath").asText()).isEqualTo("secureJsonData.password");
        String key = from.path("valueFrom").path("secretKeyRef").path("key").asText();
        assertThat(c.path("secureJsonData").path("password").asText()).isEqualTo("${" + key + "}");
        for (ObjectNode ds : List.of(a, b, c)) {
            ds.remove("secureJsonData");
        }
        assertThat(b).isEqualTo(a);
        assertThat(c).isEqualTo(a);

        // the Secret the operator reads is the template in flink-k8s/secrets, in the same namespace
        JsonNode secret = documents(
                        grafana().getParent().resolve("secrets").resolve("clickhouse-grafana-credentials.yaml"))
                .get(0);
        assertThat(secret.path("metadata").path("name").asText())
                .isEqualTo(
                        from.path("valueFrom").path("secretKeyRef").path("name").asText());
        assertThat(secret.path("stringData").has(key)).isTrue();
        JsonNode operatorKustomization = documents(grafana().resolve("operator").resolve("kustomization.yaml"))
                .get(0);
        assertThat(secret.path("metadata").path("namespace").asText())
                .isEqualTo(operatorKustomization.path("namespace").asText());
        assertThat(operator.path("spec").path("plugins").get(0).path("name").asText())
                .isEqualTo(Dashboards.CLICKHOUSE);
        assertThat(operator.path("spec").path("plugins").get(0).path("version").asText())
                .startsWith("4.");
    }

    @Test
    void theFileProviderServesTheDashboardsAndTheGuideSaysHowToInstallThem() throws Exception {
        JsonNode provider = documents(
                        grafana().resolve("provisioning").resolve("dashboards").resolve("netobserv.yaml"))
                .get(0)
                .path("providers")
                .get(0);
        assertThat(provider.path("type").asText()).isEqualTo("file");
        assertThat(provider.path("options").path("path").asText()).startsWith("/");
        String guide = Files.readString(grafana().resolve("README.md"));
        assertThat(guide)
                .contains(
                        "kubectl apply -k flink-k8s/grafana/sidecar",
                        "kubectl apply -k flink-k8s/grafana/operator",
                        "GRANT SELECT ON netobserv.* TO netobserv_grafana",
                        "readonly = 2");
        assertThat(Files.readString(grafana().getParent().resolve("README.md"))).contains("grafana/README.md");
    }
}
