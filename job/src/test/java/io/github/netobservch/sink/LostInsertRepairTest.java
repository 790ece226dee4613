package io.github.netobservch.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The state a plain-MergeTree server leaves when it dies between recording an INSERT's token in its
 * deduplication log and publishing the part: the token is remembered, the rows are gone, and a retry
 * with the token is acknowledged and dropped. (Seen in {@code ClickHouseSinkITCase}'s kill test: 83 of
 * 12,000 rows lost; about 1 in 100 {@code kill -9} mid-insert.) Here the state is made exactly: insert,
 * stop the server, delete the part's directory (as the restart would delete a never-published part),
 * start again. The committer must notice the missing rows when it re-commits and insert them again,
 * once, and must not touch batches that are there.
 */
@ExtendWith(EmbeddedClickHouseExtension.class)
class LostInsertRepairTest {

    private static final String JOB = "00000000000000000000000000000002";

    private ClickHouseTestServer clickhouse;
    private String db;

    @BeforeEach
    void setUp(ClickHouseTestServer server) throws Exception {
        clickhouse = server;
        db = server.createDatabase("repair");
        clickhouse.execute(db, TestRows.ddl("t", 1000));
    }

    private ClickHouseSinkOptions.Builder optionsBuilder() {
        return ClickHouseSinkOptions.builder()
                .url(clickhouse.httpUrl())
                .database(db)
                .table("t")
                .sinkName("repair")
                .backoff(Duration.ofMillis(10), Duration.ofMillis(40));
    }

    private ClickHouseSinkOptions options() {
        return optionsBuilder().build();
    }

    private ClickHouseCommittable batch(long fromSeq, int rows, boolean withProbe) {
        return TestRows.batch("repair", db, JOB, fromSeq, rows, withProbe, -1);
    }

    /** Commits {@code c} as attempt {@code attempt} would after a failover (from state when attempt > 0). */
    private SinkMetrics commit(ClickHouseCommittable c, int attempt) throws Exception {
        return commit(c, attempt, options());
    }

    /** One commit call with {@code c} alone, which must succeed; the committer's counters after it. */
    private static SinkMetrics commitOne(ClickHouseCommitter committer, ClickHouseCommittable c) throws Exception {
        TestRequest request = new TestRequest(c);
        committer.commit(
                List.<org.apache.flink.api.connector.sink2.Committer.CommitRequest<ClickHouseCommittable>>of(request));
        assertThat(request.signal).isEqualTo(TestRequest.Signal.NONE);
        return committer.metrics();
    }

    private long rows() throws Exception {
        return clickhouse.queryLong(db, "SELECT count() FROM t");
    }

    /** Removes every active part of {@code t} while the server is down; its deduplication log stays. */
    private void loseThePartsButKeepTheTokens() throws Exception {
        loseThePartsButKeepTheTokens("'t'");
    }

    /** Removes every active part of the tables in {@code tableList} (SQL list) while the server is down. */
    private void loseThePartsButKeepTheTokens(String tableList) throws Exception {
        List<String> paths = clickhouse.queryColumn(
                db,
                "SELECT path FROM system.parts WHERE database =" + " currentDatabase() AND table IN (" + tableList
                        + ") AND active");
        assertThat(paths).isNotEmpty();
        clickhouse.embedded().stop();
        for (String path : paths) {
            try (Stream<Path> files = Files.walk(Path.of(path))) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            assertThat(Path.of(path)).doesNotExist();
        }
        clickhouse.embedded().restart();
    }

