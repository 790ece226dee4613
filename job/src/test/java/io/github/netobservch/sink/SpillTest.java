package io.github.netobservch.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spill files: the exactly-once writer keeps at most {@code sink.spill-threshold} of sealed payload
 * in heap per checkpoint interval and writes the rest to the spill directory; committables of
 * spilled batches carry a path through the checkpoint format; the committer reads, commits once,
 * deletes one call later, and treats a missing file as landed only when the rows are there.
 */
@ExtendWith(EmbeddedClickHouseExtension.class)
class SpillTest {

    private static final String JOB = "00000000000000000000000000000005";

    private ClickHouseTestServer clickhouse;
    private String db;

    @TempDir
    Path spillDir;

    @BeforeEach
    void setUp(ClickHouseTestServer server) throws Exception {
        clickhouse = server;
        db = server.createDatabase("spill");
        clickhouse.execute(db, TestRows.ddl("t", 1000));
    }

    private ClickHouseSinkOptions.Builder options(SpillSettings spill) {
        return ClickHouseSinkOptions.builder()
                .url(clickhouse.httpUrl())
                .database(db)
                .table("t")
                .sinkName("spill")
                .maxBytesPerInsert(20_000)
                .backoff(Duration.ofMillis(10), Duration.ofMillis(40))
                .spill(spill);
    }

    private SpillSettings spillAbove(long bytes) {
        return new SpillSettings(spillDir.toUri().toString(), bytes, Duration.ofDays(7));
    }

    private static List<ClickHouseCommittable> writeOneInterval(ClickHouseSinkOptions o, int rows) throws Exception {
        ClickHouseSinkWriter<TestRows.Row> writer = ClickHouseSinkWriter.create(
                o, new TestRows.Encoder(), SinkFaultInjector.NONE, JOB, 0, 0, new UnregisteredMetricsGroup());
        for (long s = 1; s <= rows; s++) {
            writer.write(TestRows.row(s), null);
        }
        List<ClickHouseCommittable> out = new ArrayList<>(writer.prepareCommit());
        writer.close();
        return out;
    }

    private static long inHeap(List<ClickHouseCommittable> committables) {
        return committables.stream()
                .filter(c -> c.spillPath() == null)
                .mapToLong(ClickHouseCommittable::storedLength)
                .sum();
    }

    private ClickHouseCommitter committer(ClickHouseSinkOptions o, int attempt) {
        return new ClickHouseCommitter(o, SinkFaultInjector.NONE, JOB, attempt, 0, new UnregisteredMetricsGroup());
    }

    private static void commit(ClickHouseCommitter committer, TestRequest... requests) throws Exception {
        committer.commit(new ArrayList<>(List.of(requests)));
    }

    private static ClickHouseCommittable restored(ClickHouseCommittable c) throws Exception {
        ClickHouseCommittableSerializer s = new ClickHouseCommittableSerializer();
        return s.deserialize(s.getVersion(), s.serialize(c));
    }

