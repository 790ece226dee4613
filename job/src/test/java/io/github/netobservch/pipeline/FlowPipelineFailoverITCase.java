package io.github.netobservch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.FlowsJob;
import io.github.netobservch.config.ConfigLoader;
import io.github.netobservch.config.JobConfig;
import io.github.netobservch.generate.FlowGenerator;
import io.github.netobservch.generate.GeneratedMessage;
import io.github.netobservch.generate.GeneratorConfig;
import io.github.netobservch.generate.GroundTruth;
import io.github.netobservch.schema.Migration;
import io.github.netobservch.schema.SchemaMigrator;
import io.github.netobservch.schema.SchemaOptions;
import io.github.netobservch.sink.SinkFaultInjector;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import io.github.netobservch.testing.EmbeddedKafkaExtension;
import io.github.netobservch.testing.KafkaTestCluster;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole job fails mid-stream — after at least one checkpoint has been committed, while the
 * dedup operator holds state for flows whose two reporters straddle the checkpoint — and recovers
 * from that checkpoint: the loaded totals must equal the generator's ground truth, exactly as a
 * run without failure ({@link FlowPipelineITCase}) produces them.
 */
@ExtendWith({EmbeddedKafkaExtension.class, EmbeddedClickHouseExtension.class})
class FlowPipelineFailoverITCase {

    private static final Logger LOG = LoggerFactory.getLogger(FlowPipelineFailoverITCase.class);
    private static final int MESSAGES = 4_000;

    // The injector runs inside the MiniCluster, in this JVM: static fields survive the restart.
    private static final AtomicInteger COMMITTED_INSERTS = new AtomicInteger();
    private static final AtomicInteger WRITTEN = new AtomicInteger();
    private static final AtomicBoolean FIRED = new AtomicBoolean();
    private static final AtomicInteger MAX_ATTEMPT = new AtomicInteger();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    /** Paces the writer (so checkpoints complete mid-stream) and fails it once after a commit. */
    static final class FailAfterFirstCommit implements SinkFaultInjector {
        private static final long serialVersionUID = 1L;

        @Override
        public void at(Point point, Context context) throws Exception {
            MAX_ATTEMPT.accumulateAndGet(context.attempt(), Math::max);
            if (point == Point.AFTER_INSERT) {
                COMMITTED_INSERTS.incrementAndGet();
            } else if (point == Point.WRITER_WRITE) {
                WRITTEN.incrementAndGet();
                Thread.sleep(0, 500_000);
                if (context.attempt() == 0 && COMMITTED_INSERTS.get() >= 1 && FIRED.compareAndSet(false, true)) {
                    LOG.info("Injecting a writer failure after {} records and {} committed inserts",
                            WRITTEN.get(), COMMITTED_INSERTS.get());
                    throw new IllegalStateException("injected failure");
                }
            }
        }
    }

    @Test
    void totalsAfterAFailureAndRestoreEqualTheGroundTruth(KafkaTestCluster kafka, ClickHouseTestServer clickhouse)
            throws Exception {
        String topic = kafka.createTopic("flows-export", 3);
        String db = clickhouse.createDatabase("failover");
        new SchemaMigrator(() -> clickhouse.connect("default"),
                        SchemaOptions.defaults().withDatabase(db).withRetention(3650, 3650, 3650),
                        Migration.loadDirectory(Migration.locateSchemaDirectory(null)))
                .migrate();

        FlowGenerator generator = new FlowGenerator(GeneratorConfig.builder(11L)
                .startEpochMs(System.currentTimeMillis() - 3_600_000L)
                .invalidShare(0.02)
                .resendShare(0.03)
                .build());
        java.util.List<GeneratedMessage> produced = new java.util.ArrayList<>();
        java.util.Properties producerProps = kafka.clientProperties();
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

        JobConfig config = ConfigLoader.load(new String[] {
            "--kafka.bootstrap-servers", kafka.bootstrapServers(),
            "--kafka.topics", topic,
            "--kafka.starting-offsets", "earliest",
            "--clickhouse.url", clickhouse.httpUrl(),
            "--clickhouse.database", db,
            "--checkpoint.interval", "200 ms",
            "--sink.tolerated-outage", "1 min"
        }, Map.of());
        StreamExecutionEnvironment env = FlowsJob.environment(config);
        Configuration restarts = new Configuration();
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        env.configure(restarts);
        env.setParallelism(2);
        Duration interval = Duration.ofMillis(env.getCheckpointInterval());
        FlowPipeline.Sinks sinks = new FlowPipeline.Sinks(
                ClickHouseSinks.flows(config.clickHouse(), config.sink(), interval, 2)
                        .withFaultInjector(new FailAfterFirstCommit()),
                ClickHouseSinks.deadLetters(config.clickHouse(), config.sink(), interval, 2),
                Optional.empty());
        FlowPipeline.build(env, FlowSources.boundedKafka(config.kafka()), sinks, config.pipeline());
        env.execute("flow-pipeline-failover-it");

        assertThat(FIRED).as("the failure was injected").isTrue();
        assertThat(MAX_ATTEMPT.get()).as("the job restarted").isGreaterThanOrEqualTo(1);
        assertThat(clickhouse.queryLong(db, "SELECT count() FROM flows")).isEqualTo(truth.rows());
        assertThat(clickhouse.queryLong(db, "SELECT uniqExact(kafka_partition, kafka_offset) FROM flows"))
                .isEqualTo(truth.rows());
        assertThat(clickhouse.queryLong(db, "SELECT sum(bytes) FROM flows")).isEqualTo(truth.bytes());
        assertThat(clickhouse.queryLong(db, "SELECT sum(packets) FROM flows")).isEqualTo(truth.packets());
        assertThat(clickhouse.queryLong(db, "SELECT count() FROM flows_dlq")).isEqualTo(truth.invalid());
    }
}
