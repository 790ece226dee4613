package io.github.netobservch.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.sink.FakeClickHouse.Fault;
import java.time.Duration;
import java.util.Collections;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

/**
 * The commit protocol ({@link CommitExecutor}: attempt, in doubt, probe, repair, retry, fail) against
 * an in-memory ClickHouse ({@link FakeClickHouse}) — every outcome, no server. The same paths run
 * against the real engine in {@code LostInsertRepairTest}, {@code ClickHouseCommitterTest} and the
 * sink's integration tests.
 */
class CommitProtocolTest {

    private static final String JOB = "00000000000000000000000000000009";

    private final FakeClickHouse server = new FakeClickHouse();
    private final SinkMetrics metrics = new SinkMetrics(new UnregisteredMetricsGroup());

    private ClickHouseSinkOptions.Builder options() {
        return ClickHouseSinkOptions.builder()
                .url("http://fake:8123")
                .database("db")
                .table("t")
                .sinkName("p")
                .maxAttemptsPerCommit(3)
                .backoff(Duration.ofMillis(1), Duration.ofMillis(2));
    }

    private CommitExecutor executor(ClickHouseSinkOptions o) {
        return new CommitExecutor(o, metrics, SinkFaultInjector.NONE, 0, 0, shard -> server, Duration.ZERO);
    }

    private CommitExecutor executor() {
        return executor(options().build());
    }

    /** A batch of 10 rows with a probe; the fake learns which probe finds it. */
    private ClickHouseCommittable batch(long fromSeq, boolean withProbe) {
        ClickHouseCommittable c = TestRows.batch("p", "db", JOB, fromSeq, 10, withProbe, -1);
        if (withProbe) {
            server.probeKeyByToken.put(c.token(), c.probe().params().toString());
        }
        return c;
    }

    @Test
    void aCleanFirstAttemptIsCommittedWithItsTokenAndNotProbed() throws Exception {
        ClickHouseCommittable c = batch(1, true);
        CommitResult result = executor().commit(c, 0, false);
        assertThat(result).isInstanceOf(CommitResult.Committed.class);
        assertThat(server.insertTokens).containsExactly(c.token());
        assertThat(server.probes).isZero();
        assertThat(server.partsOf(c.token())).isEqualTo(1);
        assertThat(metrics.commits.getCount()).isEqualTo(1);
    }

    @Test
    void transientFailuresAreRetriedWithTheSameTokenAndTheInDoubtBatchIsProbed() throws Exception {
        ClickHouseCommittable c = batch(1, true);
        server.fail(Fault.TIMEOUT_AFTER, Fault.TIMEOUT_BEFORE); // landed, answer lost; then not reached
        CommitResult result = executor().commit(c, 0, false);
        assertThat(result).isInstanceOf(CommitResult.Committed.class);
        assertThat(server.insertTokens).containsExactly(c.token(), c.token(), c.token());
        assertThat(server.partsOf(c.token()))
                .as("the repeat was dropped by its token")
                .isEqualTo(1);
        assertThat(server.probes)
                .as("in doubt after the failures: probed once, found")
                .isEqualTo(1);
        assertThat(metrics.retries.getCount()).isEqualTo(2);
        assertThat(metrics.lostInsertsRepaired.getCount()).isZero();
    }

    @Test
    void transientFailuresBeyondTheAttemptsHandTheBatchBackWithTheLastCause() throws Exception {
        ClickHouseCommittable c = batch(1, true);
        server.fail(Fault.TIMEOUT_BEFORE, Fault.TIMEOUT_BEFORE, Fault.TIMEOUT_BEFORE);
        CommitResult result = executor().commit(c, 0, false);
        assertThat(result).isInstanceOfSatisfying(CommitResult.RetryLater.class, r -> assertThat(r.lastFailure())
                .hasMessageContaining("Read timed out"));
        assertThat(server.insertTokens).hasSize(3).containsOnly(c.token());
        assertThat(server.parts).isEmpty();
        assertThat(metrics.unreachableSeconds()).isGreaterThanOrEqualTo(0);
        // Flink calls again: the next call continues with the same token and lands it.
        assertThat(executor().commit(c, 1, false)).isInstanceOf(CommitResult.Committed.class);
        assertThat(server.partsOf(c.token())).isEqualTo(1);
    }

    @Test
    void aPermanentErrorFailsAtOnceAndKeepsTheCause() throws Exception {
        ClickHouseCommittable c = batch(1, true);
        server.fail(Fault.PERMANENT);
        CommitResult result = executor().commit(c, 0, false);
        assertThat(result).isInstanceOfSatisfying(CommitResult.Failed.class, f -> assertThat(f.cause())
                .hasMessageContaining("UNKNOWN_TABLE"));
        assertThat(server.insertTokens).hasSize(1);
        assertThat(metrics.commitFailures.getCount()).isEqualTo(1);
    }

    @Test
    void aRestoredBatchThatHadLandedIsProbedFoundAndNotDoubled() throws Exception {
        ClickHouseCommittable c = batch(1, true);
        executor().commit(c, 0, false);
        CommitResult again = executor().commit(c, 0, true);
        assertThat(again).isInstanceOf(CommitResult.Committed.class);
        assertThat(server.partsOf(c.token())).isEqualTo(1);
        assertThat(server.probes).isEqualTo(1);
        assertThat(metrics.recommits.getCount()).isEqualTo(1);
    }

