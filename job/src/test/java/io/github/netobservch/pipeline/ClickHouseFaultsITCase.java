package io.github.netobservch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.FlowsJob;
import io.github.netobservch.config.JobConfig;
import io.github.netobservch.generate.GeneratorConfig;
import io.github.netobservch.generate.GroundTruth;
import io.github.netobservch.local.EmbeddedClickHouse;
import io.github.netobservch.sink.SinkFaultInjector;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import io.github.netobservch.testing.EmbeddedKafkaExtension;
import io.github.netobservch.testing.KafkaTestCluster;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ClickHouse faults during load, with the whole job: the server gone for 60 seconds, and the
 * target table's schema broken while the job runs. The job backs off, fails over, keeps its
 * committables, catches up when ClickHouse is back, and the loaded totals are exact.
 */
@org.junit.jupiter.api.Timeout(600)
@ExtendWith({EmbeddedKafkaExtension.class, EmbeddedClickHouseExtension.class})
class ClickHouseFaultsITCase {

    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseFaultsITCase.class);
    private static final int MESSAGES = 4_000;

    // Shared with the injector, which runs inside the MiniCluster in this JVM.
    private static final AtomicInteger COMMITS = new AtomicInteger();
    private static final AtomicInteger FAILED_COMMITS = new AtomicInteger();
    private static final AtomicInteger MAX_ATTEMPT = new AtomicInteger();
    private static final AtomicBoolean FIRED = new AtomicBoolean();
    private static final AtomicReference<Runnable> ON_FIRST_COMMIT = new AtomicReference<>();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    /** Paces the writers and runs the test's fault once, right after the first committed INSERT. */
    static final class FaultAfterFirstCommit implements SinkFaultInjector {
        private static final long serialVersionUID = 1L;

        @Override
        public void at(Point point, Context context) throws Exception {
            MAX_ATTEMPT.accumulateAndGet(context.attempt(), Math::max);
            if (point == Point.WRITER_WRITE) {
                Thread.sleep(1);
            } else if (point == Point.BEFORE_INSERT && FIRED.get()) {
                FAILED_COMMITS.incrementAndGet(); // counts attempts after the fault (some fail)
            } else if (point == Point.AFTER_INSERT) {
                COMMITS.incrementAndGet();
                if (FIRED.compareAndSet(false, true)) {
                    ON_FIRST_COMMIT.get().run();
                }
            }
        }
    }

    private String topic;
    private String db;
    private GroundTruth truth;

    @BeforeEach
    void produce(KafkaTestCluster kafka, ClickHouseTestServer clickhouse) throws Exception {
        COMMITS.set(0);
        FAILED_COMMITS.set(0);
        MAX_ATTEMPT.set(0);
        FIRED.set(false);
        topic = kafka.createTopic("flows-export", 2);
        db = clickhouse.createDatabase("faults");
        PipelineTestSupport.applySchema(clickhouse, db);
        truth = GroundTruth.of(PipelineTestSupport.produce(
                kafka,
                topic,
                GeneratorConfig.builder(5L)
                        .startEpochMs(System.currentTimeMillis() - 3_600_000L)
                        .invalidShare(0.02)
                        .build(),
                MESSAGES));
    }

    @Test
    void clickHouseDownForSixtySecondsDuringLoadLosesAndDoublesNothing(
            KafkaTestCluster kafka, ClickHouseTestServer clickhouse) throws Exception {
        EmbeddedClickHouse server = clickhouse.embedded();
        ON_FIRST_COMMIT.set(() -> {
            LOG.info("Killing ClickHouse for 60 s after the first committed INSERT");
            server.kill();
            Thread restarter = new Thread(
                    () -> {
                        try {
                            Thread.sleep(60_000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        LOG.info("Restarting ClickHouse");
                        server.restart();
                    },
                    "clickhouse-restarter");
            restarter.setDaemon(true);
            restarter.start();
        });
        runJob(kafka, clickhouse);

        assertThat(FIRED).isTrue();
        // Commits back off and retry (the committer blocks, back-pressuring the pipeline) or the job
        // fails over once the retries run out; either way INSERTs were attempted during the outage.
        assertThat(FAILED_COMMITS.get()).as("INSERT attempts after the kill").isPositive();
        // flows exactly; the rollups not: see PipelineTestSupport.assertExactTotals
        PipelineTestSupport.assertExactTotals(clickhouse, db, truth, false);
    }

    @Test
    void aSchemaBrokenDuringTheRunFailsTheJobUntilFixedThenRecoversWithoutLoss(
            KafkaTestCluster kafka, ClickHouseTestServer clickhouse) throws Exception {
        ON_FIRST_COMMIT.set(() -> {
            try {
                LOG.info("Renaming flows.bytes: every INSERT now fails with a permanent error");
                clickhouse.execute(db, "ALTER TABLE flows RENAME COLUMN bytes TO bytes_renamed");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            Thread fixer = new Thread(
                    () -> {
                        try {
                            Thread.sleep(5_000);
                            LOG.info("Fixing the schema");
                            clickhouse.execute(db, "ALTER TABLE flows RENAME COLUMN bytes_renamed TO bytes");
                        } catch (Exception e) {
                            LOG.error("could not fix the schema", e);
                        }
                    },
                    "schema-fixer");
            fixer.setDaemon(true);
            fixer.start();
        });
        runJob(kafka, clickhouse);

        assertThat(FIRED).isTrue();
        assertThat(MAX_ATTEMPT.get()).as("the permanent error failed the job").isGreaterThanOrEqualTo(1);
        assertExactTotals(clickhouse);
    }

    private void runJob(KafkaTestCluster kafka, ClickHouseTestServer clickhouse) throws Exception {
        JobConfig config = PipelineTestSupport.jobConfig(kafka, topic, clickhouse, db, "300 ms");
        StreamExecutionEnvironment env = FlowsJob.environment(config);
        PipelineTestSupport.fixedDelayRestarts(env, 500, Duration.ofMillis(500));
        env.setParallelism(2);
        Duration interval = Duration.ofMillis(env.getCheckpointInterval());
        FlowPipeline.Sinks sinks = new FlowPipeline.Sinks(
                ClickHouseSinks.flows(config.clickHouse(), config.sink(), interval, 2)
                        .withFaultInjector(new FaultAfterFirstCommit()),
                ClickHouseSinks.deadLetters(config.clickHouse(), config.sink(), interval, 2),
                Optional.empty());
        FlowPipeline.build(env, FlowSources.boundedKafka(config.kafka()), sinks, config.pipeline());
        env.execute("clickhouse-faults-it");
    }

    private void assertExactTotals(ClickHouseTestServer clickhouse) throws Exception {
        PipelineTestSupport.assertExactTotals(clickhouse, db, truth);
    }
}
