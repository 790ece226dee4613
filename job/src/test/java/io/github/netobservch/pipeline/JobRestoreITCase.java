package io.github.netobservch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.netobservch.FlowsJob;
import io.github.netobservch.config.JobConfig;
import io.github.netobservch.generate.FlowGenerator;
import io.github.netobservch.generate.GeneratedMessage;
import io.github.netobservch.generate.GeneratorConfig;
import io.github.netobservch.generate.GroundTruth;
import io.github.netobservch.sink.SinkFaultInjector;
import io.github.netobservch.testing.Checkpoints;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import io.github.netobservch.testing.EmbeddedKafkaExtension;
import io.github.netobservch.testing.KafkaTestCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.test.util.TestUtils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole job is taken down mid-stream by an operator and started again, as upgrades and
 * maintenance do: cancelled and restored from its last retained checkpoint, or stopped with a
 * savepoint and restored from it. More records are produced while it is down. The loaded totals
 * must equal the ground truth of every produced message.
 *
 * <p>The cut falls inside the generated stream, so the dedup state the second run restores matters:
 * exact re-sends after the cut of records before it, and later slices of long-lived flows (15 s
 * apart at the simulated 200 records/s), are recognised only through that state (restoring
 * everything but the dedup operator's state loaded 17 and 25 extra rows when tried by hand). The
 * restored committables are committed again with their stored tokens; ClickHouse drops the ones
 * that had landed before the cut.
 *
 * <p>Both runs use the production (unbounded) source, because a bounded {@code KafkaSource}
 * restored from a savepoint does not reach end-of-input (see {@code ClickHouseSinkITCase}): the
 * second run is cancelled once every expected row is committed and three more checkpoints passed.
 * The negative control restarts without the checkpoint, as an operator who forgets the restore
 * path would: the job reads the topic again from the earliest offsets with empty state, and the
 * rows committed before the cut are loaded a second time. Two more controls remove one protection
 * each: a restore without the dedup operator's state loads second reports, and a restore without the
 * flows sink's committables, cut while commits were held pending, loses the held batches.
 */
@org.junit.jupiter.api.Timeout(600)
@ExtendWith({EmbeddedKafkaExtension.class, EmbeddedClickHouseExtension.class})
class JobRestoreITCase {

    private static final Logger LOG = LoggerFactory.getLogger(JobRestoreITCase.class);
    private static final int MESSAGES_BEFORE = 4_000;
    private static final int MESSAGES_WHILE_DOWN = 1_500;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    // Shared with the injector, which runs inside the MiniCluster in this JVM.
    private static final AtomicInteger WRITTEN = new AtomicInteger();
    private static final AtomicInteger COMMITTED_INSERTS = new AtomicInteger();
    private static final AtomicInteger RECOMMITS = new AtomicInteger();
    /** Tokens of INSERTs that landed, and of committables committed again from restored state. */
    private static final java.util.Set<String> LANDED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private static final java.util.Set<String> RECOMMITTED = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static volatile boolean paced;
    /** While set, the committers hold their next first-attempt INSERT: committables stay pending in the checkpoint. */
    private static volatile boolean holdCommits;
    /** Tokens and rows of the INSERTs held back by {@link #holdCommits}. */
    private static final java.util.Map<String, Long> HELD = new java.util.concurrent.ConcurrentHashMap<>();

    /** What a restore leaves out of the checkpoint (a negative control removes one protection). */
    private enum Left {
        NOTHING,
        DEDUP_STATE,
        COMMITTABLES
    }

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    /** Paces the writers of the first run (so the cut falls mid-stream) and counts commits. */
    static final class Observer implements SinkFaultInjector {
        private static final long serialVersionUID = 1L;

        @Override
        public void at(Point point, Context context) throws Exception {
            if (point == Point.WRITER_WRITE) {
                WRITTEN.incrementAndGet();
                if (paced) {
                    Thread.sleep(1);
                }
            } else if (point == Point.BEFORE_INSERT && context.fromState()) {
                RECOMMITS.incrementAndGet();
                RECOMMITTED.add(context.token());
            } else if (point == Point.BEFORE_INSERT && holdCommits) {
                HELD.put(context.token(), context.rows());
                while (holdCommits) {
                    Thread.sleep(10); // cancelling the job interrupts this
                }
            } else if (point == Point.AFTER_INSERT) {
                COMMITTED_INSERTS.incrementAndGet();
                if (!context.fromState()) {
                    LANDED.add(context.token());
                }
            }
        }
    }

    private KafkaTestCluster kafka;
    private ClickHouseTestServer clickhouse;
    private String topic;
    private String db;
    private FlowGenerator generator;
    private final List<GeneratedMessage> produced = new ArrayList<>();

    @BeforeEach
    void produceTheFirstPart(KafkaTestCluster kafka, ClickHouseTestServer clickhouse) throws Exception {
        WRITTEN.set(0);
        COMMITTED_INSERTS.set(0);
        RECOMMITS.set(0);
        LANDED.clear();
        RECOMMITTED.clear();
        HELD.clear();
        holdCommits = false;
        this.kafka = kafka;
        this.clickhouse = clickhouse;
        topic = kafka.createTopic("flows-export", 3);
        db = clickhouse.createDatabase("restore");
        PipelineTestSupport.applySchema(clickhouse, db);
        generator = new FlowGenerator(GeneratorConfig.builder(31L)
                .startEpochMs(System.currentTimeMillis() - 3_600_000L)
                .recordsPerSecond(200)
                .invalidShare(0.02)
                .resendShare(0.05)
                .build());
        produced.addAll(PipelineTestSupport.produce(kafka, topic, generator, MESSAGES_BEFORE, false));
    }

    @Test
    void cancelledAndRestoredFromTheLastRetainedCheckpointLoadsExactlyTheGroundTruth(
            @TempDir Path checkpoints, @InjectMiniCluster MiniCluster miniCluster) throws Exception {
        JobClient first = start(checkpoints, null, true);
        runUntilMidStream(first, miniCluster);
        cancelAndWait(first);
        long rowsAtCut = rows();
        String checkpoint =
                TestUtils.getMostRecentCompletedCheckpoint(checkpoints.toFile()).getAbsolutePath();
        LOG.info("Cancelled with {} rows committed; restoring {}", rowsAtCut, checkpoint);

        GroundTruth truth = produceWhileDown(rowsAtCut);
        runToTheEnd(start(checkpoints, checkpoint, false), truth, miniCluster);

        assertThat(RECOMMITS.get())
                .as("the checkpoint's committables were committed again")
                .isPositive();
        logRecommitsOfLandedBatches();
        PipelineTestSupport.assertExactTotals(clickhouse, db, truth);
    }

    /**
     * Control that removes one protection: the same restore, but the dedup operator starts with
     * empty state (its state is left out of the restore). The sink stays exact — no Kafka message
     * is loaded twice — but second reports and re-sends of flows that were active at the cut are
     * no longer recognised and are loaded: more rows than the truth, each from its own message.
     */
    @Test
    void controlRestoredWithoutTheDedupStateLoadsSecondReports(
            @TempDir Path checkpoints, @InjectMiniCluster MiniCluster miniCluster) throws Exception {
        JobClient first = start(checkpoints, null, true);
        runUntilMidStream(first, miniCluster);
        cancelAndWait(first);
        String checkpoint =
                TestUtils.getMostRecentCompletedCheckpoint(checkpoints.toFile()).getAbsolutePath();
        GroundTruth truth = produceWhileDown(rows());

        JobClient restored = start(checkpoints, checkpoint, false, Left.DEDUP_STATE);
        try {
            PipelineTestSupport.await(
                    "every expected row and dead letter",
                    TIMEOUT,
                    () -> rows() >= truth.rows()
                            && clickhouse.queryLong(db, "SELECT count() FROM flows_dlq") >= truth.invalid());
            Checkpoints.awaitMore(miniCluster, restored.getJobID(), 3, TIMEOUT);
        } finally {
            cancelAndWait(restored);
        }
        long loaded = rows();
        long distinct = clickhouse.queryLong(db, "SELECT uniqExact(kafka_partition, kafka_offset) FROM flows");
        LOG.info(
                "Without the dedup state: {} rows for {} expected, {} distinct Kafka messages",
                loaded,
                truth.rows(),
                distinct);
        assertThat(distinct)
                .as("the sink still loads each message at most once")
                .isEqualTo(loaded);
        assertThat(loaded)
                .as("second reports the lost dedup state no longer recognises")
                .isGreaterThan(truth.rows());
        assertThat(clickhouse.queryLong(db, "SELECT count() FROM flows_dlq")).isEqualTo(truth.invalid());
    }

    /**
     * The cut falls while commits are pending: the committers hold their INSERTs after a checkpoint
     * completed, so its committables are in the checkpoint and nowhere else. The restore commits
     * each held batch from the checkpoint and the totals are exact.
     */
    @Test
    void restoredWhileCommitsWerePendingCommitsThemFromTheCheckpoint(
            @TempDir Path checkpoints, @InjectMiniCluster MiniCluster miniCluster) throws Exception {
        String checkpoint = cutWithCommitsHeld(checkpoints, miniCluster);
        long rowsAtCut = rows();
        GroundTruth truth = produceWhileDown(rowsAtCut);
        runToTheEnd(start(checkpoints, checkpoint, false), truth, miniCluster);

        assertThat(RECOMMITTED)
                .as("every held batch was committed from the checkpoint")
                .containsAll(HELD.keySet());
        PipelineTestSupport.assertExactTotals(clickhouse, db, truth);
    }

    /**
     * Control that removes the other protection: the same cut with commits held, restored with
     * everything but the flows sink's committables. The Kafka offsets in the checkpoint are past the
     * held batches' records, so nothing reads them again: at least the held rows are missing, and no
     * message is loaded twice.
     */
    @Test
    void controlRestoredWithoutTheCommittablesLosesTheHeldRows(
            @TempDir Path checkpoints, @InjectMiniCluster MiniCluster miniCluster) throws Exception {
        String checkpoint = cutWithCommitsHeld(checkpoints, miniCluster);
        long heldRows = HELD.values().stream().mapToLong(Long::longValue).sum();
        GroundTruth truth = produceWhileDown(rows());

        JobClient restored = start(checkpoints, checkpoint, false, Left.COMMITTABLES);
        try {
            PipelineTestSupport.await(
                    "every dead letter",
                    TIMEOUT,
                    () -> clickhouse.queryLong(db, "SELECT count() FROM flows_dlq") >= truth.invalid());
            long before;
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            do { // until a few checkpoints pass without new rows: the restored run is done
                assertThat(System.nanoTime()).as("the restored run settles").isLessThan(deadline);
                before = rows();
                Checkpoints.awaitMore(miniCluster, restored.getJobID(), 3, TIMEOUT);
            } while (rows() != before);
        } finally {
            cancelAndWait(restored);
        }
        long loaded = rows();
        long distinct = clickhouse.queryLong(db, "SELECT uniqExact(kafka_partition, kafka_offset) FROM flows");
        LOG.info("Without the committables: {} rows for {} expected, {} rows held", loaded, truth.rows(), heldRows);
        assertThat(RECOMMITTED).as("nothing was restored to commit").isEmpty();
        assertThat(distinct).as("no message loaded twice").isEqualTo(loaded);
        assertThat(truth.rows() - loaded).as("rows lost with the committables").isGreaterThanOrEqualTo(heldRows);
    }

    /**
     * Runs the first job to mid-stream, then holds the committers' next INSERTs until at least one is
     * held, cancels, and returns the newest retained checkpoint, which holds the held committables
     * (a held commit blocks its committer, so no later checkpoint completes without them).
     */
    private String cutWithCommitsHeld(Path checkpoints, MiniCluster miniCluster) throws Exception {
        JobClient first = start(checkpoints, null, true);
        runUntilMidStream(first, miniCluster);
        holdCommits = true;
        PipelineTestSupport.await("a commit is held", TIMEOUT, () -> !HELD.isEmpty());
        cancelAndWait(first);
        holdCommits = false;
        assertThat(HELD.values()).as("held batches have rows").allSatisfy(rows -> assertThat(rows)
                .isPositive());
        assertThat(LANDED).as("no held batch landed").doesNotContainAnyElementsOf(HELD.keySet());
        return TestUtils.getMostRecentCompletedCheckpoint(checkpoints.toFile()).getAbsolutePath();
    }

    @Test
    void stoppedWithASavepointAndRestoredLoadsExactlyTheGroundTruth(
            @TempDir Path checkpoints, @TempDir Path savepoints, @InjectMiniCluster MiniCluster miniCluster)
            throws Exception {
        JobClient first = start(checkpoints, null, true);
        runUntilMidStream(first, miniCluster);
        String savepoint = first.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        first.getJobExecutionResult().get(30, TimeUnit.SECONDS); // the savepoint's commits are done
        long rowsAtCut = rows();
        LOG.info("Stopped with savepoint {} and {} rows committed", savepoint, rowsAtCut);

        GroundTruth truth = produceWhileDown(rowsAtCut);
        runToTheEnd(start(checkpoints, savepoint, false), truth, miniCluster);

        assertThat(RECOMMITS.get())
                .as("the savepoint's committables were committed again")
                .isPositive();
        logRecommitsOfLandedBatches();
        PipelineTestSupport.assertExactTotals(clickhouse, db, truth);
    }

    /**
     * Upgrading a deployment of the earlier manifests, which ran on RocksDB with incremental
     * checkpoints, to the heap backend they use now (flink-k8s/README.md): stopped with a canonical
     * savepoint on RocksDB, restored on the heap. The dedup keys, the held records and the pending
     * committables cross the backends; the totals are exact.
     */
    @Test
    void aRocksDbSavepointRestoresOnTheHeapBackendExactly(
            @TempDir Path checkpoints, @TempDir Path savepoints, @InjectMiniCluster MiniCluster miniCluster)
            throws Exception {
        JobClient first = start(checkpoints, null, true, Left.NOTHING, Backend.ROCKSDB_INCREMENTAL);
        runUntilMidStream(first, miniCluster);
        String savepoint = first.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        first.getJobExecutionResult().get(30, TimeUnit.SECONDS);
        long rowsAtCut = rows();
        LOG.info("Stopped the RocksDB job with savepoint {} and {} rows committed", savepoint, rowsAtCut);

        GroundTruth truth = produceWhileDown(rowsAtCut);
        runToTheEnd(start(checkpoints, savepoint, false, Left.NOTHING, Backend.HEAP), truth, miniCluster);

        assertThat(RECOMMITS.get())
                .as("the savepoint's committables were committed again")
                .isPositive();
        PipelineTestSupport.assertExactTotals(clickhouse, db, truth);
    }

    /**
     * Control for the upgrade above: the RocksDB job's last incremental checkpoint is in RocksDB's
     * native format, which the heap backend cannot read. The restored job fails (after its restart
     * attempts) instead of starting, and loads nothing: why the change goes through a savepoint, and
     * why the operator's last-state fallback cannot make it.
     */
    @Test
    void controlARocksDbIncrementalCheckpointDoesNotRestoreOnTheHeap(
            @TempDir Path checkpoints, @InjectMiniCluster MiniCluster miniCluster) throws Exception {
        JobClient first = start(checkpoints, null, true, Left.NOTHING, Backend.ROCKSDB_INCREMENTAL);
        runUntilMidStream(first, miniCluster);
        cancelAndWait(first);
        long rowsAtCut = rows();
        String checkpoint =
                TestUtils.getMostRecentCompletedCheckpoint(checkpoints.toFile()).getAbsolutePath();
        produceWhileDown(rowsAtCut);

        JobClient restored = start(checkpoints, checkpoint, false, Left.NOTHING, Backend.HEAP);
        assertThatThrownBy(() -> restored.getJobExecutionResult().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasStackTraceContaining("Unexpected state handle type")
                .hasStackTraceContaining("IncrementalRemoteKeyedStateHandle");
        assertThat(rows()).as("rows after the failed restore").isEqualTo(rowsAtCut);
    }

    @Test
    void negativeControlRestartedWithoutTheCheckpointLoadsDuplicates(
            @TempDir Path checkpoints, @InjectMiniCluster MiniCluster miniCluster) throws Exception {
        JobClient first = start(checkpoints, null, true);
        runUntilMidStream(first, miniCluster);
        cancelAndWait(first);
        GroundTruth truth = produceWhileDown(rows());

        JobClient fresh = start(checkpoints, null, false); // starting offsets: earliest, empty state
        try {
            PipelineTestSupport.await(
                    "the fresh job has loaded more rows than the truth", TIMEOUT, () -> rows() > truth.rows());
        } finally {
            cancelAndWait(fresh);
        }
        long loaded = rows();
        long distinct = clickhouse.queryLong(db, "SELECT uniqExact(kafka_partition, kafka_offset) FROM flows");
        LOG.info(
                "Without the checkpoint: {} rows for {} expected, {} distinct Kafka messages",
                loaded,
                truth.rows(),
                distinct);
        assertThat(distinct).as("Kafka messages loaded twice").isLessThan(loaded);
        assertThatThrownBy(() -> PipelineTestSupport.assertExactTotals(clickhouse, db, truth))
                .isInstanceOf(AssertionError.class);
    }

    /**
     * Submits the job, restored from {@code restorePath} when not null, retaining checkpoints on
     * cancel; {@code pace} slows the writers so the first run can be cut mid-stream.
     */
    private JobClient start(Path checkpoints, String restorePath, boolean pace) throws Exception {
        return start(checkpoints, restorePath, pace, Left.NOTHING);
    }

    /**
     * {@code left}: the operator whose state the restore leaves out gets another uid — the dedup
     * operator, or the flows sink (its writer is stateless, so that drops exactly its committer's
     * pending committables).
     */
    private JobClient start(Path checkpoints, String restorePath, boolean pace, Left left) throws Exception {
        return start(checkpoints, restorePath, pace, left, Backend.HEAP);
    }

    /** The keyed state backend of a run: the heap (the manifests' and the local cluster's), or RocksDB. */
    private enum Backend {
        HEAP,
        /** As the manifests configured it before 2026-12-07. */
        ROCKSDB_INCREMENTAL
    }

    private JobClient start(Path checkpoints, String restorePath, boolean pace, Left left, Backend backend)
            throws Exception {
        paced = pace;
        JobConfig config = PipelineTestSupport.jobConfig(kafka, topic, clickhouse, db, "200 ms");
        StreamExecutionEnvironment env = FlowsJob.environment(config);
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        if (restorePath != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, restorePath);
            conf.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, left != Left.NOTHING);
        }
        if (backend == Backend.ROCKSDB_INCREMENTAL) {
            conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
            conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        } else {
            conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        }
        env.configure(conf);
        PipelineTestSupport.fixedDelayRestarts(env, 3, Duration.ofMillis(200));
        env.setParallelism(2);
        Duration interval = Duration.ofMillis(env.getCheckpointInterval());
        FlowPipeline.Sinks sinks = new FlowPipeline.Sinks(
                ClickHouseSinks.flows(config.clickHouse(), config.sink(), interval, 2)
                        .withFaultInjector(new Observer()),
                ClickHouseSinks.deadLetters(config.clickHouse(), config.sink(), interval, 2),
                Optional.empty());
        FlowPipeline.Streams streams =
                FlowPipeline.build(env, FlowSources.kafka(config.kafka()), sinks, config.pipeline());
        if (left == Left.DEDUP_STATE) {
            streams.deduplicated().getTransformation().setUid("flow-dedup-without-restored-state");
        } else if (left == Left.COMMITTABLES) {
            env.getTransformations().stream()
                    .filter(tr -> FlowPipeline.Uids.FLOWS_SINK.equals(tr.getUid()))
                    .findFirst()
                    .orElseThrow()
                    .setUid("flows-sink-without-restored-committables");
        }
        return env.executeAsync(restorePath == null ? "restore-it-first" : "restore-it-restored");
    }

    /** Waits until rows are committed and a checkpoint completed while input remains. */
    private void runUntilMidStream(JobClient job, MiniCluster miniCluster) throws Exception {
        PipelineTestSupport.await(
                "the first run commits",
                TIMEOUT,
                () -> COMMITTED_INSERTS.get() >= 2 && Checkpoints.completed(miniCluster, job.getJobID()) >= 1);
        long expectedBefore = GroundTruth.of(produced).rows();
        LOG.info(
                "Cutting after {} committed INSERTs, {} of {} rows written",
                COMMITTED_INSERTS.get(),
                WRITTEN.get(),
                expectedBefore);
        assertThat(WRITTEN.get()).as("input remains at the cut").isLessThan((int) expectedBefore);
    }

    /** Produces the records that arrive while the job is down; returns the truth of everything produced. */
    private GroundTruth produceWhileDown(long rowsAtCut) {
        produced.addAll(PipelineTestSupport.produce(kafka, topic, generator, MESSAGES_WHILE_DOWN, true));
        GroundTruth truth = GroundTruth.of(produced);
        assertThat(rowsAtCut).as("the cut is inside the stream").isPositive().isLessThan(truth.rows());
        return truth;
    }

    /** How many restored committables had landed before the cut (ClickHouse dropped those by their tokens). */
    private static void logRecommitsOfLandedBatches() {
        java.util.Set<String> landedThenRecommitted = new java.util.HashSet<>(RECOMMITTED);
        landedThenRecommitted.retainAll(LANDED);
        LOG.info(
                "{} re-commits, {} of them of batches that had landed",
                RECOMMITTED.size(),
                landedThenRecommitted.size());
    }

    /** Waits for every expected row and dead letter plus a few checkpoints, then cancels the job. */
    private void runToTheEnd(JobClient job, GroundTruth truth, MiniCluster miniCluster) throws Exception {
        long t0 = System.nanoTime();
        try {
            PipelineTestSupport.await(
                    "every row is committed",
                    TIMEOUT,
                    () -> rows() >= truth.rows()
                            && clickhouse.queryLong(db, "SELECT count() FROM flows_dlq") >= truth.invalid());
            LOG.info(
                    "Restored run committed all {} rows in {} ms, {} re-commits",
                    truth.rows(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
                    RECOMMITS.get());
            // A late duplicate commit would show up in the totals now.
            Checkpoints.awaitMore(miniCluster, job.getJobID(), 3, TIMEOUT);
        } finally {
            cancelAndWait(job);
        }
    }

    private long rows() throws Exception {
        return clickhouse.queryLong(db, "SELECT count() FROM flows");
    }

    private static void cancelAndWait(JobClient job) throws Exception {
        job.cancel().get(30, TimeUnit.SECONDS);
        try {
            job.getJobExecutionResult().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException expected) {
            // a cancelled job ends with a JobCancellationException
        }
    }
}
