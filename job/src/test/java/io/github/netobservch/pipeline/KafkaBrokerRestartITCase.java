package io.github.netobservch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.FlowsJob;
import io.github.netobservch.config.JobConfig;
import io.github.netobservch.generate.FlowGenerator;
import io.github.netobservch.generate.GeneratedMessage;
import io.github.netobservch.generate.GeneratorConfig;
import io.github.netobservch.generate.GroundTruth;
import io.github.netobservch.local.EmbeddedKafka;
import io.github.netobservch.sink.SinkFaultInjector;
import io.github.netobservch.testing.Checkpoints;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import io.github.netobservch.testing.KafkaTestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka broker is shut down for several seconds while the whole job is reading, then started
 * again on the same address; more records are produced after the restart. The loaded totals must
 * equal the ground truth of every produced message.
 *
 * <p>The test starts its own broker (the shared one of {@code EmbeddedKafkaExtension} must stay up
 * for other tests) and stops it after the first committed INSERT, while records are still unread in
 * Kafka (the writer is paced and consumer fetches are small, so the job cannot have fetched the
 * whole backlog before the outage; the test checks that it had not). The broker stays down until
 * the pipeline has drained what it had fetched and starved, and at least {@link #DOWNTIME}.
 *
 * <p>Observed behaviour (Kafka 4.2 clients, flink-connector-kafka 5.0): the job does <em>not</em>
 * fail over. The source's consumer uses assigned partitions (no group membership), so it just
 * retries its connection, and the source logged no warning during the outage. Checkpoints keep
 * completing (a source checkpoint is only its offsets; about 40 completed during the 8 s outage).
 * About 0.2 s after the restarted broker is ready the consumer reads on from its position, and the
 * backlog is committed within about 3 s. The test fails if the attempt number ever changes, so a
 * client or connector that fails over instead is noticed (the totals must be exact either way).
 * Not covered: the connector's periodic partition discovery (every 5 min by default) failing
 * during a longer outage, which fails the job over from the source enumerator.
 */
@org.junit.jupiter.api.Timeout(300)
@ExtendWith(EmbeddedClickHouseExtension.class)
class KafkaBrokerRestartITCase {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokerRestartITCase.class);
    private static final int MESSAGES_BEFORE = 5_000;
    private static final int MESSAGES_AFTER = 1_500;
    private static final Duration DOWNTIME = Duration.ofSeconds(8);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    // Shared with the injector, which runs inside the MiniCluster in this JVM.
    private static final AtomicInteger WRITTEN = new AtomicInteger();
    private static final AtomicInteger COMMITTED_INSERTS = new AtomicInteger();
    private static final AtomicInteger MAX_ATTEMPT = new AtomicInteger();
    private static final AtomicLong LAST_WRITE_NANOS = new AtomicLong();
    private static volatile boolean paced = true;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    /** Paces the writers until the broker is back, and records writes, commits and attempts. */
    static final class Observer implements SinkFaultInjector {
        private static final long serialVersionUID = 1L;

        @Override
        public void at(Point point, Context context) throws Exception {
            MAX_ATTEMPT.accumulateAndGet(context.attempt(), Math::max);
            if (point == Point.WRITER_WRITE) {
                WRITTEN.incrementAndGet();
                LAST_WRITE_NANOS.set(System.nanoTime());
                if (paced) {
                    Thread.sleep(1);
                }
            } else if (point == Point.AFTER_INSERT) {
                COMMITTED_INSERTS.incrementAndGet();
            }
        }
    }

    @Test
    void brokerDownForSecondsWhileReadingLosesAndDoublesNothing(
            ClickHouseTestServer clickhouse, @InjectMiniCluster MiniCluster miniCluster) throws Exception {
        WRITTEN.set(0);
        COMMITTED_INSERTS.set(0);
        MAX_ATTEMPT.set(0);
        paced = true;
        try (EmbeddedKafka broker = EmbeddedKafka.start()) {
            KafkaTestCluster kafka = KafkaTestCluster.of(broker);
            String topic = kafka.createTopic("flows-export", 3);
            String db = clickhouse.createDatabase("broker_restart");
            PipelineTestSupport.applySchema(clickhouse, db);
            FlowGenerator generator = new FlowGenerator(GeneratorConfig.builder(23L)
                    .startEpochMs(System.currentTimeMillis() - 3_600_000L)
                    .recordsPerSecond(200) // long-lived flows' later slices come after the outage
                    .invalidShare(0.02)
                    .resendShare(0.03)
                    .build());
            List<GeneratedMessage> produced =
                    new ArrayList<>(PipelineTestSupport.produce(kafka, topic, generator, MESSAGES_BEFORE, false));
            long rowsBefore = GroundTruth.of(produced).rows();

            JobConfig config = PipelineTestSupport.jobConfig(
                    kafka,
                    topic,
                    clickhouse,
                    db,
                    "200 ms",
                    // small fetches: the source cannot buffer the whole backlog before the outage
                    "--kafka.properties.max.partition.fetch.bytes",
                    "16384",
                    "--kafka.properties.fetch.max.bytes",
                    "65536");
            StreamExecutionEnvironment env = FlowsJob.environment(config);
            PipelineTestSupport.fixedDelayRestarts(env, 20, Duration.ofMillis(500));
            env.setParallelism(2);
            Duration interval = Duration.ofMillis(env.getCheckpointInterval());
            FlowPipeline.Sinks sinks = new FlowPipeline.Sinks(
                    ClickHouseSinks.flows(config.clickHouse(), config.sink(), interval, 2)
                            .withFaultInjector(new Observer()),
                    ClickHouseSinks.deadLetters(config.clickHouse(), config.sink(), interval, 2),
                    Optional.empty());
            FlowPipeline.build(env, FlowSources.kafka(config.kafka()), sinks, config.pipeline());
            JobClient job = env.executeAsync("kafka-broker-restart-it");
            try {
                PipelineTestSupport.await("the first INSERT is committed", TIMEOUT, () -> COMMITTED_INSERTS.get() >= 1);

                long stopStart = System.nanoTime();
                broker.stopBroker();
                long stopped = System.nanoTime();
                long writtenAtStop = WRITTEN.get();
                long checkpointsAtStop = Checkpoints.completed(miniCluster, job.getJobID());
                LOG.info(
                        "Broker stopped in {} ms after {} committed INSERTs, {} of {} rows written",
                        millis(stopped - stopStart),
                        COMMITTED_INSERTS.get(),
                        writtenAtStop,
                        rowsBefore);
                // Down until the pipeline has drained what it fetched (no write for 2 s) and for DOWNTIME.
                PipelineTestSupport.await(
                        "the pipeline starves without the broker",
                        TIMEOUT,
                        () -> System.nanoTime() - stopped >= DOWNTIME.toNanos()
                                && System.nanoTime() - LAST_WRITE_NANOS.get() >= TimeUnit.SECONDS.toNanos(2));
                long writtenWhileDown = WRITTEN.get();
                long downFor = System.nanoTime() - stopped;
                long checkpointsWhileDown = Checkpoints.completed(miniCluster, job.getJobID()) - checkpointsAtStop;

                long startStart = System.nanoTime();
                broker.startBroker();
                long started = System.nanoTime();
                paced = false;
                LOG.info(
                        "Broker restarted in {} ms after {} ms down; while down {} rows written ({} in all)"
                                + " and {} checkpoints completed",
                        millis(started - startStart),
                        millis(downFor),
                        writtenWhileDown - writtenAtStop,
                        writtenWhileDown,
                        checkpointsWhileDown);
                assertThat(writtenWhileDown)
                        .as("records were still unread in Kafka when the broker went down")
                        .isLessThan(rowsBefore);

                PipelineTestSupport.await(
                        "the job reads again after the restart", TIMEOUT, () -> WRITTEN.get() > writtenWhileDown);
                long resumed = System.nanoTime();
                produced.addAll(PipelineTestSupport.produce(kafka, topic, generator, MESSAGES_AFTER, true));
                GroundTruth truth = GroundTruth.of(produced);
                PipelineTestSupport.await(
                        "every row is committed",
                        TIMEOUT,
                        () -> clickhouse.queryLong(db, "SELECT count() FROM flows") >= truth.rows()
                                && clickhouse.queryLong(db, "SELECT count() FROM flows_dlq") >= truth.invalid());
                long caughtUp = System.nanoTime();
                LOG.info(
                        "Reading resumed {} ms after the restart; all {} rows committed {} ms after it;"
                                + " highest attempt {}",
                        millis(resumed - started),
                        truth.rows(),
                        millis(caughtUp - started),
                        MAX_ATTEMPT.get());
                // A few more checkpoints: a late duplicate commit would show up in the totals.
                Checkpoints.awaitMore(miniCluster, job.getJobID(), 3, TIMEOUT);

                assertThat(MAX_ATTEMPT.get())
                        .as("the outage did not fail the job over")
                        .isZero();
                PipelineTestSupport.assertExactTotals(clickhouse, db, truth);
            } finally {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
