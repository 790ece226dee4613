package io.github.netobservch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.FlowsJob;
import io.github.netobservch.config.ConfigLoader;
import io.github.netobservch.config.JobConfig;
import io.github.netobservch.generate.FlowGenerator;
import io.github.netobservch.generate.GeneratedMessage;
import io.github.netobservch.generate.GeneratorConfig;
import io.github.netobservch.generate.GroundTruth;
import io.github.netobservch.parse.DeadLetterReason;
import io.github.netobservch.schema.Migration;
import io.github.netobservch.schema.SchemaMigrator;
import io.github.netobservch.schema.SchemaOptions;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import io.github.netobservch.testing.EmbeddedKafkaExtension;
import io.github.netobservch.testing.KafkaTestCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole job as {@code main} wires it — real KafkaSource, parse, event time, reporter-election
 * dedup, the exactly-once ClickHouse sinks for flows and dead letters — on a MiniCluster with
 * parallelism 2 against the embedded Kafka broker and ClickHouse with the project's schema. The
 * loaded tables must equal the generator's ground truth exactly: one row per counted flow slice,
 * byte and packet sums, one dead-letter row per invalid message with its reason, and rollups that
 * agree with the raw table.
 */
@org.junit.jupiter.api.Timeout(300)
@ExtendWith({EmbeddedKafkaExtension.class, EmbeddedClickHouseExtension.class})
class FlowPipelineITCase {

    private static final int MESSAGES = 4_000;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    @Test
    void loadsExactlyTheCountedFlowsAndEveryDeadLetter(KafkaTestCluster kafka, ClickHouseTestServer clickhouse)
            throws Exception {
        String topic = kafka.createTopic("flows-export", 3);
        String db = clickhouse.createDatabase("pipeline");
        String dlqTopic = kafka.createTopic("flows-dlq", 1);
        new SchemaMigrator(
                        () -> clickhouse.connect("default"),
                        SchemaOptions.defaults().withDatabase(db).withRetention(3650, 3650, 3650),
                        Migration.loadDirectory(Migration.locateSchemaDirectory(null)))
                .migrate();

        // Ground truth while producing: what must be counted, and which messages are invalid.
        FlowGenerator generator = new FlowGenerator(GeneratorConfig.builder(7L)
                .startEpochMs(System.currentTimeMillis() - 3_600_000L)
                .invalidShare(0.03)
                .resendShare(0.03)
                .legacyShare(0.05)
                .duplicateFlagShare(0.5)
                .build());
        List<GeneratedMessage> produced = new ArrayList<>();
        java.util.Properties producerProps = kafka.producerProperties();
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        producerProps.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(4 << 20));
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < MESSAGES; i++) {
                GeneratedMessage m = generator.next();
                producer.send(new ProducerRecord<>(topic, m.value()));
                produced.add(m);
            }
        }
        GroundTruth truth = GroundTruth.of(produced);
        long countedRows = truth.rows();
        long countedBytes = truth.bytes();
        long countedPackets = truth.packets();
        Map<String, Long> expectedReasons = new TreeMap<>();
        truth.deadLetters().forEach((reason, n) -> expectedReasons.put(reason.name(), n));
        assertThat(countedRows)
                .isLessThan(MESSAGES
                        - expectedReasons.values().stream()
                                .mapToLong(Long::longValue)
                                .sum())
                .as("the input holds copies the job must drop");

        JobConfig config = ConfigLoader.load(
                new String[] {
                    "--kafka.bootstrap-servers",
                    kafka.bootstrapServers(),
                    "--kafka.topics",
                    topic,
                    "--kafka.group-id",
                    "it-" + topic,
                    "--kafka.starting-offsets",
                    "earliest",
                    "--clickhouse.url",
                    clickhouse.httpUrl(),
                    "--clickhouse.database",
                    db,
                    "--checkpoint.interval",
                    "300 ms",
                    "--sink.tolerated-outage",
                    "1 min",
                    "--dlq.kafka-topic",
                    dlqTopic
                },
                Map.of());
        StreamExecutionEnvironment env = FlowsJob.environment(config);
        env.setParallelism(2);
        FlowPipeline.build(
                env, FlowSources.boundedKafka(config.kafka()), FlowsJob.sinks(config, env), config.pipeline());
        env.execute("flow-pipeline-it");

        assertThat(clickhouse.queryLong(db, "SELECT count() FROM flows")).isEqualTo(countedRows);
        assertThat(clickhouse.queryLong(db, "SELECT uniqExact(kafka_partition, kafka_offset) FROM flows"))
                .as("no Kafka message loaded twice")
                .isEqualTo(countedRows);
        assertThat(clickhouse.queryLong(db, "SELECT sum(bytes) FROM flows")).isEqualTo(countedBytes);
        assertThat(clickhouse.queryLong(db, "SELECT sum(packets) FROM flows")).isEqualTo(countedPackets);
        assertThat(clickhouse.queryLong(db, "SELECT countIf(duplicate) FROM flows"))
                .isZero();

        List<String> reasons = clickhouse.queryColumn(
                db, "SELECT concat(reason, '=', toString(count())) FROM flows_dlq GROUP BY reason ORDER BY reason");
        List<String> expected = new ArrayList<>();
        expectedReasons.forEach((reason, n) -> expected.add(reason + "=" + n));
        assertThat(reasons).isEqualTo(expected);
        assertThat(clickhouse.queryLong(db, "SELECT countIf(kafka_topic != '" + topic + "') FROM flows_dlq"))
                .isZero();
        assertThat(expectedReasons).isNotEmpty();
        assertThat(expectedReasons.keySet())
                .isSubsetOf(java.util.Arrays.stream(DeadLetterReason.values())
                        .map(DeadLetterReason::code)
                        .toList());

        // The optional dead-letter topic got the same dead letters, as JSON (no failure: exactly once).
        Map<String, Long> topicReasons = new TreeMap<>();
        java.util.Properties consumerProps = kafka.clientProperties();
        consumerProps.put("group.id", "dlq-check-" + dlqTopic);
        consumerProps.put("auto.offset.reset", "earliest");
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> consumer =
                new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                        consumerProps,
                        new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                        new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.subscribe(List.of(dlqTopic));
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
            long seen = 0;
            while (seen < truth.invalid() && System.nanoTime() < deadline) {
                for (var record : consumer.poll(java.time.Duration.ofMillis(200))) {
                    var node = json.readTree(record.value());
                    assertThat(node.get("kafka_topic").asText()).isEqualTo(topic);
                    topicReasons.merge(node.get("reason").asText(), 1L, Long::sum);
                    seen++;
                }
            }
        }
        assertThat(topicReasons).isEqualTo(expectedReasons);

        // The namespace rollup, fed by a materialized view, agrees with the raw table.
        assertThat(clickhouse.queryLong(
                        db, "SELECT sum(bytes) FROM flows WHERE record_type = 'flowLog' AND NOT duplicate"))
                .isEqualTo(clickhouse.queryLong(db, "SELECT sum(bytes) FROM rollup_namespace_1m"));
    }
}