    @Test
    void aTokenRememberedWithoutItsRowsIsInsertedAgainOnce() throws Exception {
        ClickHouseCommittable c = batch(1, 500, true);
        SinkMetrics first = commit(c, 0);
        assertThat(first.inDoubtChecks.getCount())
                .as("a first, clean commit is not checked")
                .isZero();
        assertThat(rows()).isEqualTo(500);

        loseThePartsButKeepTheTokens();
        assertThat(rows()).isZero();

        SinkMetrics recommit = commit(c, 1);
        assertThat(recommit.lostInsertsRepaired.getCount()).isEqualTo(1);
        assertThat(rows()).isEqualTo(500);
        assertThat(clickhouse.queryLong(db, "SELECT uniqExact(seq) FROM t")).isEqualTo(500);

        // Another failover restores the same committable: its repair token is deduplicated, nothing doubles.
        SinkMetrics again = commit(c, 2);
        assertThat(again.lostInsertsRepaired.getCount()).isZero();
        assertThat(again.inDoubtChecks.getCount()).isEqualTo(1);
        assertThat(rows()).isEqualTo(500);
    }

    @Test
    void aRepairThatIsLostTooIsRepairedUnderTheNextToken() throws Exception {
        ClickHouseCommittable c = batch(1, 300, true);
        commit(c, 0);
        loseThePartsButKeepTheTokens();
        assertThat(commit(c, 1).lostInsertsRepaired.getCount()).isEqualTo(1);
        assertThat(rows()).isEqualTo(300);

        loseThePartsButKeepTheTokens(); // the repair (token~1) is lost the same way
        assertThat(rows()).isZero();
        assertThat(commit(c, 2).lostInsertsRepaired.getCount()).isEqualTo(2);
        assertThat(rows()).isEqualTo(300);
        assertThat(clickhouse.queryLong(db, "SELECT uniqExact(seq) FROM t")).isEqualTo(300);
    }

    @Test
    void batchesThatLandedAreCheckedAndLeftAlone() throws Exception {
        ClickHouseCommittable a = batch(1, 200, true);
        ClickHouseCommittable b = batch(1_001, 200, true);
        commit(a, 0);
        commit(b, 0);
        SinkMetrics recommitA = commit(a, 1);
        SinkMetrics recommitB = commit(b, 1);
        assertThat(recommitA.inDoubtChecks.getCount() + recommitB.inDoubtChecks.getCount())
                .isEqualTo(2);
        assertThat(recommitA.lostInsertsRepaired.getCount() + recommitB.lostInsertsRepaired.getCount())
                .isZero();
        assertThat(rows()).isEqualTo(400);
    }

    /**
     * With a materialized view: ClickHouse runs views only after the target's part is committed (a
     * failing view leaves the target's rows in place), so a crash before that commit loses the view's
     * rows too. The repair's INSERT runs the view again under the new token: the rollup gets the batch
     * exactly once.
     */
    @Test
    void aRepairAlsoFillsTheMaterializedViewsOnce() throws Exception {
        clickhouse.execute(
                db,
                "CREATE TABLE per_insert (rows UInt64) ENGINE = MergeTree ORDER BY tuple()"
                        + " SETTINGS non_replicated_deduplication_window = 1000");
        clickhouse.execute(db, "CREATE MATERIALIZED VIEW per_insert_mv TO per_insert AS SELECT count() AS rows FROM t");
        ClickHouseCommittable c = batch(1, 400, true);
        commit(c, 0);
        assertThat(clickhouse.queryLong(db, "SELECT sum(rows) FROM per_insert")).isEqualTo(400);

        loseThePartsButKeepTheTokens("'t', 'per_insert'");
        assertThat(clickhouse.queryLong(db, "SELECT count() FROM per_insert")).isZero();
        assertThat(commit(c, 1).lostInsertsRepaired.getCount()).isEqualTo(1);
        assertThat(rows()).isEqualTo(400);
        assertThat(clickhouse.queryLong(db, "SELECT sum(rows) FROM per_insert")).isEqualTo(400);

        commit(c, 2); // and a later re-commit changes neither
        assertThat(rows()).isEqualTo(400);
        assertThat(clickhouse.queryLong(db, "SELECT sum(rows) FROM per_insert")).isEqualTo(400);
    }

