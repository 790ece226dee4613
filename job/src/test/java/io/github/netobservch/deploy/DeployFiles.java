package io.github.netobservch.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Finds and parses the deployment files under {@code flink-k8s/} (multi-document YAML aware). */
final class DeployFiles {

    static final YAMLMapper YAML = new YAMLMapper();

    /** One YAML document of one file; {@code node} may be a mutated copy in negative tests. */
    record Doc(Path file, int index, ObjectNode node) {

        String apiVersion() {
            return node.path("apiVersion").asText("");
        }

        String kind() {
            return node.path("kind").asText("");
        }

        String name() {
            return node.path("metadata").path("name").asText("");
        }

        /** A copy whose tree can be changed without touching the parsed original. */
        Doc copy() {
            return new Doc(file, index, node.deepCopy());
        }

        @Override
        public String toString() {
            return repoRoot().relativize(file) + "#" + index + " (" + kind() + " " + name() + ")";
        }
    }

    private DeployFiles() {}

    /** The repository root: the first parent of the working directory holding {@code flink-k8s/}. */
    static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isDirectory(dir.resolve("flink-k8s")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("no flink-k8s/ above " + Path.of("").toAbsolutePath());
    }

    static Path flinkK8s() {
        return repoRoot().resolve("flink-k8s");
    }

    /** Grafana's own provisioning files (apiVersion 1, not Kubernetes objects): GrafanaProvisioningTest checks them. */
    static Path grafanaProvisioning() {
        return flinkK8s().resolve("grafana").resolve("provisioning");
    }

    /** Every {@code *.yaml} / {@code *.yml} Kubernetes file under {@code flink-k8s/}, sorted. */
    static List<Path> yamlFiles() {
        try (Stream<Path> files = Files.walk(flinkK8s())) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> !p.startsWith(grafanaProvisioning()))
                    .filter(p -> p.getFileName().toString().endsWith(".yaml")
                            || p.getFileName().toString().endsWith(".yml"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** All documents of all YAML files; empty documents (a trailing {@code ---}) are skipped. */
    static List<Doc> loadAll() {
        List<Doc> docs = new ArrayList<>();
        for (Path file : yamlFiles()) {
            docs.addAll(load(file));
        }
        return docs;
    }

    static List<Doc> load(Path file) {
        List<Doc> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            int index = 0;
            while (it.hasNextValue()) {
                JsonNode node = it.nextValue();
                if (node == null || node.isNull() || node.isMissingNode()) {
                    index++;
                    continue;
                }
                if (!node.isObject()) {
                    throw new IllegalStateException(file + "#" + index + " is not a YAML mapping");
                }
                docs.add(new Doc(file, index++, (ObjectNode) node));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + file, e);
        }
        return docs;
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String dockerfile() {
        return read(flinkK8s().resolve("Dockerfile"));
    }
}
