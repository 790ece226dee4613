package io.github.netobservch.loki;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The read API's manifests (flink-k8s/loki-api/) and the FlowCollector patch of docs/loki-api.md
 * fit together: the container's arguments parse, authentication is configured, secrets come from
 * mounted files, the pod is locked down, the Service, probe and NetworkPolicy agree with the port
 * and labels, the TokenReview binding names the pod's service account, and the FlowCollector points
 * at the Service with the filter that keeps flowlogs-pipeline from pushing.
 */
class LokiApiManifestsTest {

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Map<String, JsonNode> byKind = new HashMap<>();
    private static Path root;

    @BeforeAll
    static void load() throws Exception {
        root = TestFlows.sqlSchemaDir().getParent().getParent();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class)
                .readValues(root.resolve("flink-k8s/loki-api/loki-api.yaml").toFile())) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                byKind.put(doc.get("kind").asText(), doc);
            }
        }
    }

    private static JsonNode container() {
        return byKind.get("Deployment").at("/spec/template/spec/containers/0");
    }

    private static List<String> args() {
        List<String> args = new ArrayList<>();
        container().get("args").forEach(a -> args.add(a.asText()));
        return args;
    }

    @Test
    void theArgumentsParseAndCloseTheService() {
        LokiApi cmd = ApiArgs.parse(args().toArray(String[]::new));
        assertThat(cmd.kubernetes).isTrue();
        assertThat(cmd.anonymous).isFalse();
        assertThat(cmd.kubernetesAllow).contains("system:serviceaccount:netobserv:netobserv-plugin");
        assertThat(cmd.clickhousePasswordFile).isNotNull();
        assertThat(URI.create(cmd.clickhouseUrl).getUserInfo()).isNull();
        assertThat(cmd.tlsCert).isNotNull();
        // every file argument lives on a mounted volume
        List<String> mounts = new ArrayList<>();
        container()
                .get("volumeMounts")
                .forEach(m -> mounts.add(m.get("mountPath").asText()));
        for (Path p : List.of(cmd.clickhousePasswordFile, cmd.tlsCert, cmd.tlsKey)) {
            assertThat(mounts).anyMatch(m -> p.toString().startsWith(m + "/"));
        }
        assertThat(String.join(" ", args()))
                .doesNotContainIgnoringCase("password=")
                .doesNotContain("token=");
    }

    @Test
    void thePodIsLockedDown() {
        JsonNode pod = byKind.get("Deployment").at("/spec/template/spec");
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(container().at("/securityContext/readOnlyRootFilesystem").asBoolean())
                .isTrue();
        assertThat(container().at("/securityContext/allowPrivilegeEscalation").asBoolean(true))
                .isFalse();
        assertThat(container().at("/resources/limits/memory").asText()).isNotEmpty();
    }

    @Test
    void serviceProbeNetworkPolicyAndBindingAgree() {
        LokiApi cmd = ApiArgs.parse(args().toArray(String[]::new));
        int port = container().at("/ports/0/containerPort").asInt();
        assertThat(port).isEqualTo(cmd.port);
        JsonNode labels = byKind.get("Deployment").at("/spec/template/metadata/labels");
        assertThat(byKind.get("Service").at("/spec/selector")).isEqualTo(labels);
        assertThat(byKind.get("NetworkPolicy").at("/spec/podSelector/matchLabels"))
                .isEqualTo(labels);
        assertThat(byKind.get("NetworkPolicy")
                        .at("/spec/ingress/0/ports/0/port")
                        .asInt())
                .isEqualTo(port);
        assertThat(container().at("/readinessProbe/httpGet/path").asText()).isEqualTo("/ready");
        assertThat(container().at("/readinessProbe/httpGet/scheme").asText()).isEqualTo("HTTPS");
        String sa = byKind.get("Deployment")
                .at("/spec/template/spec/serviceAccountName")
                .asText();
        JsonNode binding = byKind.get("ClusterRoleBinding");
        assertThat(binding.at("/roleRef/name").asText()).isEqualTo("system:auth-delegator");
        assertThat(binding.at("/subjects/0/name").asText()).isEqualTo(sa);
        assertThat(byKind.get("ServiceAccount").at("/metadata/name").asText()).isEqualTo(sa);
        // the TLS secret is the one OpenShift's service CA writes for this Service
        String tlsSecret = byKind.get("Service")
                .at("/metadata/annotations")
                .get("service.beta.openshift.io/serving-cert-secret-name")
                .asText();
        List<String> secrets = new ArrayList<>();
        byKind.get("Deployment")
                .at("/spec/template/spec/volumes")
                .forEach(v -> secrets.add(v.at("/secret/secretName").asText()));
        assertThat(secrets).contains(tlsSecret, "netobserv-clickhouse-reader");
    }

    @Test
    void theFlowCollectorPatchInTheDocsPointsAtTheService() throws Exception {
        String doc = Files.readString(root.resolve("docs/loki-api.md"));
        Matcher m = Pattern.compile("```yaml\\n(.*?kind: FlowCollector.*?)```", Pattern.DOTALL)
                .matcher(doc);
        assertThat(m.find()).isTrue();
        String yaml = m.group(1).replaceAll("(?m)^   ", "");
        JsonNode fc = YAML.readTree(yaml);
        JsonNode loki = fc.at("/spec/loki");
        assertThat(loki.get("mode").asText()).isEqualTo("Manual");
        JsonNode service = byKind.get("Service");
        String host = service.at("/metadata/name").asText() + "."
                + service.at("/metadata/namespace").asText() + ".svc";
        for (String url : List.of("querierUrl", "statusUrl", "ingesterUrl")) {
            URI u = URI.create(loki.at("/manual/" + url).asText());
            assertThat(u.getHost()).as(url).isEqualTo(host);
            assertThat(u.getPort())
                    .as(url)
                    .isEqualTo(service.at("/spec/ports/0/port").asInt());
            assertThat(u.getScheme()).as(url).isEqualTo("https");
        }
        LokiApi cmd = ApiArgs.parse(args().toArray(String[]::new));
        assertThat(cmd.tenants)
                .anyMatch(t -> t.startsWith(loki.at("/manual/tenantID").asText() + "="));
        assertThat(loki.at("/manual/authToken").asText()).isEqualTo("Host");
        JsonNode filter = fc.at("/spec/processor/filters/0");
        assertThat(filter.get("outputTarget").asText()).isEqualTo("Loki");
        assertThat(filter.get("query").asText()).isEqualTo("without(TimeFlowEndMs)");
    }
}
