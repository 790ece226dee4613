package io.github.netobservch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.netobservch.deploy.DeployFiles.Doc;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the strict CRD schemas accept and reject beyond the manifests we ship: the strictness
 * transform must not reject what the API server accepts (free-form maps, preserve-unknown-fields,
 * int-or-string), and the deviations from the operator 1.15.0 CRD are exactly the documented ones.
 */
class CrdSchemasTest {

    private static CrdSchemas schemas;

    @BeforeAll
    static void load() {
        schemas = CrdSchemas.load();
    }

    @Test
    void flinkVersionEnumIsThe1100EnumPlusFlink2UpToV22() {
        JsonNode values = schemas.schemaFor(CrdSchemas.FLINK_API, "FlinkDeployment")
                .at("/properties/spec/properties/flinkVersion/enum");
        List<String> versions = new ArrayList<>();
        values.forEach(v -> versions.add(v.asText()));
        assertThat(versions)
                .containsExactly(
                        "v1_13", "v1_14", "v1_15", "v1_16", "v1_17", "v1_18", "v1_19", "v1_20", "v2_0", "v2_1", "v2_2");
    }

    @Test
    void freeFormMapsStayOpen() {
        Doc doc = deployment("""
                flinkConfiguration:
                  any.key.at.all: "x"
                podTemplate:
                  metadata:
                    labels: {anything: goes}
                    annotations: {"example.com/x": "y"}
                """);
        assertThat(schemas.validate(doc)).isEmpty();
    }

    @Test
    void flinkConfigurationIsAMapOfStringsInThe1100Crd() {
        // Why the manifests quote every value: 1.10-1.12 typed flinkConfiguration as map<string,string>
        // (1.13+ accept any YAML). Quoted values are valid under both.
        Doc doc = deployment("""
                flinkConfiguration:
                  taskmanager.numberOfTaskSlots: 2
                """);
        assertThat(schemas.validate(doc)).anyMatch(e -> e.contains("taskmanager.numberOfTaskSlots"));
    }

    @Test
    void intOrStringAcceptsBothAndNothingElse() {
        String template = """
                podTemplate:
                  spec:
                    containers:
                      - name: flink-main-container
                        resources:
                          limits: {cpu: %s}
                """;
        assertThat(schemas.validate(deployment(template.formatted("1")))).isEmpty();
        assertThat(schemas.validate(deployment(template.formatted("\"500m\"")))).isEmpty();
        assertThat(schemas.validate(deployment(template.formatted("true")))).isNotEmpty();
    }

    @Test
    void preserveUnknownFieldsStaysOpenForKafkaTopicConfig() {
        Doc topic = doc("""
                apiVersion: kafka.strimzi.io/v1
                kind: KafkaTopic
                metadata: {name: t}
                spec:
                  partitions: 1
                  config: {some.future.setting: 1}
                """);
        assertThat(schemas.validate(topic)).isEmpty();
        ((ObjectNode) topic.node().path("spec")).put("partition", 1);
        assertThat(schemas.validate(topic)).anyMatch(e -> e.contains("partition"));
    }

    @Test
    void wrongApiVersionOrMissingNameIsRejected() {
        Doc topic = doc("""
                apiVersion: kafka.strimzi.io/v1
                kind: KafkaTopic
                metadata: {labels: {a: b}}
                spec: {partitions: 1}
                """);
        assertThat(schemas.validate(topic)).anyMatch(e -> e.contains("name"));
        Doc beta = doc("""
                apiVersion: kafka.strimzi.io/v1beta2
                kind: KafkaTopic
                metadata: {name: t}
                """);
        assertThat(schemas.knows(beta))
                .as("v1beta2 is not served by Strimzi 1.x")
                .isFalse();
    }

    @Test
    void statusCannotBeWritten() {
        Doc doc = deployment("");
        doc.node().putObject("status").put("jobStatus", "x");
        assertThat(schemas.validate(doc)).anyMatch(e -> e.contains("status"));
    }

    private static Doc deployment(String specBody) {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: flink.apache.org/v1beta1
                kind: FlinkDeployment
                metadata: {name: t}
                spec:
                  flinkVersion: v2_2
                """);
        specBody.lines().forEach(l -> yaml.append("  ").append(l).append('\n'));
        return doc(yaml.toString());
    }

    private static Doc doc(String yaml) {
        try {
            return new Doc(Path.of("inline.yaml").toAbsolutePath(), 0, (ObjectNode) DeployFiles.YAML.readTree(yaml));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
