package io.github.netobservch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.FlowsJob;
import io.github.netobservch.config.JobConfig;
import io.github.netobservch.generate.GeneratorConfig;
import io.github.netobservch.generate.GroundTruth;
import io.github.netobservch.sink.SinkFaultInjector;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import io.github.netobservch.testing.EmbeddedKafkaExtension;
import io.github.netobservch.testing.KafkaTestCluster;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
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
@org.junit.jupiter.api.Timeout(300)
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
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
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
                    LOG.info(
                            "Injecting a writer failure after {} records and {} committed inserts",
                            WRITTEN.get(),
                            COMMITTED_INSERTS.get());
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
        PipelineTestSupport.applySchema(clickhouse, db);
        GroundTruth truth = GroundTruth.of(PipelineTestSupport.produce(
                kafka,
                topic,
                GeneratorConfig.builder(11L)
                        .startEpochMs(System.currentTimeMillis() - 3_600_000L)
                        .invalidShare(0.02)
                        .resendShare(0.03)
                        .build(),
                MESSAGES));

        JobConfig config = PipelineTestSupport.jobConfig(kafka, topic, clickhouse, db, "200 ms");
        StreamExecutionEnvironment env = FlowsJob.environment(config);
        PipelineTestSupport.fixedDelayRestarts(env, 3, Duration.ofMillis(200));
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
        PipelineTestSupport.assertExactTotals(clickhouse, db, truth);
    }
}
