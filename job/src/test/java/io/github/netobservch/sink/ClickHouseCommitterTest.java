package io.github.netobservch.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The committer against the engine: idempotent re-commits, error handling, throughput. */
@ExtendWith(EmbeddedClickHouseExtension.class)
class ClickHouseCommitterTest {

    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseCommitterTest.class);
    private static final String JOB = "00000000000000000000000000000001";

    private ClickHouseTestServer clickhouse;
    private String db;

    @BeforeEach
    void setUp(ClickHouseTestServer server) throws Exception {
        clickhouse = server;
        db = server.createDatabase("committer");
        clickhouse.execute(db, TestRows.ddl("t", 1000));
    }

    private ClickHouseSinkOptions.Builder options() {
        return ClickHouseSinkOptions.builder()
                .url(clickhouse.httpUrl())
                .database(db)
                .table("t")
                .sinkName("test")
                .backoff(Duration.ofMillis(10), Duration.ofMillis(40));
    }

    private static ClickHouseCommittable batch(ClickHouseSinkOptions.Builder o, long fromSeq, int rows, int attempt) {
        RowBinaryWriter w = new RowBinaryWriter();
        TestRows.Encoder encoder = new TestRows.Encoder();
        for (long s = fromSeq; s < fromSeq + rows; s++) {
            encoder.encode(new TestRows.Row(s, 0, 10, 1, 20_000), w);
        }
        return ClickHouseCommittable.seal(
                o.build().sinkName(),
                o.build().database(),
                o.build().table(),
                "1970-01-01",
                encoder.columns(),
                rows,
                w.toByteArray(),
                PayloadCodec.LZ4,
                JOB,
                0,
                attempt,
                null);
    }

    private static ClickHouseCommitter committer(ClickHouseSinkOptions o, int attempt) {
        return new ClickHouseCommitter(o, SinkFaultInjector.NONE, JOB, attempt, 0, new UnregisteredMetricsGroup());
    }

    private static void commit(ClickHouseCommitter committer, TestRequest... requests) throws Exception {
        Collection<org.apache.flink.api.connector.sink2.Committer.CommitRequest<ClickHouseCommittable>> list =
                new ArrayList<>(List.of(requests));
        committer.commit(list);
    }

    @Test
    void aReCommitWithTheSameTokenIsDroppedAndCountedAsRecommit() throws Exception {
        ClickHouseSinkOptions o = options().build();
        ClickHouseCommittable c = batch(options(), 1, 500, 0);
        try (ClickHouseCommitter first = committer(o, 0);
                ClickHouseCommitter afterFailover = committer(o, 1)) {
            TestRequest r = new TestRequest(c);
            commit(first, r);
            assertThat(r.signal).isEqualTo(TestRequest.Signal.NONE);
            assertThat(first.metrics().recommits.getCount()).isZero();
            // Failover: the committable comes back from the checkpoint and is committed again.
            TestRequest again = new TestRequest(new ClickHouseCommittableSerializer()
                    .deserialize(
                            ClickHouseCommittableSerializer.CURRENT_VERSION,
                            new ClickHouseCommittableSerializer().serialize(c)));
            commit(afterFailover, again);
            assertThat(again.signal).isEqualTo(TestRequest.Signal.NONE);
            assertThat(afterFailover.metrics().recommits.getCount()).isEqualTo(1);
        }
        assertThat(clickhouse.queryLong(db, "SELECT count() FROM t")).isEqualTo(500);
        assertThat(clickhouse.queryLong(db, "SELECT uniqExact(seq) FROM t")).isEqualTo(500);
    }

    @Test
    void negativeControlWithoutTokenDuplicates() throws Exception {
        ClickHouseSinkOptions o = options().idempotentCommits(false).build();
        ClickHouseCommittable c = batch(options(), 1, 100, 0);
        try (ClickHouseCommitter committer = committer(o, 0)) {
            commit(committer, new TestRequest(c));
            commit(committer, new TestRequest(c));
        }
        assertThat(clickhouse.queryLong(db, "SELECT count() FROM t")).isEqualTo(200);
    }

    @Test
    void schemaErrorFailsTheJobAndNeverDiscardsTheCommittable() throws Exception {
        clickhouse.execute(db, "ALTER TABLE t DROP COLUMN iface");
        try (ClickHouseCommitter committer = committer(options().build(), 0)) {
            TestRequest r = new TestRequest(batch(options(), 1, 10, 0));
            commit(committer, r);
            assertThat(r.signal).isEqualTo(TestRequest.Signal.FAILED_UNKNOWN);
            assertThat(r.failure)
                    .hasMessageContaining("cannot commit ClickHouseCommittable{token=test-")
                    .hasMessageContaining("ClickHouse error 16 (NO_SUCH_COLUMN_IN_TABLE)");
            assertThat(committer.metrics().commitFailures.getCount()).isEqualTo(1);
        }
    }

    @Test
    void unreachableServerBacksOffThenRetriesLaterWithoutTryingTheRest() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        ClickHouseSinkOptions o = options()
                .url("http://127.0.0.1:" + closedPort)
                .database(db)
                .maxAttemptsPerCommit(3)
                .connectTimeout(Duration.ofMillis(500))
                .build();
        TestRequest a = new TestRequest(batch(options(), 1, 10, 0));
        TestRequest b = new TestRequest(batch(options(), 11, 10, 0));
        try (ClickHouseCommitter committer = committer(o, 0)) {
            long t0 = System.nanoTime();
            commit(committer, a, b);
            long firstCallMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(a.signal).isEqualTo(TestRequest.Signal.RETRY_LATER);
            assertThat(b.signal).isEqualTo(TestRequest.Signal.RETRY_LATER);
            assertThat(committer.metrics().retries.getCount()).isEqualTo(3); // b was not tried
            assertThat(firstCallMs).isGreaterThanOrEqualTo(10 + 20); // two backoffs: 10, 20 ms
            Thread.sleep(1_100);
            assertThat(committer.metrics().unreachableSeconds())
                    .as("the unreachable clock runs")
                    .isPositive();
            // Flink calls again at once; the backoff continues from the retry count (capped at 40 ms).
            t0 = System.nanoTime();
            commit(committer, a.again(), b.again());
            assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(3 * 40);
            assertThat(a.signal).isEqualTo(TestRequest.Signal.RETRY_LATER);
        }
        // The same committables, once the server is back, land exactly once.
        try (ClickHouseCommitter committer = committer(options().build(), 0)) {
            commit(committer, a.again(), b.again());
            commit(committer, a.again(), b.again());
            assertThat(committer.metrics().unreachableSeconds())
                    .as("reset by a success")
                    .isZero();
        }
        assertThat(clickhouse.queryLong(db, "SELECT count() FROM t")).isEqualTo(20);
    }

    @Test
    void writerSplitsBucketsByPartitionRowsAndBytes() throws Exception {
        ClickHouseSinkOptions o =
                options().maxRowsPerInsert(1000).maxBytesPerInsert(20_000).build();
        TestRows.Encoder encoder = new TestRows.Encoder();
        ClickHouseSinkWriter<TestRows.Row> writer = ClickHouseSinkWriter.create(
                o, encoder, SinkFaultInjector.NONE, JOB, 0, 0, new UnregisteredMetricsGroup());
        List<ClickHouseCommittable> all = new ArrayList<>();
        for (long s = 1; s <= 3000; s++) {
            writer.write(TestRows.row(s), null);
        }
        all.addAll(writer.prepareCommit());
        assertThat(writer.prepareCommit()).isEmpty();
        // 3 day partitions x 1000 rows each; ~70-byte rows: at most 20,000 bytes per INSERT.
        assertThat(all).allSatisfy(c -> {
            assertThat(c.rawLength()).isLessThanOrEqualTo(20_000);
            assertThat(c.rowCount()).isLessThanOrEqualTo(1000);
        });
        assertThat(all.stream().map(ClickHouseCommittable::partitionKey).distinct())
                .hasSize(3);
        assertThat(all.stream().mapToInt(ClickHouseCommittable::rowCount).sum()).isEqualTo(3000);
        assertThat(all.stream().map(ClickHouseCommittable::token).distinct()).hasSize(all.size());
        try (ClickHouseCommitter committer = committer(o, 0)) {
            for (ClickHouseCommittable c : all) {
                commit(committer, new TestRequest(c));
            }
        }
        assertThat(clickhouse.queryLong(db, "SELECT count() FROM t")).isEqualTo(3000);
        assertThat(clickhouse.queryLong(db, "SELECT uniqExact(seq) FROM t")).isEqualTo(3000);
        // One part per INSERT: each INSERT was a single block of a single partition.
        assertThat(clickhouse.queryLong(
                        db,
                        "SELECT count() FROM system.parts WHERE database = currentDatabase()"
                                + " AND table = 't' AND active"))
                .isLessThanOrEqualTo(all.size());
        writer.close();
    }

    @Test
    void aRecordThatFailsToEncodeLeavesNoPartialRow() throws Exception {
        RowEncoder<TestRows.Row> failing = new TestRows.Encoder() {
            @Override
            public void encode(TestRows.Row r, RowBinaryWriter out) {
                super.encode(r, out);
                if (r.seq() == 2) {
                    throw new IllegalArgumentException("bad value");
                }
            }
        };
        ClickHouseSinkWriter<TestRows.Row> writer = ClickHouseSinkWriter.create(
                options().build(), failing, SinkFaultInjector.NONE, JOB, 0, 0, new UnregisteredMetricsGroup());
        writer.write(new TestRows.Row(1, 0, 1, 1, 20_000), null);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> writer.write(new TestRows.Row(2, 0, 1, 1, 20_000), null))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("validate records");
        writer.write(new TestRows.Row(3, 0, 1, 1, 20_000), null);
        List<ClickHouseCommittable> out = new ArrayList<>(writer.prepareCommit());
        assertThat(out).hasSize(1);
        try (ClickHouseCommitter committer = committer(options().build(), 0)) {
            commit(committer, new TestRequest(out.get(0)));
        }
        assertThat(clickhouse.queryColumn(db, "SELECT seq FROM t ORDER BY seq")).containsExactly("1", "3");
        writer.close();
    }

    /** Measures one 100k-row commit (encode, compress, insert) and the codecs on its payload. */
    @Test
    void measureA100kRowCommit() throws Exception {
        int rows = 100_000;
        TestRows.Encoder encoder = new TestRows.Encoder();
        long t0 = System.nanoTime();
        RowBinaryWriter w = new RowBinaryWriter();
        for (long s = 1; s <= rows; s++) {
            encoder.encode(new TestRows.Row(s, (int) (s % 4), 1000 + s % 1500, 1 + s % 7, 20_000), w);
        }
        byte[] raw = w.toByteArray();
        long encodeNs = System.nanoTime() - t0;
        for (PayloadCodec codec : PayloadCodec.values()) {
            long c0 = System.nanoTime();
            byte[] stored = codec.compress(raw);
            long c1 = System.nanoTime();
            codec.decompress(stored, raw.length);
            long c2 = System.nanoTime();
            LOG.info(
                    "codec {}: {} -> {} bytes ({}x), compress {} ms, decompress {} ms",
                    codec,
                    raw.length,
                    stored.length,
                    String.format("%.1f", raw.length / (double) stored.length),
                    (c1 - c0) / 1_000_000,
                    (c2 - c1) / 1_000_000);
        }
        ClickHouseSinkOptions o = options().build();
        ClickHouseCommittable c = ClickHouseCommittable.seal(
                "test", db, "t", "1970-01-01", encoder.columns(), rows, raw, PayloadCodec.LZ4, JOB, 0, 0, null);
        try (ClickHouseCommitter committer = committer(o, 0)) {
            commit(committer, new TestRequest(batch(options(), 0, 1, 0))); // warm-up: connection, classes
            long i0 = System.nanoTime();
            commit(committer, new TestRequest(c));
            long insertMs = (System.nanoTime() - i0) / 1_000_000;
            LOG.info(
                    "100k-row commit: encode {} ms, {} bytes RowBinary, commit (LZ4 decode + INSERT) {} ms = {} rows/s",
                    encodeNs / 1_000_000,
                    raw.length,
                    insertMs,
                    rows * 1000L / Math.max(1, insertMs));
        }
        assertThat(clickhouse.queryLong(db, "SELECT count() FROM t")).isEqualTo(rows + 1);
    }
}
