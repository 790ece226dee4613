package io.github.netobservch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.netobservch.FlowsJob;
import io.github.netobservch.config.JobConfig;
import io.github.netobservch.format.FlowFixtures;
import io.github.netobservch.testing.Checkpoints;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import io.github.netobservch.testing.EmbeddedKafkaExtension;
import io.github.netobservch.testing.KafkaTestCluster;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsResult;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Starting the job without state, as a redeploy after lost checkpoints does (documented in
 * flink-k8s/README.md, "Starting without state"). After 50 rows are loaded, ClickHouse stops
 * answering (a proxy in front of it swallows requests) and 30 more records are produced: the next
 * checkpoint that carries some of them completes, the KafkaSource commits the consumer group's offset
 * past what it had read, and that checkpoint's commit hangs — its rows never reach ClickHouse before
 * the job is gone. (Whether all 30 records fall before that checkpoint's barrier is up to timing;
 * the committed offset the first job leaves says how many did.)
 *
 * <p>Started from that committed offset, the new job skips exactly the records below it that were
 * not loaded. Started instead from a timestamp before the newest row ClickHouse holds (the documented
 * query), nothing is lost and the rows after that time are loaded twice, a count a query can see by
 * Kafka coordinates.
 */
@ExtendWith({EmbeddedKafkaExtension.class, EmbeddedClickHouseExtension.class})
@Timeout(240)
class StatelessStartITCase {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    private static byte[] flow(int srcPort) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode node = (ObjectNode) json.readTree(FlowFixtures.bytes("example1"));
        long end = System.currentTimeMillis() - 5_000;
        node.put("SrcPort", srcPort);
        node.put("TimeFlowStartMs", end - 1_000);
        node.put("TimeFlowEndMs", end);
        return json.writeValueAsBytes(node);
    }

    private static void produce(KafkaTestCluster kafka, String topic, int fromPort, int count) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(kafka.producerProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int p = fromPort; p < fromPort + count; p++) {
                producer.send(new ProducerRecord<>(topic, 0, null, flow(p))).get();
            }
        }
    }

    /** The real pipeline writing through {@code clickhouseUrl}. */
    private static JobClient start(
            KafkaTestCluster kafka,
            String clickhouseUrl,
            String topic,
            String db,
            String startingOffsets,
            String checkpointInterval)
            throws Exception {
        JobConfig config = io.github.netobservch.config.ConfigLoader.load(
                new String[] {
                    "--kafka.bootstrap-servers",
                    kafka.bootstrapServers(),
                    "--kafka.topics",
                    topic,
                    "--kafka.group-id",
                    "stateless-" + topic,
                    "--kafka.starting-offsets",
                    startingOffsets,
                    "--clickhouse.url",
                    clickhouseUrl,
                    "--clickhouse.database",
                    db,
                    "--checkpoint.interval",
                    checkpointInterval,
                    "--sink.tolerated-outage",
                    "5 min"
                },
                Map.of());
        StreamExecutionEnvironment env = FlowsJob.environment(config);
        env.setParallelism(1);
        Duration interval = Duration.ofMillis(env.getCheckpointInterval());
        FlowPipeline.Sinks sinks = new FlowPipeline.Sinks(
                ClickHouseSinks.flows(config.clickHouse(), config.sink(), interval, 1),
                ClickHouseSinks.deadLetters(config.clickHouse(), config.sink(), interval, 1));
        FlowPipeline.build(env, FlowSources.kafka(config.kafka()), sinks, config.pipeline());
        return env.executeAsync("stateless-start-it");
    }

    private static long committedOffset(KafkaTestCluster kafka, String topic) throws Exception {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            ListConsumerGroupOffsetsResult r = admin.listConsumerGroupOffsets("stateless-" + topic);
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    r.partitionsToOffsetAndMetadata().get();
            OffsetAndMetadata o = offsets.get(new TopicPartition(topic, 0));
            return o == null ? -1 : o.offset();
        }
    }

    /** What the second job left in ClickHouse, and the offset the first one committed. */
    private record Outcome(long rows, long distinctOffsets, long outageRows, long committedByFirst) {}

    /** 50 records loaded; ClickHouse held; 30 read, checkpointed, their commit hangs; job gone without state; 20 more. */
    private Outcome run(
            KafkaTestCluster kafka, ClickHouseTestServer clickhouse, MiniCluster miniCluster, boolean fromTimestamp)
            throws Exception {
        String topic = kafka.createTopic("stateless", 1);
        String db = clickhouse.createDatabase("stateless");
        PipelineTestSupport.applySchema(clickhouse, db);
        long committedByFirst;
        try (HoldingProxy proxy =
                new HoldingProxy(java.net.URI.create(clickhouse.httpUrl()).getPort())) {
            // long checkpoints, so the 30 records wait in the sink for the checkpoint after them
            JobClient first = start(kafka, proxy.url(), topic, db, "committed", "3 s");
            try {
                produce(kafka, topic, 1, 50);
                PipelineTestSupport.await(
                        "50 rows", TIMEOUT, () -> clickhouse.queryLong(db, "SELECT count() FROM flows") == 50);
                // The reply to that INSERT must pass the proxy before it holds: the row count is visible
                // before the reply is through. A checkpoint completes only once the committer's task has
                // finished the commit before it; two, as the statistics may not count the latest yet.
                Checkpoints.awaitMore(miniCluster, first.getJobID(), 2, TIMEOUT);
                // Held before the 30 are produced, so none of them can be loaded by a checkpoint that
                // completed just before. Checkpoints without rows send nothing to ClickHouse.
                proxy.hold();
                produce(kafka, topic, 51, 30);
                PipelineTestSupport.await(
                        "group offset past the 50 loaded records", TIMEOUT, () -> committedOffset(kafka, topic) > 50);
            } finally {
                first.cancel().get();
            }
            // No checkpoint completes after the one whose commit hangs (the committer's task is busy
            // with it), and none at all once the job is gone: this is the offset the next job reads.
            committedByFirst = committedOffset(kafka, topic);
            assertThat(clickhouse.queryLong(db, "SELECT count() FROM flows"))
                    .as("their commit hangs")
                    .isEqualTo(50);
        }
        long newestLoaded = clickhouse.queryLong(db, "SELECT toUnixTimestamp64Milli(max(kafka_timestamp)) FROM flows");
        String from = fromTimestamp ? "timestamp:" + (newestLoaded - 2_000) : "committed";
        JobClient second = start(kafka, clickhouse.httpUrl(), topic, db, from, "300 ms");
        try {
            produce(kafka, topic, 81, 20);
            PipelineTestSupport.await(
                    "the last record loaded",
                    TIMEOUT,
                    () -> clickhouse.queryLong(db, "SELECT count() FROM flows WHERE src_port = 100") >= 1);
            // a few more checkpoints: nothing else is on its way
            Checkpoints.awaitMore(miniCluster, second.getJobID(), 3, TIMEOUT);
            return new Outcome(
                    clickhouse.queryLong(db, "SELECT count() FROM flows"),
                    clickhouse.queryLong(db, "SELECT uniqExact(kafka_offset) FROM flows"),
                    clickhouse.queryLong(db, "SELECT count() FROM flows WHERE src_port BETWEEN 51 AND 80"),
                    committedByFirst);
        } finally {
            second.cancel().get();
        }
    }

    /** A TCP proxy that forwards until {@link #hold()}, then swallows every byte: a server that stopped answering. */
    static final class HoldingProxy implements AutoCloseable {
        private final java.net.ServerSocket server;
        private final int backend;
        private volatile boolean holding;
        private final java.util.List<java.net.Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();

        HoldingProxy(int backend) throws java.io.IOException {
            this.backend = backend;
            this.server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            Thread t = new Thread(this::accept, "holding-proxy");
            t.setDaemon(true);
            t.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getLocalPort();
        }

        void hold() {
            holding = true;
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    java.net.Socket client = server.accept();
                    sockets.add(client);
                    if (holding) {
                        pump(client, null);
                        continue;
                    }
                    java.net.Socket to = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), backend);
                    sockets.add(to);
                    pump(client, to);
                    pump(to, client);
                } catch (java.io.IOException e) {
                    return;
                }
            }
        }

        private void pump(java.net.Socket from, java.net.Socket to) {
            Thread t = new Thread(
                    () -> {
                        byte[] buf = new byte[8192];
                        try {
                            java.io.InputStream in = from.getInputStream();
                            int n;
                            while ((n = in.read(buf)) >= 0) {
                                if (!holding && to != null) {
                                    to.getOutputStream().write(buf, 0, n);
                                    to.getOutputStream().flush();
                                }
                            }
                        } catch (java.io.IOException e) {
                            // closed
                        }
                    },
                    "holding-proxy-pump");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws java.io.IOException {
            server.close();
            for (java.net.Socket s : sockets) {
                s.close();
            }
        }
    }

    @Test
    void fromCommittedOffsetsTheRecordsOfThePendingCommitAreLost(
            KafkaTestCluster kafka, ClickHouseTestServer clickhouse, @InjectMiniCluster MiniCluster miniCluster)
            throws Exception {
        Outcome o = run(kafka, clickhouse, miniCluster, false);
        long lost = o.committedByFirst - 50;
        assertThat(lost)
                .as("records read before the barrier of the checkpoint whose commit hangs")
                .isBetween(1L, 30L);
        assertThat(o.outageRows)
                .as("of the 30 records read while ClickHouse was down, those past the committed offset")
                .isEqualTo(30 - lost);
        assertThat(o.rows).isEqualTo(100 - lost);
        assertThat(o.distinctOffsets).isEqualTo(100 - lost);
    }

    /** The other way: from a timestamp before the newest loaded row nothing is lost; some rows load twice. */
    @Test
    void fromATimestampNothingIsLostAndTheOverlapLoadsTwice(
            KafkaTestCluster kafka, ClickHouseTestServer clickhouse, @InjectMiniCluster MiniCluster miniCluster)
            throws Exception {
        Outcome o = run(kafka, clickhouse, miniCluster, true);
        assertThat(o.outageRows).isEqualTo(30);
        assertThat(o.distinctOffsets).as("every produced record").isEqualTo(100);
        assertThat(o.rows).as("the overlap twice").isGreaterThan(100);
    }
}
