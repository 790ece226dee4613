package io.github.netobservch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The log4j configuration the Flink deployments ship ({@code spec.logConfiguration}) drops exactly
 * the "Name collision … 'pendingCommittables'" warning Flink's committer operator logs at every
 * checkpoint, and still logs every other message of that logger: loaded with log4j itself, writing
 * to its rolling file.
 */
class ShippedLogConfigTest {

    private static final String COLLISION = "Name collision: Group already contains a Metric with the name '%s'."
            + " Metric will not be reported.[flink-taskmanager, taskmanager, netobserv, clickhouse: flows: Committer, 0]";

    @ParameterizedTest
    @ValueSource(strings = {"application/flinkdeployment.yaml", "session/session-cluster.yaml"})
    void onlyThePendingCommittablesCollisionIsDropped(String manifest, @TempDir Path dir) throws Exception {
        JsonNode doc = new ObjectMapper(new YAMLFactory())
                .readTree(Path.of("..", "flink-k8s", manifest).toFile());
        String properties = doc.path("spec")
                .path("logConfiguration")
                .path("log4j-console.properties")
                .asText();
        assertThat(properties)
                .as(manifest + " ships a log4j-console.properties")
                .contains("RegexFilter");
        Path config = dir.resolve("log4j-console.properties");
        Path logFile = dir.resolve("flink.log");
        Files.writeString(config, properties.replace("${sys:log.file}", logFile.toString()));

        LoggerContext context = Configurator.initialize("shipped-" + manifest.hashCode(), null, config.toUri());
        try {
            Logger metrics = context.getLogger("org.apache.flink.metrics.MetricGroup");
            metrics.warn(String.format(COLLISION, "pendingCommittables"));
            metrics.warn(String.format(COLLISION, "numRecordsIn"));
            context.getLogger("io.github.netobservch.sink.CommitExecutor").info("Committed a batch");
        } finally {
            Configurator.shutdown(context);
        }
        List<String> lines = Files.readAllLines(logFile);
        assertThat(lines)
                .anyMatch(l -> l.contains("'numRecordsIn'"))
                .anyMatch(l -> l.contains("Committed a batch"))
                .noneMatch(l -> l.contains("'pendingCommittables'"));
    }
}
