package io.github.netobservch.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Strict JSON schemas for the custom resources under {@code flink-k8s/}, built from the CRDs'
 * {@code openAPIV3Schema}:
 *
 * <ul>
 *   <li>FlinkDeployment, FlinkSessionJob: the CRDs in {@code org.apache.flink:flink-kubernetes-operator-api}
 *       (META-INF/fabric8/*-v1.yml). The newest version on Maven Central is 1.10.0, whose {@code flinkVersion}
 *       enum ends at {@code v1_20}; the deployments target operator 1.15.0, whose CRD accepts up to
 *       {@code v2_2}. {@link #FLINK_2_VERSIONS} are therefore added to the enum here -- exactly those, so
 *       {@code v2_3} stays rejected as it is by a 1.15.0 API server. The other 1.10.0 → 1.15.0 differences
 *       only make 1.10.0 stricter (flinkConfiguration is a map of strings there, free-form in 1.13+;
 *       JobSpec lacks autoscalerResetNonce), so a manifest valid here is valid for 1.15.0.</li>
 *   <li>KafkaTopic, KafkaUser: Strimzi 1.2.0 CRDs, version {@code v1}, vendored under
 *       {@code src/test/resources/deploy/crds/}.</li>
 *   <li>GrafanaDashboard, GrafanaDatasource: grafana-operator v5 CRDs ({@code v1beta1}, main of
 *       2026-08-20, after v5.24.0), descriptions removed, vendored likewise.</li>
 *   <li>FlowCollector: an excerpt of the NetObserv 1.11.1 CRD ({@code v1beta2}, {@code spec.exporters}
 *       only), vendored likewise; the manifest is a merge patch carrying only {@code spec.exporters}.</li>
 * </ul>
 *
 * <p>CRD schemas accept unknown fields (the API server prunes them), so a typo passes plain validation.
 * {@link #makeStrict} injects {@code additionalProperties: false} into every object schema that lists
 * {@code properties}, unless it is marked {@code x-kubernetes-preserve-unknown-fields} or already says
 * something about additional properties (maps such as labels or flinkConfiguration). Then the
 * Kubernetes extension keywords are removed ({@code x-kubernetes-int-or-string} comes with an
 * {@code anyOf: [integer, string]} that does the checking; CEL {@code x-kubernetes-validations} cannot
 * be evaluated offline), and the schema is validated with draft-4 semantics, the JSON-schema draft
 * OpenAPI v3 schemas derive from.
 */
final class CrdSchemas {

    static final List<String> FLINK_2_VERSIONS = List.of("v2_0", "v2_1", "v2_2");

    static final String FLINK_API = "flink.apache.org/v1beta1";
    static final String STRIMZI_API = "kafka.strimzi.io/v1";
    static final String NETOBSERV_API = "flows.netobserv.io/v1beta2";
    static final String GRAFANA_API = "grafana.integreatly.org/v1beta1";

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final Map<String, Schema> schemas = new LinkedHashMap<>();
    private final Map<String, ObjectNode> rawSchemas = new LinkedHashMap<>();

    private CrdSchemas() {}

    static CrdSchemas load() {
        CrdSchemas s = new CrdSchemas();
        ObjectNode deployment = crdSchema("META-INF/fabric8/flinkdeployments.flink.apache.org-v1.yml", "v1beta1");
        extendFlinkVersionEnum(deployment);
        s.add(FLINK_API, "FlinkDeployment", deployment);
        s.add(
                FLINK_API,
                "FlinkSessionJob",
                crdSchema("META-INF/fabric8/flinksessionjobs.flink.apache.org-v1.yml", "v1beta1"));
        s.add(STRIMZI_API, "KafkaTopic", crdSchema("deploy/crds/strimzi-043-Crd-kafkatopic.yaml", "v1"));
        s.add(STRIMZI_API, "KafkaUser", crdSchema("deploy/crds/strimzi-044-Crd-kafkauser.yaml", "v1"));
        s.add(NETOBSERV_API, "FlowCollector", flowCollectorExportersSchema());
        s.add(
                GRAFANA_API,
                "GrafanaDashboard",
                crdSchema("deploy/crds/grafana-operator-grafanadashboards.yaml", "v1beta1"));
        s.add(
                GRAFANA_API,
                "GrafanaDatasource",
                crdSchema("deploy/crds/grafana-operator-grafanadatasources.yaml", "v1beta1"));
        return s;
    }

    /** The strict schema (as JSON) used for a kind, for inspection in tests. */
    ObjectNode schemaFor(String apiVersion, String kind) {
        return rawSchemas.get(apiVersion + " " + kind);
    }

    boolean knows(DeployFiles.Doc doc) {
        return schemas.containsKey(doc.apiVersion() + " " + doc.kind());
    }

    /** Schema errors of a document; empty when valid. The kind must be one {@link #knows}. */
    List<String> validate(DeployFiles.Doc doc) {
        Schema schema = Optional.ofNullable(schemas.get(doc.apiVersion() + " " + doc.kind()))
                .orElseThrow(() -> new IllegalArgumentException("no schema for " + doc));
        List<String> out = new ArrayList<>();
        for (Error e : schema.validate(doc.node())) {
            out.add(e.getInstanceLocation() + ": " + e.getMessage());
        }
        return out;
    }

    private void add(String apiVersion, String kind, ObjectNode schema) {
        ObjectNode props = schema.withObjectProperty("properties");
        ObjectNode api = F.objectNode().put("type", "string");
        api.putArray("enum").add(apiVersion);
        props.set("apiVersion", api);
        ObjectNode kindNode = F.objectNode().put("type", "string");
        kindNode.putArray("enum").add(kind);
        props.set("kind", kindNode);
        ObjectNode metadata = F.objectNode().put("type", "object");
        metadata.putArray("required").add("name");
        props.set("metadata", metadata);
        ArrayNode required = F.arrayNode().add("apiVersion").add("kind").add("metadata");
        schema.set("required", required);
        // Status is written by the operators, never by us.
        props.remove("status");
        makeStrict(schema);
        stripKubernetesExtensions(schema);
        rawSchemas.put(apiVersion + " " + kind, schema);
        schemas.put(
                apiVersion + " " + kind,
                SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(schema));
    }

    /** {@code spec.versions[name=version].schema.openAPIV3Schema} of a CRD file on the classpath. */
    static ObjectNode crdSchema(String resource, String version) {
        JsonNode crd = readClasspathYaml(resource);
        for (JsonNode v : crd.path("spec").path("versions")) {
            if (version.equals(v.path("name").asText())) {
                return (ObjectNode) v.path("schema").path("openAPIV3Schema").deepCopy();
            }
        }
        throw new IllegalStateException(resource + " has no version " + version);
    }

    static JsonNode readClasspathYaml(String resource) {
        try (InputStream in = CrdSchemas.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("not on the test classpath: " + resource);
            }
            return DeployFiles.YAML.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Adds v2_0..v2_2 to {@code spec.flinkVersion}'s enum (the 1.10.0 CRD ends at v1_20; operator
     * 1.15.0 accepts up to v2_2). Fails if the enum is not where expected, so a CRD upgrade that
     * moves it cannot silently disable the check.
     */
    static void extendFlinkVersionEnum(ObjectNode deploymentSchema) {
        JsonNode flinkVersion = deploymentSchema
                .path("properties")
                .path("spec")
                .path("properties")
                .path("flinkVersion");
        if (!flinkVersion.path("enum").isArray()) {
            throw new IllegalStateException("FlinkDeployment CRD has no spec.flinkVersion enum");
        }
        ArrayNode values = (ArrayNode) flinkVersion.path("enum");
        for (String v : FLINK_2_VERSIONS) {
            boolean present = false;
            for (JsonNode existing : values) {
                present |= existing.asText().equals(v);
            }
            if (!present) {
                values.add(v);
            }
        }
    }

    /**
     * Injects {@code additionalProperties: false} into every object schema with {@code properties},
     * walking the schema structure (properties, items, additionalProperties, anyOf/allOf/oneOf, not)
     * rather than every JSON object, so a property that happens to be called "properties" is not
     * mistaken for a schema.
     */
    static void makeStrict(JsonNode schema) {
        if (!(schema instanceof ObjectNode node)) {
            return;
        }
        boolean preserve = node.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        if (node.path("properties").isObject() && !node.has("additionalProperties") && !preserve) {
            node.put("additionalProperties", false);
        }
        for (JsonNode property : node.path("properties")) {
            makeStrict(property);
        }
        JsonNode items = node.path("items");
        if (items.isArray()) {
            items.forEach(CrdSchemas::makeStrict);
        } else {
            makeStrict(items);
        }
        makeStrict(node.path("additionalProperties"));
        makeStrict(node.path("not"));
        for (String combinator : List.of("anyOf", "allOf", "oneOf")) {
            node.path(combinator).forEach(CrdSchemas::makeStrict);
        }
    }

    /** Removes every {@code x-kubernetes-*} keyword (after {@link #makeStrict} has read them). */
    static void stripKubernetesExtensions(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
                if (names.next().startsWith("x-kubernetes-")) {
                    names.remove();
                }
            }
            object.forEach(CrdSchemas::stripKubernetesExtensions);
        } else if (node instanceof ArrayNode array) {
            array.forEach(CrdSchemas::stripKubernetesExtensions);
        }
    }

    /** A FlowCollector that may carry only {@code spec.exporters} (the merge patch we ship). */
    private static ObjectNode flowCollectorExportersSchema() {
        JsonNode exporters = readClasspathYaml("deploy/crds/netobserv-flowcollector-v1beta2-exporters.yaml");
        ObjectNode root = F.objectNode().put("type", "object");
        ObjectNode spec = root.putObject("properties").putObject("spec").put("type", "object");
        spec.putObject("properties").set("exporters", exporters.deepCopy());
        spec.putArray("required").add("exporters");
        return root;
    }
}