    /** A probe the table cannot answer (here: a column it lacks) fails the commit with the server's error. */
    @Test
    void aProbeTheTableCannotAnswerFailsTheCommitVisibly() throws Exception {
        ClickHouseCommittable good = batch(1, 10, true);
        ClickHouseCommittable c = new ClickHouseCommittable(
                good.token(),
                good.database(),
                good.table(),
                good.partitionKey(),
                good.columns(),
                good.rowCount(),
                good.rawLength(),
                good.codec(),
                good.storedPayload(),
                good.originJobId(),
                good.originSubtask(),
                good.originAttempt(),
                good.createdAtMillis(),
                new PresenceProbe("no_such_column = {x:UInt64}", java.util.Map.of("x", "1")),
                -1);
        try (ClickHouseCommitter committer =
                new ClickHouseCommitter(options(), SinkFaultInjector.NONE, JOB, 1, 0, new UnregisteredMetricsGroup())) {
            TestRequest request = new TestRequest(c);
            committer.commit(
                    List.<org.apache.flink.api.connector.sink2.Committer.CommitRequest<ClickHouseCommittable>>of(
                            request));
            assertThat(request.signal).isEqualTo(TestRequest.Signal.FAILED_UNKNOWN);
            assertThat(request.failure).hasMessageContaining("UNKNOWN_IDENTIFIER");
        }
        assertThat(rows())
                .as("the INSERT itself went through; only the check failed")
                .isEqualTo(10);
    }

    /**
     * A JobManager failover (with HA), the adaptive scheduler or a {@code last-state} upgrade restores
     * the job with the <em>same</em> job id and attempt number. Flink says the committer was restored
     * (its restored checkpoint id), and the committable was sealed before the committer started: it
     * is in doubt and gets its probe, and the lost batch is repaired.
     */
    @Test
    void aRestoreThatKeepsJobIdAndAttemptIsStillInDoubt() throws Exception {
        ClickHouseCommittable c = batch(1, 250, true);
        commit(c, 0);
        loseThePartsButKeepTheTokens();
        long restartedAt = c.createdAtMillis() + 5 * ClickHouseCommitter.RESTORE_CLOCK_MARGIN_MS;
        SinkMetrics restored = commitAs(c, 0, true, restartedAt);
        assertThat(restored.inDoubtChecks.getCount())
                .as("the probe and its recheck")
                .isEqualTo(2);
        assertThat(restored.lostInsertsRepaired.getCount()).isEqualTo(1);
        assertThat(rows()).isEqualTo(250);
    }

    /** Negative control: the old rule (job id and attempt only) takes that restore for a first commit, and the batch stays lost. */
    @Test
    void judgedByJobIdAndAttemptAloneTheSameRestoreLosesTheBatch() throws Exception {
        ClickHouseCommittable c = batch(1, 250, true);
        commit(c, 0);
        loseThePartsButKeepTheTokens();
        long restartedAt = c.createdAtMillis() + 5 * ClickHouseCommitter.RESTORE_CLOCK_MARGIN_MS;
        SinkMetrics notRestored = commitAs(c, 0, false, restartedAt);
        assertThat(notRestored.inDoubtChecks.getCount()).isZero();
        assertThat(rows()).isZero();
    }

    /** In a restored execution, a committable sealed well after the committer started is its own: no probe. */
    @Test
    void aRestoredCommitterDoesNotProbeWhatItsOwnExecutionSealedLater() throws Exception {
        ClickHouseCommittable c = batch(1, 50, true);
        long startedBefore = c.createdAtMillis() - 2 * ClickHouseCommitter.RESTORE_CLOCK_MARGIN_MS;
        try (ClickHouseCommitter committer = new ClickHouseCommitter(
                options(), SinkFaultInjector.NONE, JOB, 0, 0, new UnregisteredMetricsGroup(), true, startedBefore)) {
            assertThat(committer.isFromState(c)).isFalse();
        }
        try (ClickHouseCommitter committer = new ClickHouseCommitter(
                options(),
                SinkFaultInjector.NONE,
                JOB,
                0,
                0,
                new UnregisteredMetricsGroup(),
                true,
                c.createdAtMillis() - ClickHouseCommitter.RESTORE_CLOCK_MARGIN_MS / 2)) {
            assertThat(committer.isFromState(c))
                    .as("within the clock margin: probed, to be safe")
                    .isTrue();
        }
    }

