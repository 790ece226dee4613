package io.github.netobservch.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.sink.SinkFaultInjector.Point;
import io.github.netobservch.testing.Checkpoints;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import io.github.netobservch.testing.EmbeddedKafkaExtension;
import io.github.netobservch.testing.KafkaTestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka → keyBy → {@link ClickHouseSink} on a MiniCluster (parallelism 2, checkpoints every 250 ms,
 * fixed-delay restarts) with one fault per run at a seeded random point; after the job drains, every
 * record must be in ClickHouse exactly once with exact sums per Kafka partition.
 *
 * <p>The base seed is fixed (42) and logged; {@code -Dsink.it.seed=random} draws new fault points,
 * {@code -Dsink.it.seed=<seed>} reruns a failure.
 */
@org.junit.jupiter.api.Timeout(900)
@ExtendWith({EmbeddedKafkaExtension.class, EmbeddedClickHouseExtension.class})
class ClickHouseSinkITCase {

    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseSinkITCase.class);
    private static final int N = 12_000;
    private static final int PARALLELISM = 2;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /**
     * Fixed by default, so every run injects the faults at the same points; {@code
     * -Dsink.it.seed=random} draws new ones (logged), {@code -Dsink.it.seed=N} reproduces a run.
     */
    private static final long BASE_SEED = baseSeed();

    private static long baseSeed() {
        String s = System.getProperty("sink.it.seed");
        if (s == null || s.isBlank()) {
            return 42L;
        }
        return s.trim().equals("random") ? System.nanoTime() : Long.parseLong(s.trim());
    }

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(3)
                    .build());

    private static SinkPipelineHarness.Topic topic;

    private KafkaTestCluster kafka;
    private ClickHouseTestServer clickhouse;
    private String db;
    private String scenario;

    @BeforeEach
    void setUp(KafkaTestCluster kafka, ClickHouseTestServer clickhouse) throws Exception {
        this.kafka = kafka;
        this.clickhouse = clickhouse;
        synchronized (ClickHouseSinkITCase.class) {
            if (topic == null) {
                LOG.info("ClickHouseSinkITCase base seed {} (-Dsink.it.seed={})", BASE_SEED, BASE_SEED);
                topic = SinkPipelineHarness.produce(kafka, N, BASE_SEED);
            }
        }
        db = clickhouse.createDatabase("sink_it");
        scenario = UUID.randomUUID().toString();
    }

    @AfterEach
    void tearDown() {
        ScenarioFaults.remove(scenario);
    }

    private String table(String name) throws Exception {
        clickhouse.execute(db, TestRows.ddl(name, 10_000));
        return name;
    }

    private ClickHouseSinkOptions.Builder options(String table) {
        return ClickHouseSinkOptions.builder()
                .url(clickhouse.httpUrl())
                .database(db)
                .table(table)
                .sinkName("sink-it")
                .maxRowsPerInsert(2_000)
                .backoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                .connectTimeout(Duration.ofSeconds(2))
                .socketTimeout(Duration.ofSeconds(10))
                .deduplicationRequirements(Duration.ofMillis(250), Duration.ofSeconds(10), PARALLELISM, 3);
    }

    private long seed(String what, int run) {
        long seed = BASE_SEED + 31L * what.hashCode() + run;
        LOG.info("Scenario {} run {}: seed {}", what, run, seed);
        return seed;
    }

    private void runAndVerify(String table, ScenarioFaults faults, ClickHouseSinkOptions options) throws Exception {
        ClickHouseSink<TestRows.Row> sink = new ClickHouseSink<>(options, new TestRows.Encoder());
        SinkPipelineHarness.run(
                kafka.bootstrapServers(),
                topic,
                faults == null ? sink : sink.withFaultInjector(faults),
                PARALLELISM,
                TIMEOUT);
        SinkPipelineHarness.assertExactlyOnce(clickhouse, db, table, topic);
    }

    @Test
    void loadsEveryRecordExactlyOnceWithoutFaults() throws Exception {
        String t = table("t");
        ScenarioFaults probe = ScenarioFaults.throwing(scenario, null, 0);
        runAndVerify(t, probe, options(t).build());
        assertThat(ScenarioFaults.plan(scenario).recommits.get()).isZero();
        // Several checkpoints, several partitions: many INSERTs.
        assertThat(ScenarioFaults.plan(scenario).inserts.get()).isGreaterThan(6);
    }

    @ParameterizedTest(name = "run {0}")
    @ValueSource(ints = {0, 1})
    void writerFailsBeforeTheBarrier(int run) throws Exception {
        Random random = new Random(seed("writer", run));
        String t = table("t");
        ScenarioFaults faults =
                ScenarioFaults.throwing(scenario, Point.WRITER_WRITE, N / 5 + random.nextInt(3 * N / 5));
        runAndVerify(t, faults, options(t).build());
        assertThat(ScenarioFaults.plan(scenario).fired).isTrue();
    }

    @ParameterizedTest(name = "run {0}")
    @ValueSource(ints = {0, 1})
    void prepareCommitFails(int run) throws Exception {
        Random random = new Random(seed("prepareCommit", run));
        String t = table("t");
        ScenarioFaults faults = ScenarioFaults.throwing(scenario, Point.PREPARE_COMMIT, 2 + random.nextInt(5));
        runAndVerify(t, faults, options(t).build());
        assertThat(ScenarioFaults.plan(scenario).fired).isTrue();
    }

    @ParameterizedTest(name = "run {0}")
    @ValueSource(ints = {0, 1})
    void committerFailsBeforeTheInsert(int run) throws Exception {
        Random random = new Random(seed("beforeInsert", run));
        String t = table("t");
        ScenarioFaults faults = ScenarioFaults.throwing(scenario, Point.BEFORE_INSERT, 1 + random.nextInt(12));
        runAndVerify(t, faults, options(t).build());
        assertThat(ScenarioFaults.plan(scenario).fired).isTrue();
        assertThat(ScenarioFaults.plan(scenario).recommits.get()).isPositive();
    }

    @ParameterizedTest(name = "run {0}")
    @ValueSource(ints = {0, 1})
    void committerFailsAfterASuccessfulInsertSoTheBatchIsCommittedTwice(int run) throws Exception {
        Random random = new Random(seed("afterInsert", run));
        String t = table("t");
        ScenarioFaults faults = ScenarioFaults.throwing(scenario, Point.AFTER_INSERT, 1 + random.nextInt(12));
        runAndVerify(t, faults, options(t).build());
        ScenarioFaults.Plan plan = ScenarioFaults.plan(scenario);
        assertThat(plan.fired).isTrue();
        // The batch whose INSERT succeeded came back from the checkpoint and was sent again (same token).
        assertThat(plan.recommits.get()).isPositive();
    }

    /**
     * Every payload spilled (threshold 0) and the committer failing right after successful INSERTs:
     * the restored committables read their payloads from the spill files and the re-commits are
     * dropped by their tokens; exact. Files are deleted one commit call after their batch landed.
     */
    @Test
    void spilledPayloadsAreCommittedExactlyOnceAcrossAFailureAfterTheInsert(@TempDir Path spill) throws Exception {
        String t = table("t");
        ScenarioFaults faults =
                ScenarioFaults.throwing(scenario, Point.AFTER_INSERT, 1 + new Random(seed("spill", 0)).nextInt(12));
        runAndVerify(
                t,
                faults,
                options(t)
                        .spill(new SpillSettings(spill.toUri().toString(), 0, Duration.ofDays(7)))
                        .build());
        ScenarioFaults.Plan plan = ScenarioFaults.plan(scenario);
        assertThat(plan.fired).isTrue();
        assertThat(plan.recommits.get()).isPositive();
        Path dir = spill.resolve("sink-it");
        assertThat(dir).isDirectory();
        try (var files = Files.list(dir)) {
            // Only the last commit call's files are left (deleted at the next call, which never came).
            assertThat(files.count()).isLessThan(plan.inserts.get());
        }
    }

    /**
     * ClickHouse is killed (SIGKILL) inside an INSERT: a proxy in front of it lets the chosen INSERT
     * reach the server and, as soon as the server answers, kills the server instead of passing the
     * answer on. The committer sees a broken connection for an INSERT that may have landed — the
     * in-doubt case — and must retry it with the same token after the restart. Whether the part
     * survived the kill or not (a lost part is repaired: {@code LostInsertRepairTest}), the totals
     * are exact.
     */
    @ParameterizedTest(name = "run {0}")
    @ValueSource(ints = {0, 1})
    void clickHouseIsKilledInsideAnInsertAndRestarted(int run) throws Exception {
        Random random = new Random(seed("kill", run));
        String t = table("t");
        long downMs = 500 + random.nextInt(1500);
        AtomicReference<String> armedToken = new AtomicReference<>();
        try (KillingProxy proxy =
                new KillingProxy(java.net.URI.create(clickhouse.httpUrl()).getPort(), () -> {
                    clickhouse.embedded().kill();
                    Thread restarter = new Thread(
                            () -> {
                                try {
                                    Thread.sleep(downMs);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                                clickhouse.embedded().restart();
                            },
                            "clickhouse-restarter");
                    restarter.setDaemon(true);
                    restarter.start();
                })) {
            ScenarioFaults faults = ScenarioFaults.with(scenario, Point.BEFORE_INSERT, 1 + random.nextInt(10), ctx -> {
                armedToken.set(ctx.token());
                proxy.arm(ctx.token());
            });
            try {
                runAndVerify(t, faults, options(t).url(proxy.url()).build());
            } finally {
                PipelineWait.until(() -> clickhouse.embedded().isRunning(), 30_000);
            }
            assertThat(proxy.killedInsideAnInsert())
                    .as("the server was killed after it answered the chosen INSERT")
                    .isTrue();
            long attempts =
                    ScenarioFaults.plan(scenario).attempts.get(armedToken.get()).get();
            assertThat(attempts)
                    .as("the in-doubt INSERT was sent again with its token")
                    .isGreaterThanOrEqualTo(2);
        }
    }

    /** Waits for a condition with a deadline. */
    static final class PipelineWait {
        static void until(java.util.function.BooleanSupplier condition, long timeoutMs) throws InterruptedException {
            long deadline = System.currentTimeMillis() + timeoutMs;
            while (!condition.getAsBoolean()) {
                if (System.currentTimeMillis() > deadline) {
                    throw new AssertionError("condition not met within " + timeoutMs + " ms");
                }
                Thread.sleep(50);
            }
        }
    }

    /**
     * A TCP proxy in front of ClickHouse. Once {@link #arm armed} with a token, the connection whose
     * request names it is watched: the request goes through, and when the server starts answering,
     * {@code onAnswer} runs (the test kills the server) and both sockets are closed instead of
     * passing the answer on. Clients do not pipeline, so the first bytes after the request are its answer.
     */
    static final class KillingProxy implements AutoCloseable {
        private final java.net.ServerSocket server;
        private final int backend;
        private final Runnable onAnswer;
        private volatile String armed;
        private final java.util.concurrent.atomic.AtomicBoolean killed =
                new java.util.concurrent.atomic.AtomicBoolean();
        private final java.util.List<java.net.Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();

        KillingProxy(int backend, Runnable onAnswer) throws java.io.IOException {
            this.backend = backend;
            this.onAnswer = onAnswer;
            this.server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            Thread t = new Thread(this::accept, "killing-proxy");
            t.setDaemon(true);
            t.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getLocalPort();
        }

        void arm(String token) {
            armed = token;
        }

        boolean killedInsideAnInsert() {
            return killed.get();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    java.net.Socket client = server.accept();
                    java.net.Socket to;
                    try {
                        to = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), backend);
                    } catch (java.io.IOException down) {
                        client.close(); // the server is down: refuse like it would
                        continue;
                    }
                    sockets.add(client);
                    sockets.add(to);
                    java.util.concurrent.atomic.AtomicBoolean watched = new java.util.concurrent.atomic.AtomicBoolean();
                    pump(client, to, watched, true);
                    pump(to, client, watched, false);
                } catch (java.io.IOException e) {
                    return;
                }
            }
        }

        private void pump(
                java.net.Socket from,
                java.net.Socket to,
                java.util.concurrent.atomic.AtomicBoolean watched,
                boolean request) {
            Thread t = new Thread(
                    () -> {
                        byte[] buf = new byte[65536];
                        try {
                            java.io.InputStream in = from.getInputStream();
                            java.io.OutputStream out = to.getOutputStream();
                            int n;
                            while ((n = in.read(buf)) >= 0) {
                                String token = armed;
                                if (request
                                        && token != null
                                        && !killed.get()
                                        && new String(buf, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1)
                                                .contains(token)) {
                                    watched.set(true);
                                }
                                if (!request && watched.get() && killed.compareAndSet(false, true)) {
                                    onAnswer.run(); // the server answered the INSERT: kill it before the client hears
                                    from.close();
                                    to.close();
                                    return;
                                }
                                out.write(buf, 0, n);
                                out.flush();
                            }
                        } catch (java.io.IOException e) {
                            // closed
                        } finally {
                            try {
                                from.close();
                                to.close();
                            } catch (java.io.IOException ignored) {
                                // best effort
                            }
                        }
                    },
                    "killing-proxy-pump");
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

    /**
     * The TaskManager dies after checkpoint N completed, while its committer is about to insert N's
     * batches (between completion and a finished notification); the restore commits them.
     */
    @Test
    void taskManagerLostBetweenCheckpointCompletionAndCommit(@InjectMiniCluster MiniCluster miniCluster)
            throws Exception {
        Random random = new Random(seed("taskManager", 0));
        String t = table("t");
        AtomicReference<Thread> chaos = new AtomicReference<>();
        ScenarioFaults faults = ScenarioFaults.with(scenario, Point.BEFORE_INSERT, 1 + random.nextInt(10), ctx -> {
            Thread thread = new Thread(
                    () -> {
                        try {
                            miniCluster.terminateTaskManager(0).get(30, java.util.concurrent.TimeUnit.SECONDS);
                            miniCluster.startTaskManager();
                        } catch (Exception e) {
                            LOG.error("TaskManager chaos failed", e);
                        }
                    },
                    "taskmanager-chaos");
            // Not the task's user-code class loader: it is closed when the task dies.
            thread.setContextClassLoader(ClassLoader.getSystemClassLoader());
            chaos.set(thread);
            thread.start();
            // Hold the commit until the TaskManager is gone (the task is cancelled and interrupted).
            Thread.sleep(30_000);
        });
        try {
            runAndVerify(t, faults, options(t).build());
        } finally {
            Thread thread = chaos.get();
            if (thread != null) {
                thread.join(30_000);
            }
        }
        assertThat(ScenarioFaults.plan(scenario).fired).isTrue();
        assertThat(ScenarioFaults.plan(scenario).recommits.get()).isPositive();
    }

    /**
     * Stop-with-savepoint mid-run, then resume from the savepoint with another parallelism: the
     * savepoint's committables are committed again by whichever subtask restores them (self-contained
     * committables), the source resumes after the savepoint, and checkpoint ids continue from the
     * savepoint's.
     */
    @ParameterizedTest(name = "parallelism {0} -> {1}")
    @org.junit.jupiter.params.provider.CsvSource({"2, 1", "1, 3"})
    void savepointRestoreWithChangedParallelism(
            int before, int after, @TempDir java.nio.file.Path dir, @InjectMiniCluster MiniCluster miniCluster)
            throws Exception {
        String t = table("t");
        ScenarioFaults probe = ScenarioFaults.throwing(scenario, null, 0);
        ClickHouseSink<TestRows.Row> sink =
                new ClickHouseSink<>(options(t).build(), new TestRows.Encoder()).withFaultInjector(probe);
        JobClient first = SinkPipelineHarness.start(kafka.bootstrapServers(), topic, sink, before, null);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (ScenarioFaults.plan(scenario).inserts.get() < 3) {
            assertThat(System.nanoTime()).as("first job commits").isLessThan(deadline);
            Thread.sleep(20);
        }
        String savepoint = first.stopWithSavepoint(false, dir.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(60, java.util.concurrent.TimeUnit.SECONDS);
        long rowsBefore = clickhouse.queryLong(db, "SELECT count() FROM " + t);
        LOG.info("Stopped with savepoint {} after {} rows", savepoint, rowsBefore);
        assertThat(rowsBefore).isPositive().isLessThan(N);
        // A bounded KafkaSource restored from a savepoint does not reach end-of-input (its readers
        // never get the no-more-splits signal for restored splits), so the resumed job runs like the
        // unbounded production job: wait until every row is committed, let several more
        // checkpoints complete (a duplicate would show up now), then check and cancel.
        JobClient resumed = SinkPipelineHarness.start(kafka.bootstrapServers(), topic, sink, after, savepoint);
        try {
            long resumeDeadline = System.nanoTime() + TIMEOUT.toNanos();
            while (clickhouse.queryLong(db, "SELECT count() FROM " + t) < N) {
                assertThat(System.nanoTime())
                        .as("resumed job commits every row")
                        .isLessThan(resumeDeadline);
                Thread.sleep(100);
            }
            // a late duplicate commit would show by then
            Checkpoints.awaitMore(miniCluster, resumed.getJobID(), 5, TIMEOUT);
            SinkPipelineHarness.assertExactlyOnce(clickhouse, db, t, topic);
        } finally {
            resumed.cancel().get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        LOG.info(
                "Re-commits after the restore: {}",
                ScenarioFaults.plan(scenario).recommits.get());
    }

    @Test
    void negativeControlWithoutTokensTheReCommitDuplicates() throws Exception {
        Random random = new Random(seed("negative", 0));
        String t = table("t");
        ScenarioFaults faults = ScenarioFaults.throwing(scenario, Point.AFTER_INSERT, 1 + random.nextInt(6));
        ClickHouseSink<TestRows.Row> sink = new ClickHouseSink<>(
                        options(t).idempotentCommits(false).build(), new TestRows.Encoder())
                .withFaultInjector(faults);
        SinkPipelineHarness.run(kafka.bootstrapServers(), topic, sink, PARALLELISM, TIMEOUT);
        assertThat(ScenarioFaults.plan(scenario).recommits.get()).isPositive();
        // The checker must see the duplicates the token would have prevented.
        assertThat(clickhouse.queryLong(db, "SELECT count() FROM " + t)).isGreaterThan(N);
        assertThat(clickhouse.queryLong(db, "SELECT uniqExact(seq) FROM " + t)).isEqualTo(N);
    }

    @Test
    void atLeastOnceLoadsEveryRecordWithoutFaults() throws Exception {
        String t = table("t");
        ScenarioFaults probe = ScenarioFaults.throwing(scenario, null, 0);
        runAndVerify(
                t,
                probe,
                options(t).deliveryMode(DeliveryGuarantee.AT_LEAST_ONCE).build());
        assertThat(ScenarioFaults.plan(scenario).inserts.get()).isPositive();
    }
}