    private List<Path> spillFiles() throws Exception {
        Path dir = spillDir.resolve("spill");
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            return files.toList();
        }
    }

    @Test
    void theWriterHoldsAtMostTheThresholdInHeapAndTheRestGoesToFilesThatLoadExactlyOnce() throws Exception {
        long threshold = 8_000;
        ClickHouseSinkOptions o = options(spillAbove(threshold)).build();
        List<ClickHouseCommittable> sealed = writeOneInterval(o, 6000);

        assertThat(inHeap(sealed)).isLessThanOrEqualTo(threshold);
        List<ClickHouseCommittable> spilled =
                sealed.stream().filter(c -> c.spillPath() != null).toList();
        assertThat(spilled).isNotEmpty();
        assertThat(spillFiles()).hasSize(spilled.size());
        for (ClickHouseCommittable c : spilled) {
            assertThat(Files.size(Path.of(java.net.URI.create(c.spillPath())))).isEqualTo(c.storedLength());
        }
        // The checkpoint holds paths, not rows: each spilled committable serializes to well under its payload.
        ClickHouseCommittableSerializer serializer = new ClickHouseCommittableSerializer();
        for (ClickHouseCommittable c : spilled) {
            assertThat(serializer.serialize(c).length).isLessThan(600).isLessThan(c.storedLength());
        }

        try (ClickHouseCommitter committer = committer(o, 0);
                ClickHouseCommitter afterRestore = committer(o, 1)) {
            List<TestRequest> requests = new ArrayList<>();
            for (ClickHouseCommittable c : sealed) {
                requests.add(new TestRequest(restored(c)));
            }
            commit(committer, requests.toArray(new TestRequest[0]));
            assertThat(requests)
                    .allSatisfy(r -> assertThat(r.signal).as("%s", r.failure).isEqualTo(TestRequest.Signal.NONE));
            // A restore that brings a landed batch back before the committer's next call: its file is still there.
            TestRequest again = new TestRequest(restored(spilled.get(spilled.size() - 1)));
            commit(afterRestore, again);
            assertThat(again.signal).isEqualTo(TestRequest.Signal.NONE);
            assertThat(afterRestore.metrics().recommits.getCount()).isEqualTo(1);
            assertThat(afterRestore.metrics().spillFilesMissing.getCount()).isZero();
            assertThat(spillFiles()).hasSize(spilled.size());
            // Deleted at the committer's next call, one call after they landed.
            commit(committer);
            assertThat(spillFiles()).isEmpty();
            commit(afterRestore); // deleting a file already gone is fine
        }
        assertThat(clickhouse.queryLong(db, "SELECT count() FROM t")).isEqualTo(6000);
        assertThat(clickhouse.queryLong(db, "SELECT uniqExact(seq) FROM t")).isEqualTo(6000);
    }

    @Test
    void negativeControlWithoutASpillDirectoryTheWholeIntervalStaysInHeap() throws Exception {
        long threshold = 8_000;
        List<ClickHouseCommittable> sealed =
                writeOneInterval(options(SpillSettings.NONE).build(), 6000);
        assertThat(sealed).allSatisfy(c -> assertThat(c.spillPath()).isNull());
        assertThat(inHeap(sealed)).isGreaterThan(3 * threshold);
        assertThat(spillFiles()).isEmpty();
    }

    @Test
    void thresholdZeroSpillsEveryBatchAndTheHeapStartsEmptyEachInterval() throws Exception {
        List<ClickHouseCommittable> sealed =
                writeOneInterval(options(spillAbove(0)).build(), 500);
        assertThat(sealed).isNotEmpty().allSatisfy(c -> assertThat(c.spillPath())
                .isNotNull());
    }

    @Test
    void aMissingSpillFileOfABatchThatLandedCountsAsCommitted() throws Exception {
        ClickHouseSinkOptions o = options(spillAbove(0)).build();
        ClickHouseCommittable c = writeOneInterval(o, 50).get(0);
        try (ClickHouseCommitter committer = committer(o, 0);
                ClickHouseCommitter afterRestore = committer(o, 1)) {
            commit(committer, new TestRequest(c));
            Files.delete(Path.of(java.net.URI.create(c.spillPath())));
            TestRequest again = new TestRequest(restored(c));
            commit(afterRestore, again);
            assertThat(again.signal).isEqualTo(TestRequest.Signal.NONE);
            assertThat(afterRestore.metrics().spillFilesMissing.getCount()).isEqualTo(1);
        }
        assertThat(clickhouse.queryLong(db, "SELECT count() FROM t")).isEqualTo(c.rowCount());
    }

    @Test
    void aMissingSpillFileOfABatchThatNeverLandedFailsTheJobAndSaysWhy() throws Exception {
        ClickHouseSinkOptions o = options(spillAbove(0)).build();
        ClickHouseCommittable c = writeOneInterval(o, 50).get(0);
        Files.delete(Path.of(java.net.URI.create(c.spillPath())));
        TestRequest r = new TestRequest(restored(c));
        try (ClickHouseCommitter committer = committer(o, 1)) {
            commit(committer, r);
        }
        assertThat(r.signal).isEqualTo(TestRequest.Signal.FAILED_UNKNOWN);
        assertThat(r.failure)
                .hasMessageContaining("spill file")
                .hasMessageContaining("sink.spill-dir")
                .hasMessageContaining("not in " + db + ".t");
        assertThat(clickhouse.queryLong(db, "SELECT count() FROM t")).isZero();
    }

    @Test
    void aCorruptSpillFileFailsInsteadOfLoadingOtherRows() throws Exception {
        ClickHouseSinkOptions o = options(spillAbove(0)).build();
        ClickHouseCommittable c = writeOneInterval(o, 50).get(0);
        Path file = Path.of(java.net.URI.create(c.spillPath()));
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(file, bytes);
        TestRequest r = new TestRequest(c);
        try (ClickHouseCommitter committer = committer(o, 0)) {
            commit(committer, r);
        }
        assertThat(r.signal).isEqualTo(TestRequest.Signal.FAILED_UNKNOWN);
        assertThat(r.failure).hasMessageContaining("CRC-32");
        assertThat(clickhouse.queryLong(db, "SELECT count() FROM t")).isZero();
    }

    @Test
    void theSweepDeletesOnlyFilesOlderThanTheRetention() throws Exception {
        SpillFiles files = new SpillFiles(spillDir.toUri().toString(), "spill");
        String old = files.write("spill-old", new byte[] {1, 2, 3});
        String fresh = files.write("spill-fresh", new byte[] {4});
        Path oldPath = Path.of(java.net.URI.create(old));
        Files.setLastModifiedTime(
                oldPath,
                FileTime.fromMillis(
                        System.currentTimeMillis() - Duration.ofDays(8).toMillis()));
        Files.writeString(spillDir.resolve("spill").resolve("unrelated.txt"), "x");
        Files.setLastModifiedTime(spillDir.resolve("spill").resolve("unrelated.txt"), FileTime.fromMillis(0));

        assertThat(files.sweep(Duration.ofDays(7), System.currentTimeMillis())).isEqualTo(1);
        assertThat(oldPath).doesNotExist();
        assertThat(Path.of(java.net.URI.create(fresh))).exists();
        assertThat(spillDir.resolve("spill").resolve("unrelated.txt")).exists();
    }
}
