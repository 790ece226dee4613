package io.github.netobservch.rows;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.format.Column;
import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowFixtures;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.schema.SchemaTables;
import io.github.netobservch.sink.RowBinaryWriter;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every column of every reference fixture goes through RowBinary into a table created from the
 * registry, and comes back from ClickHouse equal to the parsed record — compared through a
 * canonical text form per value kind (hex for strings and addresses, raw bits for floats), so no
 * formatting difference can hide a wrong byte.
 */
@ExtendWith(EmbeddedClickHouseExtension.class)
class FlowRowEncoderTest {

    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    @Test
    void everyColumnOfEveryFixtureRoundTripsThroughClickHouse(ClickHouseTestServer clickhouse) throws Exception {
        String db = clickhouse.createDatabase("rows");
        clickhouse.execute(db, ColumnRegistry.createTable("flows", "ENGINE = MergeTree ORDER BY tuple()"));

        FlowRowEncoder encoder = new FlowRowEncoder();
        RowBinaryWriter out = new RowBinaryWriter();
        List<FlowRecord> records = new ArrayList<>();
        long offset = 0;
        for (String name : FlowFixtures.ALL) {
            FlowRecord r = FlowFixtures.parse(name);
            r.setLong(ColumnRegistry.KAFKA_OFFSET, offset++); // row identity for the read-back
            records.add(r);
            encoder.encode(r, out);
        }
        assertThat(encoder.columns()).hasSize(ColumnRegistry.columns().size());
        clickhouse.insertRowBinary(db, "flows", out.toByteArray());
        assertThat(clickhouse.queryLong(db, "SELECT count() FROM flows")).isEqualTo(records.size());

        StringJoiner select = new StringJoiner(" || '\\t' || ");
        for (Column c : ColumnRegistry.columns()) {
            select.add(canonicalSql(c));
        }
        List<String> rows = clickhouse.queryColumn(db, "SELECT " + select + " FROM flows ORDER BY kafka_offset");
        assertThat(rows).hasSize(records.size());
        int checked = 0;
        for (int i = 0; i < records.size(); i++) {
            String[] actual = rows.get(i).split("\t", -1);
            int col = 0;
            for (Column c : ColumnRegistry.columns()) {
                assertThat(actual[col++])
                        .as("%s of %s", c.name(), FlowFixtures.ALL.get(i))
                        .isEqualTo(canonicalJava(records.get(i), c));
                checked++;
            }
        }
        assertThat(checked).isEqualTo(records.size() * ColumnRegistry.columns().size());
    }

    /**
     * A record that crossed the dedup shuffle (strings kept as the UTF-8 bytes it was sent with) is
     * encoded to exactly the row of the record before it.
     */
    @Test
    void aRecordReadBackFromTheShuffleEncodesToTheSameRow() throws Exception {
        io.github.netobservch.format.FlowRecordSerializer serializer =
                new io.github.netobservch.format.FlowRecordSerializer();
        for (String name : FlowFixtures.ALL) {
            FlowRecord r = io.github.netobservch.enrich.FlowEnricher.enrich(FlowFixtures.parse(name));
            r.setString(ColumnRegistry.DNS_NAME, "ünïcødé-\uD83D\uDE00");
            r.setStrings(ColumnRegistry.INTERFACES, new String[] {"eth0", "vëth"});
            org.apache.flink.core.memory.DataOutputSerializer out =
                    new org.apache.flink.core.memory.DataOutputSerializer(2048);
            serializer.serialize(r, out);
            FlowRecord back = serializer.deserialize(
                    new org.apache.flink.core.memory.DataInputDeserializer(out.getCopyOfBuffer()));
            assertThat(back.stringUtf8(ColumnRegistry.DNS_NAME))
                    .as("kept undecoded")
                    .isNotNull();
            assertThat(back.stringsUtf8(ColumnRegistry.INTERFACES))
                    .as("kept undecoded")
                    .isNotNull();
            RowBinaryWriter expected = new RowBinaryWriter(4096);
            new FlowRowEncoder().encode(r, expected);
            RowBinaryWriter actual = new RowBinaryWriter(4096);
            new FlowRowEncoder().encode(back, actual);
            assertThat(actual.toByteArray()).as(name).isEqualTo(expected.toByteArray());
        }
    }