    @Test
    void aTokenRecordedWithoutItsPartIsRepairedOnceUnderADerivedToken() throws Exception {
        ClickHouseCommittable c = batch(1, true);
        server.fail(Fault.TOKEN_WITHOUT_PART);
        CommitResult result = executor().commit(c, 0, false);
        assertThat(result).isInstanceOf(CommitResult.Committed.class);
        assertThat(server.insertTokens).containsExactly(c.token(), c.token(), c.token() + "~1");
        assertThat(server.partsOf(c.token())).isEqualTo(1);
        assertThat(metrics.lostInsertsRepaired.getCount()).isEqualTo(1);
    }

    @Test
    void negativeControlWithoutAProbeTheLostBatchStaysLost() throws Exception {
        ClickHouseCommittable c = batch(1, false);
        server.fail(Fault.TOKEN_WITHOUT_PART);
        assertThat(executor().commit(c, 0, false)).isInstanceOf(CommitResult.Committed.class);
        assertThat(server.partsOf(c.token())).as("acknowledged, and not there").isZero();
    }

    @Test
    void repairsStopAfterTheCapWhenTheProbeNeverSeesTheBatch() throws Exception {
        ClickHouseCommittable c = batch(1, true);
        server.probeKeyByToken.put(c.token(), "a key no probe asks for");
        // Repairs take attempts of the call: the default four hold the first INSERT and three repairs.
        CommitResult result =
                executor(options().maxAttemptsPerCommit(4).build()).commit(c, 0, true);
        assertThat(result).isInstanceOf(CommitResult.Committed.class);
        assertThat(metrics.lostInsertsRepaired.getCount()).isEqualTo(CommitExecutor.MAX_REPAIRS_PER_CALL);
        assertThat(metrics.inDoubtUncheckable.getCount()).isEqualTo(1);
        assertThat(server.insertTokens).hasSize(1 + CommitExecutor.MAX_REPAIRS_PER_CALL);
    }

    @Test
    void replicatedTablesAreLeftToTheirOwnDeduplicationAndNotProbed() throws Exception {
        server.engine = "ReplicatedMergeTree";
        ClickHouseCommittable c = batch(1, true);
        server.fail(Fault.TOKEN_WITHOUT_PART);
        assertThat(executor().commit(c, 0, true)).isInstanceOf(CommitResult.Committed.class);
        assertThat(server.probes).isZero();
        assertThat(metrics.lostInsertsRepaired.getCount()).isZero();
    }

    @Test
    void anAbsenceBehindARowPolicyIsNotTrustedAndNotRepaired() throws Exception {
        ClickHouseCommittable other = batch(100, true);
        executor().commit(other, 0, false);
        server.hiddenRows = 5;
        ClickHouseCommittable c = batch(1, true);
        server.fail(Fault.TOKEN_WITHOUT_PART);
        assertThat(executor().commit(c, 0, false)).isInstanceOf(CommitResult.Committed.class);
        assertThat(metrics.inDoubtUncheckable.getCount()).isEqualTo(1);
        assertThat(metrics.lostInsertsRepaired.getCount()).isZero();
        assertThat(server.insertTokens).doesNotContain(c.token() + "~1");
    }

    @Test
    void anAbsencePastTheTablesTtlIsNotRepaired() throws Exception {
        server.createTableQuery = "CREATE TABLE db.t (d Date) ENGINE = MergeTree ORDER BY d TTL d + toIntervalDay(30)";
        ClickHouseCommittable c = batch(1, true); // partition 2024-10-04, long past 30 days
        server.fail(Fault.TOKEN_WITHOUT_PART);
        assertThat(executor().commit(c, 0, false)).isInstanceOf(CommitResult.Committed.class);
        assertThat(metrics.inDoubtUncheckable.getCount()).isEqualTo(1);
        assertThat(metrics.lostInsertsRepaired.getCount()).isZero();
    }

    @Test
    void aProbeThatTimesOutIsRetriedLikeAnInsert() throws Exception {
        ClickHouseCommittable c = batch(1, true);
        server.fail(Fault.PROBE_TIMEOUT);
        assertThat(executor().commit(c, 0, true)).isInstanceOf(CommitResult.Committed.class);
        assertThat(server.probes).isEqualTo(2);
        assertThat(server.partsOf(c.token())).isEqualTo(1);
        assertThat(metrics.retries.getCount()).isEqualTo(1);
    }

    @Test
    void withoutTokensARepeatIsDeduplicatedByContentOnlyAndARepairIsImpossible() throws Exception {
        // Negative control of the token: without one the fake (like ClickHouse without a token and
        // without block-hash deduplication) loads the repeat of an in-doubt batch twice.
        ClickHouseSinkOptions naive = options().idempotentCommits(false).build();
        ClickHouseCommittable c = batch(1, true);
        server.fail(Fault.TIMEOUT_AFTER);
        assertThat(executor(naive).commit(c, 0, false)).isInstanceOf(CommitResult.Committed.class);
        assertThat(server.parts).hasSize(2);
        assertThat(Collections.frequency(server.insertTokens, null)).isEqualTo(2);
    }

    @Test
    void eachShardGetsItsOwnTargetAndAllAreClosed() throws Exception {
        FakeClickHouse other = new FakeClickHouse();
        CommitExecutor executor = new CommitExecutor(
                options()
                        .shardUrls(java.util.List.of("http://a:8123", "http://b:8123"))
                        .build(),
                metrics,
                SinkFaultInjector.NONE,
                0,
                0,
                s -> s == 1 ? other : server,
                Duration.ZERO);
        ClickHouseCommittable c = TestRows.batch("p", "db", JOB, 1, 10, false, 1);
        assertThat(executor.commit(c, 0, false)).isInstanceOf(CommitResult.Committed.class);
        assertThat(other.parts).hasSize(1);
        assertThat(server.parts).isEmpty();
        executor.close();
        assertThat(other.closed).isTrue();
    }
}
