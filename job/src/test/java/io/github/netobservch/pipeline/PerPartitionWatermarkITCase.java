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
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One source subtask reads two partitions, one of them far ahead in event time (as in a catch-up
 * after an outage, when partitions are read unevenly). A flow slice R is in the slow partition; its
 * exact re-send R' follows there after the fast partition has delivered a record 300 s later.
 *
 * <p>With watermarks per partition (the pipeline: timestamps assigned in the KafkaSource) event time
 * stays at the slow partition's pace, R's dedup key is still alive and R' is dropped. Negative
 * control: the same job, from the same builder, with the watermark assigned after parsing (one per
 * subtask, as before: {@code FlowPipeline.build(…, false)}) lets
 * the fast partition push event time past R's window; the key expires and R' is loaded as a second
 * row.
 */
@org.junit.jupiter.api.Timeout(300)
@ExtendWith({EmbeddedKafkaExtension.class, EmbeddedClickHouseExtension.class})
class PerPartitionWatermarkITCase {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long T = 1_754_040_012_873L;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(1)
                    .build());

    @Test
    void aPartitionReadAheadDoesNotExpireTheSlowPartitionsKeys(KafkaTestCluster kafka, ClickHouseTestServer clickhouse)
            throws Exception {
        Result result = run(kafka, clickhouse, false);
        assertThat(result.rows)
                .as("R, the far-ahead record and the marker; R' dropped")
                .isEqualTo(3);
        assertThat(result.resendLoaded).isZero();
    }

    @Test
    void negativeControlOneWatermarkPerSubtaskLoadsTheReSend(KafkaTestCluster kafka, ClickHouseTestServer clickhouse)
            throws Exception {
        Result result = run(kafka, clickhouse, true);
        assertThat(result.rows).isEqualTo(4);
        assertThat(result.resendLoaded).isEqualTo(1);
    }

    private record Result(long rows, long resendLoaded) {}

    private Result run(KafkaTestCluster kafka, ClickHouseTestServer clickhouse, boolean watermarkAfterParse)
            throws Exception {
        String topic = kafka.createTopic("watermarks", 2);
        String db = clickhouse.createDatabase("watermarks");
        PipelineTestSupport.applySchema(clickhouse, db);
        JobConfig config = PipelineTestSupport.jobConfig(kafka, topic, clickhouse, db, "200 ms");
        StreamExecutionEnvironment env = FlowsJob.environment(config);
        env.setParallelism(1);
        Duration interval = Duration.ofMillis(env.getCheckpointInterval());
        FlowPipeline.Sinks sinks = new FlowPipeline.Sinks(
                ClickHouseSinks.flows(config.clickHouse(), config.sink(), interval, 1),
                ClickHouseSinks.deadLetters(config.clickHouse(), config.sink(), interval, 1));
        FlowPipeline.build(env, FlowSources.kafka(config.kafka()), sinks, config.pipeline(), !watermarkAfterParse);
        JobClient job = env.executeAsync("per-partition-watermark-it");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(kafka.producerProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
            byte[] r = flow(43_001, T);
            send(producer, topic, 1, r); // partition 1, offset 0
            awaitRows(clickhouse, db, 1);
            send(producer, topic, 0, flow(43_002, T + 300_000)); // the fast partition
            awaitRows(clickhouse, db, 2);
            Thread.sleep(1_500); // several watermark intervals: timers that can fire, fire
            send(producer, topic, 1, r); // R', partition 1, offset 1
            send(producer, topic, 1, flow(43_003, T + 1_000)); // marker, partition 1, offset 2
            PipelineTestSupport.await(
                    "the marker behind R' is loaded",
                    TIMEOUT,
                    () -> clickhouse.queryLong(
                                    db, "SELECT count() FROM flows WHERE kafka_partition = 1 AND kafka_offset = 2")
                            == 1);
            return new Result(
                    clickhouse.queryLong(db, "SELECT count() FROM flows"),
                    clickhouse.queryLong(
                            db, "SELECT count() FROM flows WHERE kafka_partition = 1 AND kafka_offset = 1"));
        } finally {
            job.cancel().get();
        }
    }

    /** example1 (an ingress report: its reporter is elected at once) as a slice of its own flow. */
    private static byte[] flow(int srcPort, long endMs) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode node = (ObjectNode) json.readTree(FlowFixtures.bytes("example1"));
        node.put("SrcPort", srcPort);
        node.put("TimeFlowStartMs", endMs - 1_000);
        node.put("TimeFlowEndMs", endMs);
        return json.writeValueAsBytes(node);
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, int partition, byte[] value)
            throws Exception {
        producer.send(new ProducerRecord<>(topic, partition, null, value)).get();
    }

    private static void awaitRows(ClickHouseTestServer clickhouse, String db, long rows) throws Exception {
        PipelineTestSupport.await(
                rows + " rows in flows", TIMEOUT, () -> clickhouse.queryLong(db, "SELECT count() FROM flows") >= rows);
    }
}