    private SinkMetrics commitAs(ClickHouseCommittable c, int attempt, boolean restored, long startedAt)
            throws Exception {
        try (ClickHouseCommitter committer = new ClickHouseCommitter(
                options(),
                SinkFaultInjector.NONE,
                JOB,
                attempt,
                0,
                new UnregisteredMetricsGroup(),
                restored,
                startedAt)) {
            return commitOne(committer, c);
        }
    }

    /**
     * A batch of a day past the table's TTL (a replay of old captures): ClickHouse drops its rows, the
     * probe finds none, and that absence is no loss. The committer does not insert it again.
     */
    @Test
    void anAbsenceInAPartitionPastTheTtlIsNotRepaired() throws Exception {
        clickhouse.execute(db, "DROP TABLE t");
        clickhouse.execute(db, TestRows.ddl("t", 1000).replace(" SETTINGS", " TTL day + toIntervalDay(30) SETTINGS"));
        ClickHouseCommittable c = batch(1, 100, true); // day 2024-10-04, long past 30 days
        commit(c, 0);
        clickhouse.execute(db, "OPTIMIZE TABLE t FINAL"); // apply the TTL now, whenever the engine would
        assertThat(rows()).isZero();
        SinkMetrics restored = commit(c, 1);
        assertThat(restored.inDoubtUncheckable.getCount()).isEqualTo(1);
        assertThat(restored.lostInsertsRepaired.getCount()).isZero();
        assertThat(restored.rowsCommitted.getCount()).isEqualTo(100);
    }

    /**
     * Negative control: trusting every absence, the committer inserts the expired batch again (how
     * often depends on how fast the engine's TTL merge removes each repair: at most up to the cap).
     */
    @Test
    void trustingEveryAbsenceAnExpiredBatchIsInsertedAgain() throws Exception {
        clickhouse.execute(db, "DROP TABLE t");
        clickhouse.execute(db, TestRows.ddl("t", 1000).replace(" SETTINGS", " TTL day + toIntervalDay(30) SETTINGS"));
        ClickHouseCommittable c = batch(1, 100, true);
        commit(c, 0);
        clickhouse.execute(db, "OPTIMIZE TABLE t FINAL");
        SinkMetrics restored = commit(c, 1, blindOptions());
        assertThat(restored.lostInsertsRepaired.getCount()).isBetween(1L, (long) CommitExecutor.MAX_REPAIRS_PER_CALL);
    }

    /**
     * A probe that can never see its batch (for a reason no check catches) would make the committer
     * insert it again forever: it stops after {@link CommitExecutor#MAX_REPAIRS_PER_CALL} repairs and
     * says so. (Here the probe looks for a row the batch does not have.)
     */
    @Test
    void repairsStopAtTheCap() throws Exception {
        ClickHouseCommittable good = batch(1, 10, true);
        ClickHouseCommittable c = new ClickHouseCommittable(
                good.token(),
                good.database(),
                good.table(),
                good.partitionKey(),
                good.columns(),
                good.rowCount(),
                good.rawLength(),
                good.codec(),
                good.storedPayload(),
                good.originJobId(),
                good.originSubtask(),
                good.originAttempt(),
                good.createdAtMillis(),
                new PresenceProbe("seq = {seq:UInt64}", java.util.Map.of("seq", "424242")),
                -1);
        commit(c, 0);
        SinkMetrics restored = commit(c, 1);
        assertThat(restored.lostInsertsRepaired.getCount()).isEqualTo(CommitExecutor.MAX_REPAIRS_PER_CALL);
        assertThat(restored.inDoubtUncheckable.getCount()).isEqualTo(1);
        assertThat(rows())
                .as("the first insert and the capped repairs")
                .isEqualTo(10L * (1 + CommitExecutor.MAX_REPAIRS_PER_CALL));
    }