    /**
     * The encoder writes straight into the buffer from a plan compiled once; every row must be the
     * column-by-column encoding through the writer's typed methods and the record's getters
     * ({@link #referenceRow}): the fixtures, generated records, records read back from the shuffle,
     * strings held as {@code String}, a raw record larger than the buffer, and a writer that starts
     * at 16 bytes so that every growth path runs.
     */
    @Test
    void everyRowIsTheColumnByColumnEncoding() throws Exception {
        List<FlowRecord> records = new ArrayList<>();
        for (String name : FlowFixtures.ALL) {
            records.add(io.github.netobservch.enrich.FlowEnricher.enrich(FlowFixtures.parse(name)));
        }
        records.addAll(io.github.netobservch.generate.FlowGenerator.parsedRecords(5L, 3_000));
        io.github.netobservch.format.FlowRecordSerializer serializer =
                new io.github.netobservch.format.FlowRecordSerializer();
        List<FlowRecord> variants = new ArrayList<>();
        for (int i = 0; i < records.size(); i += 10) {
            FlowRecord r = records.get(i).copy();
            r.setString(ColumnRegistry.DNS_NAME, "ünïcødé-\uD83D\uDE00"); // a String, not UTF-8 bytes
            r.setString(ColumnRegistry.SRC_MAC, "0A:58:0A:80:00:01");
            r.setStrings(ColumnRegistry.INTERFACES, new String[] {"eth0", "vëth"});
            variants.add(r);
            org.apache.flink.core.memory.DataOutputSerializer out =
                    new org.apache.flink.core.memory.DataOutputSerializer(2048);
            serializer.serialize(r, out);
            variants.add(serializer.deserialize(
                    new org.apache.flink.core.memory.DataInputDeserializer(out.getCopyOfBuffer())));
        }
        FlowRecord large = records.get(0).copy();
        large.setBytes(ColumnRegistry.RAW, "x".repeat(300_000).getBytes(StandardCharsets.UTF_8));
        variants.add(large);
        FlowRecord empty = new FlowRecord();
        variants.add(empty);
        records.addAll(variants);

        FlowRowEncoder encoder = new FlowRowEncoder();
        RowBinaryWriter all = new RowBinaryWriter(16);
        RowBinaryWriter expectedAll = new RowBinaryWriter(16);
        for (int i = 0; i < records.size(); i++) {
            RowBinaryWriter one = new RowBinaryWriter(16);
            encoder.encode(records.get(i), one);
            encoder.encode(records.get(i), all);
            byte[] expected = referenceRow(records.get(i));
            expectedAll.writeRaw(expected, 0, expected.length);
            assertThat(one.toByteArray()).as("record %d", i).isEqualTo(expected);
        }
        assertThat(all.toByteArray()).as("rows appended one after another").isEqualTo(expectedAll.toByteArray());
    }

