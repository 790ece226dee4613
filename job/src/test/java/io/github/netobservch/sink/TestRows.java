package io.github.netobservch.sink;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/** A small flow-like row and its encoder for sink tests. */
final class TestRows {

    static final String DDL_COLUMNS = "(seq UInt64, kafka_partition UInt16, bytes UInt64, packets UInt32, day Date,"
            + " src IPv6, dst IPv6, proto UInt8, iface LowCardinality(String), ts DateTime64(3, 'UTC'))";

    /** One flow-ish record. */
    record Row(long seq, int kafkaPartition, long bytes, long packets, int epochDay) {}

    static String ddl(String table, long window) {
        return "CREATE TABLE " + table + " " + DDL_COLUMNS + " ENGINE = MergeTree PARTITION BY day ORDER BY seq"
                + " SETTINGS non_replicated_deduplication_window = " + window;
    }

    static Row row(long seq) {
        return new Row(seq, (int) (seq % 4), 1000 + seq % 1500, 1 + seq % 7, 20_000 + (int) (seq % 3));
    }

    /**
     * A sealed batch of {@code rows} rows with sequence numbers from {@code fromSeq}, all on day
     * 20,000 (2024-10-04) and Kafka partition 0, for table {@code database.t}; with the first row's
     * presence probe or none, for {@code shard} (-1: the single endpoint).
     */
    static ClickHouseCommittable batch(
            String sinkName, String database, String jobId, long fromSeq, int rows, boolean withProbe, int shard) {
        RowBinaryWriter w = new RowBinaryWriter();
        Encoder encoder = new Encoder();
        Row first = null;
        for (long s = fromSeq; s < fromSeq + rows; s++) {
            Row row = new Row(s, 0, 10, 1, 20_000);
            first = first == null ? row : first;
            encoder.encode(row, w);
        }
        return ClickHouseCommittable.seal(
                sinkName,
                database,
                "t",
                "2024-10-04",
                encoder.columns(),
                rows,
                w.toByteArray(),
                w.size(),
                PayloadCodec.LZ4,
                jobId,
                0,
                0,
                withProbe ? encoder.presenceProbe(first) : null,
                shard);
    }

    static class Encoder implements RowEncoder<Row> {
        private static final long serialVersionUID = 1L;
        private static final byte[] SRC = new byte[16];

        @Override
        public List<String> columns() {
            return List.of("seq", "kafka_partition", "bytes", "packets", "day", "src", "dst", "proto", "iface", "ts");
        }

        @Override
        public Map<String, String> columnTypes() {
            return Map.of("seq", "UInt64", "day", "Date", "ts", "DateTime64(3, 'UTC')");
        }

        @Override
        public String partitionKey(Row r) {
            return LocalDate.ofEpochDay(r.epochDay()).toString();
        }

        @Override
        public PresenceProbe presenceProbe(Row r) {
            return new PresenceProbe("seq = {seq:UInt64}", Map.of("seq", Long.toString(r.seq())));
        }

        @Override
        public PresenceProbe probeShape() {
            return new PresenceProbe("seq = {seq:UInt64}", Map.of("seq", "0"));
        }

        @Override
        public void encode(Row r, RowBinaryWriter out) {
            byte[] dst = new byte[16];
            dst[15] = (byte) r.seq();
            dst[14] = (byte) (r.seq() >>> 8);
            out.writeUInt64(r.seq())
                    .writeUInt16(r.kafkaPartition())
                    .writeUInt64(r.bytes())
                    .writeUInt32(r.packets())
                    .writeDate(r.epochDay())
                    .writeIPv6(SRC)
                    .writeIPv6(dst)
                    .writeUInt8(6)
                    .writeString("eth0")
                    .writeDateTime64Millis(r.epochDay() * 86_400_000L + r.seq() % 86_400_000L);
        }
    }

    private TestRows() {}
}