    /**
     * The batch is there, but its first row is hidden from the sink's user (a lightweight DELETE here;
     * a row policy hides rows the same way): the probe cannot see it, so it must not insert the batch
     * again — that would double the other rows.
     */
    @Test
    void aBatchWhoseRowsAreHiddenFromTheProbeIsNotInsertedAgain() throws Exception {
        ClickHouseCommittable c = batch(1, 500, true);
        commit(c, 0);
        clickhouse.execute(db, "DELETE FROM t WHERE seq = 1");
        assertThat(rows()).isEqualTo(499);
        SinkMetrics restored = commit(c, 1);
        assertThat(restored.inDoubtUncheckable.getCount()).isEqualTo(1);
        assertThat(restored.lostInsertsRepaired.getCount()).isZero();
        assertThat(rows()).isEqualTo(499);
    }

    /** Negative control: trusting the probe's answer, the committer doubles the 499 rows that were there. */
    @Test
    void trustingTheProbeBlindlyDoublesAHiddenBatch() throws Exception {
        ClickHouseCommittable c = batch(1, 500, true);
        commit(c, 0);
        clickhouse.execute(db, "DELETE FROM t WHERE seq = 1");
        SinkMetrics restored = commit(c, 1, blindOptions());
        assertThat(restored.lostInsertsRepaired.getCount()).isEqualTo(1);
        assertThat(rows()).isEqualTo(999);
        assertThat(clickhouse.queryLong(db, "SELECT uniqExact(seq) FROM t")).isEqualTo(500);
    }

    private ClickHouseSinkOptions blindOptions() {
        return optionsBuilder().probeTrustChecks(false).build();
    }

    private SinkMetrics commit(ClickHouseCommittable c, int attempt, ClickHouseSinkOptions o) throws Exception {
        try (ClickHouseCommitter committer =
                new ClickHouseCommitter(o, SinkFaultInjector.NONE, JOB, attempt, 0, new UnregisteredMetricsGroup())) {
            return commitOne(committer, c);
        }
    }

    /**
     * Negative control for the token alone: with {@code insert_deduplicate=1} but no token, ClickHouse
     * deduplicates by block hash. Re-commits would stay idempotent that way (every batch's rows differ
     * by Kafka offset), but a lost batch cannot be inserted again: the repair is the same rows, whose
     * hash the log still holds, so every repair is dropped and the batch stays lost. The derived
     * tokens ({@code <token>~1}, …) are what make the repair possible.
     */
    @Test
    void withoutTokensEveryRepairOfALostBatchIsDroppedAsADuplicate() throws Exception {
        ClickHouseSinkOptions hashOnly = options().toBuilder().sendTokens(false).build();
        ClickHouseCommittable c = batch(1, 100, true);
        commit(c, 0, hashOnly);
        assertThat(rows()).isEqualTo(100);
        loseThePartsButKeepTheTokens();
        SinkMetrics restored = commit(c, 1, hashOnly);
        assertThat(restored.lostInsertsRepaired.getCount()).isEqualTo(CommitExecutor.MAX_REPAIRS_PER_CALL);
        assertThat(rows()).as("each repair dropped as a duplicate block").isZero();
    }

    /** Negative control: without a probe the re-commit is acknowledged and the rows stay lost. */
    @Test
    void withoutAProbeTheBatchIsSilentlyLost() throws Exception {
        ClickHouseCommittable c = batch(1, 500, false);
        commit(c, 0);
        loseThePartsButKeepTheTokens();
        SinkMetrics recommit = commit(c, 1);
        assertThat(recommit.inDoubtChecks.getCount()).isZero();
        assertThat(recommit.rowsCommitted.getCount())
                .as("the server acknowledged it")
                .isEqualTo(500);
        assertThat(rows()).isZero();
    }
}