    @Test
    void aValueOutOfItsColumnsRangeIsRefused() {
        for (Column c : List.of(
                ColumnRegistry.DSCP, ColumnRegistry.SRC_PORT, ColumnRegistry.PACKETS, ColumnRegistry.TIME_RECEIVED)) {
            FlowRecord r = FlowFixtures.parse("example1");
            r.setLong(c, c.kind().max() + 1);
            RowBinaryWriter out = new RowBinaryWriter();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new FlowRowEncoder().encode(r, out))
                    .as(c.name())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("out of range")
                    .hasMessageContaining(c.name());
        }
    }

    /** A row the plain way: per column, the writer's typed method on the record's typed getter. */
    private static byte[] referenceRow(FlowRecord r) {
        RowBinaryWriter out = new RowBinaryWriter();
        for (Column c : ColumnRegistry.columns()) {
            if (c.nullable()) {
                if (!r.has(c)) {
                    out.writeNull();
                    continue;
                }
                out.writeNotNull();
            }
            switch (c.kind()) {
                case UINT8 -> out.writeUInt8((int) r.getLong(c));
                case UINT16 -> out.writeUInt16((int) r.getLong(c));
                case UINT32 -> out.writeUInt32(r.getLong(c));
                case UINT64 -> out.writeUInt64(r.getLong(c));
                case INT32 -> out.writeInt32((int) r.getLong(c));
                case INT64 -> out.writeInt64(r.getLong(c));
                case BOOL -> out.writeBool(r.getBool(c));
                case TIMESTAMP_MS -> out.writeDateTime64Millis(r.getLong(c));
                case TIMESTAMP_S -> out.writeDateTime(r.getLong(c));
                case FLOAT64 -> out.writeFloat64(r.getDouble(c));
                case IP -> out.writeIpv6(r.ipHigh(c), r.ipLow(c));
                case BITS128 -> out.writeUInt128(r.ipHigh(c), r.ipLow(c));
                case STRING, LOW_CARDINALITY_STRING, MAC -> out.writeString(r.getString(c));
                case STRING_ARRAY, LOW_CARDINALITY_STRING_ARRAY, TCP_FLAGS -> {
                    String[] strings = r.getStrings(c);
                    out.writeArraySize(strings.length);
                    for (String s : strings) {
                        out.writeString(s);
                    }
                }
                case UINT8_ARRAY -> {
                    byte[] bytes = r.getBytes(c);
                    out.writeArraySize(bytes.length);
                    for (byte b : bytes) {
                        out.writeUInt8(b & 0xFF);
                    }
                }
                case NETWORK_EVENTS -> {
                    String[][] events = r.getEvents(c);
                    out.writeArraySize(events.length);
                    for (String[] event : events) {
                        out.writeMapSize(event.length / 2);
                        for (String s : event) {
                            out.writeString(s);
                        }
                    }
                }
                case RAW_JSON -> out.writeStringBytes(r.getBytes(c));
            }
        }
        return out.toByteArray();
    }

    @Test
    void partitionKeyIsTheUtcDayOfTheFlowEnd() {
        FlowRecord r = FlowFixtures.parse("example1");
        r.setLong(ColumnRegistry.TIME_FLOW_END_MS, 1_700_006_399_999L); // 2023-11-14T23:59:59.999Z
        assertThat(new FlowRowEncoder().partitionKey(r)).isEqualTo("2023-11-14");
        r.setLong(ColumnRegistry.TIME_FLOW_END_MS, 1_700_006_400_000L);
        assertThat(new FlowRowEncoder().partitionKey(r)).isEqualTo("2023-11-15");
    }

    @Test
    void oneEncoderGivesEachRecordItsOwnDayAcrossDayBoundaries() {
        // the encoder keeps the last day's key: records alternating between days, runs of one day,
        // the last millisecond of a day and the first of the next, and times before 1970 (day 0)
        FlowRowEncoder encoder = new FlowRowEncoder();
        FlowRecord r = FlowFixtures.parse("example1");
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(11);
        long base = 1_700_006_400_000L;
        for (int i = 0; i < 10_000; i++) {
            long t =
                    switch (rnd.nextInt(4)) {
                        case 0 -> base - 1;
                        case 1 -> base;
                        case 2 -> base + rnd.nextLong(-3 * 86_400_000L, 3 * 86_400_000L);
                        default -> -rnd.nextLong(1, 1_000_000L);
                    };
            r.setLong(ColumnRegistry.TIME_FLOW_END_MS, t);
            assertThat(encoder.partitionKey(r)).as("t=%d", t).isEqualTo(SchemaTables.dayOf(t));
        }
        r.setLong(ColumnRegistry.TIME_FLOW_END_MS, -5);
        assertThat(encoder.partitionKey(r)).isEqualTo("1970-01-01");
    }

    static String canonicalSql(Column c) {
        String col = "`" + c.name() + "`";
        String value = c.nullable() ? "assumeNotNull(" + col + ")" : col;
        String expr;
        switch (c.kind()) {
            case TIMESTAMP_MS:
                expr = "toString(toUnixTimestamp64Milli(" + value + "))";
                break;
            case TIMESTAMP_S:
                expr = "toString(toUnixTimestamp(" + value + "))";
                break;
            case BOOL:
                expr = "toString(toUInt8(" + value + "))";
                break;
            case FLOAT64:
                expr = "toString(reinterpretAsUInt64(" + value + "))";
                break;
            case IP:
            case STRING:
            case LOW_CARDINALITY_STRING:
            case MAC:
            case RAW_JSON:
                expr = "hex(toString(" + value + "))";
                if (c.kind() == io.github.netobservch.format.ValueKind.IP) {
                    expr = "hex(" + value + ")";
                }
                break;
            case STRING_ARRAY:
            case LOW_CARDINALITY_STRING_ARRAY:
            case TCP_FLAGS:
                expr = "arrayStringConcat(arrayMap(x -> hex(toString(x)), " + value + "), ',')";
                break;
            case UINT8_ARRAY:
                expr = "arrayStringConcat(arrayMap(x -> toString(x), " + value + "), ',')";
                break;
            case NETWORK_EVENTS:
                expr = "arrayStringConcat(arrayMap(m -> arrayStringConcat(arrayMap((k, v) -> concat(hex(toString(k)),"
                        + " '=', hex(v)), mapKeys(m), mapValues(m)), ';'), " + value + "), ',')";
                break;
            default:
                expr = "toString(" + value + ")";
        }
        return c.nullable() ? "if(isNull(" + col + "), 'NULL', " + expr + ")" : expr;
    }

    static String canonicalJava(FlowRecord r, Column c) {
        if (c.nullable() && !r.has(c)) {
            return "NULL";
        }
        switch (c.kind()) {
            case UINT64:
                return Long.toUnsignedString(r.getLong(c));
            case FLOAT64:
                return Long.toUnsignedString(r.getLong(c));
            case BOOL:
                return r.getBool(c) ? "1" : "0";
            case IP:
                return String.format("%016X%016X", r.ipHigh(c), r.ipLow(c));
            case BITS128:
                return r.bits128Text(c);
            case STRING:
            case LOW_CARDINALITY_STRING:
            case MAC:
                return HEX.formatHex(r.getString(c).getBytes(StandardCharsets.UTF_8));
            case RAW_JSON:
                return HEX.formatHex(r.getBytes(c));
            case STRING_ARRAY:
            case LOW_CARDINALITY_STRING_ARRAY:
            case TCP_FLAGS:
                StringJoiner strings = new StringJoiner(",");
                for (String s : r.getStrings(c)) {
                    strings.add(HEX.formatHex(s.getBytes(StandardCharsets.UTF_8)));
                }
                return strings.toString();
            case UINT8_ARRAY:
                StringJoiner bytes = new StringJoiner(",");
                for (byte b : r.getBytes(c)) {
                    bytes.add(Integer.toString(b & 0xFF));
                }
                return bytes.toString();
            case NETWORK_EVENTS:
                StringJoiner events = new StringJoiner(",");
                for (String[] event : r.getEvents(c)) {
                    StringJoiner pairs = new StringJoiner(";");
                    for (int k = 0; k < event.length; k += 2) {
                        pairs.add(HEX.formatHex(event[k].getBytes(StandardCharsets.UTF_8)) + "="
                                + HEX.formatHex(event[k + 1].getBytes(StandardCharsets.UTF_8)));
                    }
                    events.add(pairs.toString());
                }
                return events.toString();
            default:
                return Long.toString(r.getLong(c));
        }
    }
}
