package io.github.netobservch.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.FlowsJob;
import io.github.netobservch.config.ConfigLoader;
import io.github.netobservch.config.JobConfig;
import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.parse.ParserConfig;
import io.github.netobservch.pipeline.FlowPipeline;
import io.github.netobservch.pipeline.FlowSources;
import io.github.netobservch.schema.Migration;
import io.github.netobservch.schema.SchemaMigrator;
import io.github.netobservch.schema.SchemaOptions;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import io.github.netobservch.testing.EmbeddedKafkaExtension;
import io.github.netobservch.testing.JsonSameness;
import io.github.netobservch.testing.KafkaTestCluster;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hostile corpus through the real job: embedded Kafka (topic and producer allowing 10 MiB
 * messages), the job's KafkaSource, parse, event time, dedup and both exactly-once ClickHouse sinks
 * on a MiniCluster with parallelism 2, restarts disabled — any input-caused failure fails the job and
 * this test. Every message must end as exactly one row (its record the input's JSON, namespace byte-identical)
 * or exactly one dead letter with the manifest's reason (payload recoverable byte for byte), and the
 * schema must be unchanged afterwards (no injected DDL).
 */
@org.junit.jupiter.api.Timeout(300)
@ExtendWith({EmbeddedKafkaExtension.class, EmbeddedClickHouseExtension.class})
class HostileCorpusITCase {

    private static final Logger LOG = LoggerFactory.getLogger(HostileCorpusITCase.class);
    private static final int MAX_MESSAGE = 16 * 1024 * 1024;
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    @Test
    void everyHostileMessageBecomesItsExpectedRowOrDeadLetter(KafkaTestCluster kafka, ClickHouseTestServer clickhouse)
            throws Exception {
        List<HostileCorpus.Entry> corpus = HostileCorpus.load();
        String topic = "hostile-" + UUID.randomUUID().toString().substring(0, 8);
        createLargeMessageTopic(kafka, topic, 2);
        String db = clickhouse.createDatabase("hostile");
        new SchemaMigrator(
                        () -> clickhouse.connect("default"),
                        SchemaOptions.defaults().withDatabase(db).withRetention(3650, 3650, 3650),
                        Migration.loadDirectory(Migration.locateSchemaDirectory(null)))
                .migrate();
        List<String> tablesBefore = tables(clickhouse, db);
        assertThat(tablesBefore).contains("flows", "flows_dlq");

        // Produce, alternating partitions; remember where each entry went.
        Map<String, HostileCorpus.Entry> byCoordinates = new LinkedHashMap<>();
        Properties props = kafka.producerProperties();
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(MAX_MESSAGE));
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Integer.toString(64 * 1024 * 1024));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            int i = 0;
            for (HostileCorpus.Entry e : corpus) {
                RecordMetadata m = producer.send(new ProducerRecord<>(topic, i++ % 2, null, e.value()))
                        .get();
                byCoordinates.put(m.partition() + "|" + m.offset(), e);
            }
        }
        assertThat(byCoordinates).hasSize(corpus.size());

        JobConfig config = ConfigLoader.load(
                new String[] {
                    "--kafka.bootstrap-servers",
                    kafka.bootstrapServers(),
                    "--kafka.topics",
                    topic,
                    "--kafka.group-id",
                    "hostile-" + topic,
                    "--kafka.starting-offsets",
                    "earliest",
                    "--clickhouse.url",
                    clickhouse.httpUrl(),
                    "--clickhouse.database",
                    db,
                    "--checkpoint.interval",
                    "300 ms",
                    "--sink.tolerated-outage",
                    "1 min"
                },
                Map.of());
        assertThat(config.pipeline().parser().maxMessageBytes()).isEqualTo(ParserConfig.DEFAULT_MAX_MESSAGE_BYTES);
        StreamExecutionEnvironment env = FlowsJob.environment(config);
        Configuration noRestarts = new Configuration();
        noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        env.configure(noRestarts);
        env.setParallelism(2);
        FlowPipeline.build(
                env, FlowSources.boundedKafka(config.kafka()), FlowsJob.sinks(config, env), config.pipeline());
        long t0 = System.nanoTime();
        JobExecutionResult result = env.execute("hostile-corpus-it"); // throws if the job failed (no restarts)
        LOG.info("hostile corpus job {} finished in {} ms", result.getJobID(), (System.nanoTime() - t0) / 1_000_000);

        // What ClickHouse holds, by Kafka coordinates.
        Map<String, List<String>> rows = group(clickhouse.queryColumn(
                db,
                "SELECT concat(toString(kafka_partition), '|', toString(kafka_offset), '|', hex(record), '|', hex("
                        + ColumnRegistry.SRC_K8S_NAMESPACE.name()
                        + "), '|', toString(bytes), '|', arrayStringConcat(parse_warnings, ',')) FROM flows_record"));
        Map<String, List<String>> dead = group(clickhouse.queryColumn(
                db,
                "SELECT concat(toString(kafka_partition), '|', toString(kafka_offset), '|', reason, '|',"
                        + " toString(payload_size), '|', toString(payload_truncated), '|', payload_encoding, '|',"
                        + " hex(if(payload_encoding = 'base64', base64Decode(payload), payload)), '|', kafka_topic)"
                        + " FROM flows_dlq"));

        List<String> problems = new ArrayList<>();
        int expectedRows = 0;
        for (Map.Entry<String, HostileCorpus.Entry> c : byCoordinates.entrySet()) {
            HostileCorpus.Entry e = c.getValue();
            List<String> r = rows.getOrDefault(c.getKey(), List.of());
            List<String> d = dead.getOrDefault(c.getKey(), List.of());
            if (e.expectsRow()) {
                expectedRows++;
                if (r.size() != 1 || !d.isEmpty()) {
                    problems.add(e.name() + ": expected one row, got " + r.size() + " rows and dead letters " + d);
                    continue;
                }
                String[] f = r.get(0).split("\\|", -1);
                // the record column (raw under raw.policy whole, rebuilt under the default unmapped) is
                // the input's JSON: the same keys and values
                String record = new String(HEX.parseHex(f[2]), StandardCharsets.UTF_8);
                if (!JsonSameness.same(new String(e.value(), StandardCharsets.UTF_8), record)) {
                    problems.add(e.name() + ": the record differs from the input");
                }
                String ns = HostileCorpusParserTest.expectedNamespace(e.value());
                if (!f[3].equals(HEX.formatHex(ns.getBytes(StandardCharsets.UTF_8)))) {
                    problems.add(e.name() + ": namespace bytes " + f[3] + " != expected " + ns);
                }
                String warning = e.expectedWarning() == null ? "" : e.expectedWarning();
                if (!f[5].equals(warning)) {
                    problems.add(e.name() + ": parse_warnings '" + f[5] + "' != '" + warning + "'");
                }
                if (e.name().equals("uint64-max.json") && !f[4].equals("18446744073709551615")) {
                    problems.add(e.name() + ": bytes = " + f[4]);
                }
            } else {
                if (d.size() != 1 || !r.isEmpty()) {
                    problems.add(e.name() + ": expected one dead letter " + e.expected() + ", got " + d.size()
                            + " dead letters and " + r.size() + " rows");
                    continue;
                }
                String[] f = d.get(0).split("\\|", -1);
                int size = e.value() == null ? 0 : e.value().length;
                if (!f[2].equals(e.expected())) {
                    problems.add(e.name() + ": reason " + f[2] + " != " + e.expected());
                }
                if (!f[3].equals(Integer.toString(size))) {
                    problems.add(e.name() + ": payload_size " + f[3] + " != " + size);
                }
                boolean truncated = size > ParserConfig.DEFAULT_MAX_DEAD_LETTER_PAYLOAD_BYTES;
                if (!f[4].equals(truncated ? "true" : "false")) {
                    problems.add(e.name() + ": payload_truncated " + f[4]);
                }
                if (!truncated && e.value() != null && !f[6].equals(HEX.formatHex(e.value()))) {
                    problems.add(e.name() + ": dead-letter payload (" + f[5] + ") does not give back the input bytes");
                }
                if (truncated && !HEX.formatHex(e.value()).startsWith(f[6])) {
                    problems.add(e.name() + ": truncated payload is not a prefix of the input");
                }
                if (!f[7].equals(topic)) {
                    problems.add(e.name() + ": kafka_topic " + f[7]);
                }
            }
        }
        assertThat(problems).as("per-message outcome").isEmpty();
        assertThat(rows.values().stream().mapToInt(List::size).sum())
                .as("rows in flows")
                .isEqualTo(expectedRows);
        assertThat(dead.values().stream().mapToInt(List::size).sum())
                .as("rows in flows_dlq")
                .isEqualTo(corpus.size() - expectedRows);
        assertThat(tables(clickhouse, db))
                .as("schema unchanged: no injected DDL")
                .isEqualTo(tablesBefore);
        assertThat(clickhouse.queryColumn("default", "SELECT name FROM system.databases"))
                .contains(db);
    }

    static List<String> tables(ClickHouseTestServer clickhouse, String db) throws Exception {
        return clickhouse.queryColumn(
                "default", "SELECT name FROM system.tables WHERE database = '" + db + "' ORDER BY name");
    }

    private static Map<String, List<String>> group(List<String> lines) {
        Map<String, List<String>> out = new HashMap<>();
        for (String line : lines) {
            String[] f = line.split("\\|", 3);
            out.computeIfAbsent(f[0] + "|" + f[1], k -> new ArrayList<>()).add(line);
        }
        return out;
    }

    /** A topic whose records may be up to 16 MiB (the broker default is about 1 MiB). */
    static void createLargeMessageTopic(KafkaTestCluster kafka, String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)
                            .configs(Map.of("max.message.bytes", Integer.toString(MAX_MESSAGE)))))
                    .all()
                    .get();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (true) {
                try {
                    var d = admin.describeTopics(List.of(topic))
                            .allTopicNames()
                            .get()
                            .get(topic);
                    if (d.partitions().size() == partitions
                            && d.partitions().stream().allMatch(p -> p.leader() != null)) {
                        return;
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    // metadata not yet propagated
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topic " + topic + " not ready");
                }
                Thread.sleep(50);
            }
        }
    }
}
