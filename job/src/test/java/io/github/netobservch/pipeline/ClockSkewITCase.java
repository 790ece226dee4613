package io.github.netobservch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.netobservch.FlowsJob;
import io.github.netobservch.config.JobConfig;
import io.github.netobservch.format.FlowFixtures;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import io.github.netobservch.testing.EmbeddedKafkaExtension;
import io.github.netobservch.testing.KafkaTestCluster;
import java.time.Duration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One node's clock runs 10 minutes ahead. Its records claim a {@code TimeFlowEndMs} 10 minutes past
 * the moment they were written to Kafka. A flow slice R of a healthy node is loaded; then the
 * skewed node's record S; then R's exact re-send R' (an FLP retry, seconds later).
 *
 * <p>With the bound ({@code event-time.max-ahead-of-kafka}, default 1 min) S counts at most one
 * minute past its Kafka timestamp, event time stays within R's dedup window and R' is dropped.
 * Negative control: without the bound S pushes the watermark 10 minutes ahead, R's key expires at
 * once and R' is loaded as a second row.
 */
@ExtendWith({EmbeddedKafkaExtension.class, EmbeddedClickHouseExtension.class})
@Timeout(180)
class ClockSkewITCase {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long T = 1_754_040_012_873L;
    private static final long TEN_MINUTES = 600_000;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(1)
                    .build());

    @Test
    void aNodeTenMinutesAheadDoesNotExpireOtherFlowsKeys(KafkaTestCluster kafka, ClickHouseTestServer clickhouse)
            throws Exception {
        Result r = run(kafka, clickhouse, "skew");
        assertThat(r.resendLoaded).as("R' dropped as a re-send").isZero();
        assertThat(r.rows).as("R, S and the marker").isEqualTo(3);
        assertThat(r.skewedEndTime).as("the row keeps its own time").isEqualTo(T + TEN_MINUTES);
    }

    @Test
    void negativeControlWithoutTheBoundTheReSendIsLoaded(KafkaTestCluster kafka, ClickHouseTestServer clickhouse)
            throws Exception {
        Result r = run(kafka, clickhouse, "noskewbound", "--event-time.max-ahead-of-kafka", "0 s");
        assertThat(r.resendLoaded).isEqualTo(1);
        assertThat(r.rows).isEqualTo(4);
    }

    private record Result(long rows, long resendLoaded, long skewedEndTime) {}

    private Result run(KafkaTestCluster kafka, ClickHouseTestServer clickhouse, String name, String... options)
            throws Exception {
        String topic = kafka.createTopic(name, 1);
        String db = clickhouse.createDatabase(name);
        PipelineTestSupport.applySchema(clickhouse, db);
        JobConfig config = PipelineTestSupport.jobConfig(kafka, topic, clickhouse, db, "200 ms", options);
        StreamExecutionEnvironment env = FlowsJob.environment(config);
        env.setParallelism(1);
        Duration interval = Duration.ofMillis(env.getCheckpointInterval());
        FlowPipeline.Sinks sinks = new FlowPipeline.Sinks(
                ClickHouseSinks.flows(config.clickHouse(), config.sink(), interval, 1),
                ClickHouseSinks.deadLetters(config.clickHouse(), config.sink(), interval, 1));
        FlowPipeline.build(env, FlowSources.kafka(config.kafka()), sinks, config.pipeline());
        JobClient job = env.executeAsync("clock-skew-it");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(kafka.producerProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
            byte[] r = flow(44_001, "10.0.142.18", T);
            send(producer, topic, T + 2_000, r); // offset 0: R, written 2 s after its slice ended
            awaitRows(clickhouse, db, 1);
            // offset 1: S, from the node whose clock is 10 minutes ahead, written at the same moment
            send(producer, topic, T + 3_000, flow(44_002, "10.0.150.9", T + TEN_MINUTES));
            awaitRows(clickhouse, db, 2);
            Thread.sleep(1_500); // several watermark intervals: timers that can fire, fire
            send(producer, topic, T + 4_000, r); // offset 2: R', FLP's retry
            send(producer, topic, T + 5_000, flow(44_003, "10.0.142.18", T + 1_000)); // offset 3: marker
            PipelineTestSupport.await(
                    "the marker behind R' is loaded",
                    TIMEOUT,
                    () -> clickhouse.queryLong(db, "SELECT count() FROM flows WHERE kafka_offset = 3") == 1);
            return new Result(
                    clickhouse.queryLong(db, "SELECT count() FROM flows"),
                    clickhouse.queryLong(db, "SELECT count() FROM flows WHERE kafka_offset = 2"),
                    clickhouse.queryLong(
                            db, "SELECT toUnixTimestamp64Milli(time_flow_end_ms) FROM flows WHERE kafka_offset = 1"));
        } finally {
            job.cancel().get();
        }
    }

    /** example1 (an ingress report: its reporter is elected at once) as a slice of its own flow. */
    private static byte[] flow(int srcPort, String agent, long endMs) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode node = (ObjectNode) json.readTree(FlowFixtures.bytes("example1"));
        node.put("SrcPort", srcPort);
        node.put("AgentIP", agent);
        node.put("DstK8S_HostIP", agent);
        node.put("TimeFlowStartMs", endMs - 1_000);
        node.put("TimeFlowEndMs", endMs);
        return json.writeValueAsBytes(node);
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, long kafkaTimestamp, byte[] value)
            throws Exception {
        producer.send(new ProducerRecord<>(topic, 0, kafkaTimestamp, null, value))
                .get();
    }

    private static void awaitRows(ClickHouseTestServer clickhouse, String db, long rows) throws Exception {
        PipelineTestSupport.await(
                rows + " rows in flows", TIMEOUT, () -> clickhouse.queryLong(db, "SELECT count() FROM flows") >= rows);
    }
}
