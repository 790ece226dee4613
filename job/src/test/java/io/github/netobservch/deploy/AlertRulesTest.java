package io.github.netobservch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.github.netobservch.dedup.DedupMetrics;
import io.github.netobservch.parse.FlowParseFunction;
import io.github.netobservch.testing.PromQl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Offline checks of {@code flink-k8s/monitoring/prometheusrule.yaml}: a well-formed PrometheusRule
 * (no CRD schema of the Prometheus Operator is available offline, so its structure is checked
 * field by field), balanced PromQL, valid durations, every alert documented in flink-k8s/README.md,
 * and every job metric an expression reads is one the job registers (a renamed metric would leave an
 * alert that never fires).
 */
class AlertRulesTest {

    private static final Path RULES = Path.of("..", "flink-k8s", "monitoring", "prometheusrule.yaml");
    private static final Pattern DURATION = Pattern.compile("[0-9]+(ms|s|m|h|d|w|y)");
    private static final String OPERATOR_PREFIX = "flink_taskmanager_job_task_operator_";

    /** Names of the job's own metrics, as the Prometheus reporter exposes them, from the code. */
    private static Set<String> jobMetrics() throws Exception {
        Set<String> names = new HashSet<>();
        for (String n : List.of(
                "rowsCommitted",
                "commits",
                "recommits",
                "retries",
                "commitFailures",
                "inDoubtChecks",
                "lostInsertsRepaired",
                "inDoubtUncheckable",
                "commitLatencyMs",
                "lastCommitLatencyMs",
                "batchRows",
                "batchBytes")) {
            names.add(n);
        }
        java.lang.reflect.Field f =
                Class.forName("io.github.netobservch.sink.SinkMetrics").getDeclaredField("UNREACHABLE_SECONDS");
        f.setAccessible(true);
        names.add((String) f.get(null));
        names.add(FlowParseFunction.METRIC_GROUP + "_" + FlowParseFunction.METRIC_REASON_KEY + "_"
                + FlowParseFunction.METRIC_DEAD_LETTERS);
        names.add(DedupMetrics.GROUP + "_" + DedupMetrics.KEPT);
        names.add("KafkaSourceReader_KafkaConsumer_records_lag_max"); // Flink's KafkaSource
        return names;
    }

    @Test
    void theRulesAreWellFormedDocumentedAndReadMetricsTheJobHas() throws Exception {
        JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(RULES.toFile());
        assertThat(doc.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(doc.path("kind").asText()).isEqualTo("PrometheusRule");
        assertThat(doc.path("metadata").path("name").asText()).matches("[a-z0-9-]+");
        String readme = Files.readString(Path.of("..", "flink-k8s", "README.md"));
        Set<String> jobMetrics = jobMetrics();
        List<String> alerts = new ArrayList<>();
        for (JsonNode group : doc.path("spec").path("groups")) {
            assertThat(group.path("name").asText()).isNotBlank();
            for (JsonNode rule : group.path("rules")) {
                String alert = rule.path("alert").asText();
                alerts.add(alert);
                assertThat(alert).matches("NetObserv[A-Za-z]+");
                String expr = rule.path("expr").asText();
                assertThat(PromQl.balanced(expr))
                        .as(alert + ": balanced ( ) [ ] { }")
                        .isTrue();
                if (rule.has("for")) {
                    assertThat(rule.path("for").asText()).as(alert).matches(DURATION);
                }
                Matcher ranges = Pattern.compile("\\[([^\\]]+)]").matcher(expr);
                while (ranges.find()) {
                    assertThat(ranges.group(1)).as(alert + " range").matches(DURATION);
                }
                assertThat(rule.path("labels").path("severity").asText())
                        .as(alert)
                        .isIn("critical", "warning", "info");
                assertThat(rule.path("annotations").path("summary").asText())
                        .as(alert)
                        .isNotBlank();
                assertThat(rule.path("annotations").path("description").asText())
                        .as(alert)
                        .isNotBlank();
                assertThat(rule.path("annotations").path("runbook").asText())
                        .as(alert)
                        .isEqualTo("flink-k8s/README.md#alerts");
                Matcher metric =
                        Pattern.compile(OPERATOR_PREFIX + "([A-Za-z_]+)").matcher(expr);
                while (metric.find()) {
                    assertThat(jobMetrics)
                            .as(alert + " reads a metric the job registers")
                            .contains(metric.group(1));
                }
                assertThat(readme).as("flink-k8s/README.md explains " + alert).contains("`" + alert + "`");
            }
        }
        assertThat(alerts)
                .contains("NetObservClickHouseUnreachable", "NetObservCheckpointsFailing")
                .doesNotHaveDuplicates();
    }
}
