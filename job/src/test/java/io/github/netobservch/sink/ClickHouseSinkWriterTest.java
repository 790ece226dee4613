package io.github.netobservch.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

/**
 * The exactly-once writer across checkpoint intervals: a partition's bucket keeps its buffer from one
 * interval to the next, yet each interval's batches hold exactly that interval's rows, in order; a
 * partition without rows for a whole interval loses its bucket.
 */
class ClickHouseSinkWriterTest {

    private static final String JOB = "00000000000000000000000000000009";

    @Test
    void eachIntervalSealsExactlyItsRowsAndAnIdlePartitionLosesItsBucket() throws Exception {
        ClickHouseSinkOptions options = ClickHouseSinkOptions.builder()
                .url("http://127.0.0.1:1") // the exactly-once writer does not call ClickHouse
                .database("db")
                .table("t")
                .sinkName("writer-test")
                .maxBytesPerInsert(4_000)
                .backoff(Duration.ofMillis(10), Duration.ofMillis(40))
                .build();
        ClickHouseSinkWriter<TestRows.Row> writer = ClickHouseSinkWriter.create(
                options, new TestRows.Encoder(), SinkFaultInjector.NONE, JOB, 0, 0, new UnregisteredMetricsGroup());

        // interval 1: days 20,000 and 20,001, enough rows on the first to seal a full batch mid-interval
        List<TestRows.Row> first = new ArrayList<>();
        for (long s = 1; s <= 120; s++) {
            first.add(new TestRows.Row(s, 0, 10, 1, s % 10 == 0 ? 20_001 : 20_000));
        }
        assertThat(interval(writer, first)).isEqualTo(expected(first));
        assertThat(writer.bucketCount()).isEqualTo(2);

        // interval 2: day 20,001 only — its bucket (and buffer) is reused, day 20,000's dropped after it
        List<TestRows.Row> second = new ArrayList<>();
        for (long s = 121; s <= 150; s++) {
            second.add(new TestRows.Row(s, 1, 20, 2, 20_001));
        }
        assertThat(interval(writer, second)).isEqualTo(expected(second));
        assertThat(writer.bucketCount()).isEqualTo(1);

        // interval 3: day 20,000 comes back in a new bucket; nothing of the earlier intervals is sealed again
        List<TestRows.Row> third =
                List.of(new TestRows.Row(151, 2, 30, 3, 20_000), new TestRows.Row(152, 2, 30, 3, 20_001));
        assertThat(interval(writer, third)).isEqualTo(expected(third));
        assertThat(writer.bucketCount()).isEqualTo(2);

        // an interval without rows seals nothing and drops every bucket
        assertThat(interval(writer, List.of())).isEmpty();
        assertThat(writer.bucketCount()).isZero();
        writer.close();
    }

    /** Writes the rows, then prepares the commit; the rows sealed per partition, decoded from the payloads. */
    private static Map<String, String> interval(ClickHouseSinkWriter<TestRows.Row> writer, List<TestRows.Row> rows)
            throws Exception {
        for (TestRows.Row r : rows) {
            writer.write(r, null);
        }
        Map<String, String> sealed = new LinkedHashMap<>();
        for (ClickHouseCommittable c : writer.prepareCommit()) {
            assertThat(c.rawLength()).isLessThanOrEqualTo(4_000);
            sealed.merge(c.partitionKey(), hex(c.payload()), String::concat);
        }
        return sealed;
    }

    /** What the rows encode to, per partition, in order. */
    private static Map<String, String> expected(List<TestRows.Row> rows) {
        TestRows.Encoder encoder = new TestRows.Encoder();
        Map<String, String> out = new LinkedHashMap<>();
        for (TestRows.Row r : rows) {
            RowBinaryWriter w = new RowBinaryWriter();
            encoder.encode(r, w);
            out.merge(encoder.partitionKey(r), hex(w.toByteArray()), String::concat);
        }
        return out;
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }
}
