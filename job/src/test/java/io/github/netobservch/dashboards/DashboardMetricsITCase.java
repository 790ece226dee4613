package io.github.netobservch.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.FlowsJob;
import io.github.netobservch.config.JobConfig;
import io.github.netobservch.generate.FlowGenerator;
import io.github.netobservch.generate.GeneratorConfig;
import io.github.netobservch.pipeline.FlowPipeline;
import io.github.netobservch.pipeline.FlowSources;
import io.github.netobservch.pipeline.PipelineTestSupport;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import io.github.netobservch.testing.EmbeddedKafkaExtension;
import io.github.netobservch.testing.KafkaTestCluster;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The pipeline-health dashboard reads metrics the job really exposes: the job runs on a MiniCluster
 * (parallelism 2, embedded Kafka and ClickHouse) with Flink's Prometheus reporter configured as in
 * flink-k8s/application/flinkdeployment.yaml, and the scrape of its endpoint must hold every metric
 * name every PromQL query and variable of the dashboards reads, with every label they select or
 * group by. A renamed metric or label would leave a panel empty without an error in Grafana.
 */
@org.junit.jupiter.api.Timeout(300)
@ExtendWith({EmbeddedKafkaExtension.class, EmbeddedClickHouseExtension.class})
class DashboardMetricsITCase {

    private static final int PORT = freePort();
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? \\S+$");
    private static final Pattern LABEL_NAME = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");
    private static final Pattern SELECTOR = Pattern.compile("(flink_[a-zA-Z0-9_]+)(\\{[^}]*})?");
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without)\\s*\\(([^)]*)\\)");
    private static final Pattern LABEL_VALUES =
            Pattern.compile("label_values\\((flink_[a-zA-Z0-9_]+)\\s*,\\s*(\\w+)\\)");

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .setConfiguration(prometheusReporter())
                    .build());

    private static Configuration prometheusReporter() {
        Configuration conf = new Configuration();
        conf.setString(
                "metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        conf.setString("metrics.reporter.prom.port", Integer.toString(PORT));
        return conf;
    }

    @Test
    void everyMetricAndLabelTheDashboardsReadIsExposedByTheRunningJob(
            KafkaTestCluster kafka, ClickHouseTestServer clickhouse) throws Exception {
        String topic = kafka.createTopic("flows-export", 2);
        String db = clickhouse.createDatabase("metrics");
        PipelineTestSupport.applySchema(clickhouse, db);
        FlowGenerator generator = new FlowGenerator(GeneratorConfig.builder(5L)
                .startEpochMs(System.currentTimeMillis() - 600_000L)
                .invalidShare(0.05)
                .build());
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(kafka.producerProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 500; i++) {
                producer.send(new ProducerRecord<>(topic, generator.next().value()));
            }
        }
        JobConfig config = PipelineTestSupport.jobConfig(kafka, topic, clickhouse, db, "300 ms");
        StreamExecutionEnvironment env = FlowsJob.environment(config);
        env.setParallelism(2);
        FlowPipeline.build(env, FlowSources.kafka(config.kafka()), FlowsJob.sinks(config, env), config.pipeline());
        JobClient job = env.executeAsync("netobserv-clickhouse");
        Map<String, Set<String>> scraped;
        try {
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (clickhouse.queryLong(db, "SELECT count() FROM flows") == 0
                    || clickhouse.queryLong(db, "SELECT count() FROM flows_dlq") == 0) {
                assertThat(System.nanoTime())
                        .as("rows committed within 2 minutes")
                        .isLessThan(deadline);
                Thread.sleep(200);
            }
            Thread.sleep(2_000); // a few more checkpoints and commits: latency histograms and Kafka consumer metrics
            scraped = scrape();
        } finally {
            job.cancel().get();
        }

        List<String> problems = new ArrayList<>();
        int read = 0;
        for (Dashboards.Dashboard d : Dashboards.load()) {
            for (Dashboards.Target t : Dashboards.targets(List.of(d))) {
                if (!t.clickHouse()) {
                    problems.addAll(check(t.toString(), t.promql(), scraped));
                    read++;
                }
            }
            for (var v : d.variables()) {
                String q = v.path("definition").asText();
                Matcher m = LABEL_VALUES.matcher(q);
                while (m.find()) {
                    read++;
                    if (!scraped.containsKey(m.group(1))
                            || !scraped.get(m.group(1)).contains(m.group(2))) {
                        problems.add(
                                d + ": $" + v.path("name").asText() + " reads " + m.group(1) + " by " + m.group(2));
                    }
                }
            }
        }
        assertThat(read).isGreaterThanOrEqualTo(15);
        assertThat(problems)
                .as("scraped metrics:\n" + String.join("\n", new java.util.TreeSet<>(scraped.keySet())))
                .isEmpty();

        // negative controls: a misspelt metric and a label the metric does not have are reported
        assertThat(check("typo", "sum(rate(flink_taskmanager_job_task_operator_rowsComitted[1m]))", scraped))
                .hasSize(1);
        assertThat(check(
                        "label",
                        "sum by (reasons) (flink_taskmanager_job_task_operator_flowParse_reason_deadLetters)",
                        scraped))
                .hasSize(1);
    }

    /** Problems of one PromQL expression against the scrape: unknown metrics, labels they lack. */
    static List<String> check(String where, String expr, Map<String, Set<String>> scraped) {
        List<String> problems = new ArrayList<>();
        Set<String> metrics = new HashSet<>();
        Matcher m = SELECTOR.matcher(expr);
        while (m.find()) {
            String metric = m.group(1);
            metrics.add(metric);
            if (!scraped.containsKey(metric)) {
                problems.add(where + ": no metric " + metric);
                continue;
            }
            if (m.group(2) != null) {
                Matcher l = LABEL_NAME.matcher(m.group(2).replaceAll("=~", "=").replaceAll("!=", "="));
                while (l.find()) {
                    if (!scraped.get(metric).contains(l.group(1))) {
                        problems.add(where + ": " + metric + " has no label " + l.group(1));
                    }
                }
            }
        }
        Matcher g = GROUPING.matcher(expr);
        while (g.find()) {
            for (String label : g.group(1).split(",")) {
                String name = label.trim();
                if (!name.isEmpty()
                        && metrics.stream().filter(scraped::containsKey).noneMatch(x -> scraped.get(x)
                                .contains(name))) {
                    problems.add(where + ": no metric of the expression has the label " + name);
                }
            }
        }
        return problems;
    }

    /** Metric name → label names, from the reporter's text exposition. */
    private static Map<String, Set<String>> scrape() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        Map<String, Set<String>> out = new HashMap<>();
        for (String line : r.body().split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.matches()) {
                continue;
            }
            Set<String> labels = out.computeIfAbsent(m.group(1), k -> new HashSet<>());
            if (m.group(2) != null) {
                Matcher l = LABEL_NAME.matcher(m.group(2));
                while (l.find()) {
                    labels.add(l.group(1));
                }
            }
        }
        return out;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
