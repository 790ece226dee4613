package io.github.netobservch.rows;

import io.github.netobservch.format.Column;
import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.format.Utf8Text;
import io.github.netobservch.format.ValueKind;
import io.github.netobservch.schema.SchemaTables;
import io.github.netobservch.sink.PresenceProbe;
import io.github.netobservch.sink.RowBinaryWriter;
import io.github.netobservch.sink.RowEncoder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes a {@link FlowRecord} as one RowBinary row of the {@code flows} table, column by column
 * in {@link ColumnRegistry} order — the same list the DDL is generated from, so the encoder, the
 * table and the preflight cannot disagree on names, order or types.
 */
public final class FlowRowEncoder implements RowEncoder<FlowRecord> {

    private static final long serialVersionUID = 1L;

    /** The column the {@code flows} table is partitioned by, with {@code toDate(...)}: one INSERT, one day. */
    public static final Column PARTITION_COLUMN = ColumnRegistry.TIME_FLOW_END_MS;

    @Override
    public List<String> columns() {
        List<String> names = new ArrayList<>();
        for (Column c : ColumnRegistry.columns()) {
            names.add(c.name());
        }
        return Collections.unmodifiableList(names);
    }

    @Override
    public Map<String, String> columnTypes() {
        Map<String, String> types = new LinkedHashMap<>();
        for (Column c : ColumnRegistry.columns()) {
            types.put(c.name(), c.clickHouseType());
        }
        return types;
    }

    /**
     * The last day's key: the writer asks for every record, nearly all of one day, and building the
     * date's text per record was an allocation and a formatting per row. One immutable object, so the
     * cache is safe even if an encoder instance were shared.
     */
    private transient Day lastDay;

    private record Day(long epochDay, String key) {}

    /** The UTC day of {@code TimeFlowEndMs}, as the table's {@code toDate(time_flow_end_ms)} computes it. */
    @Override
    public String partitionKey(FlowRecord record) {
        return partitionKey(record.getLong(PARTITION_COLUMN));
    }

    /** {@link #partitionKey(FlowRecord)} of a record whose {@code TimeFlowEndMs} is {@code epochMillis}. */
    String partitionKey(long epochMillis) {
        long epochDay = SchemaTables.epochDayOf(epochMillis);
        Day d = lastDay;
        if (d == null || d.epochDay() != epochDay) {
            d = new Day(epochDay, SchemaTables.dayOf(epochMillis));
            lastDay = d;
        }
        return d.key();
    }

    /**
     * The record's Kafka coordinates (one message, one flow, one batch), plus the sort-key prefix
     * ({@code time_flow_end_ms} and the namespace pair) so the check reads a granule, not a day.
     * {@code null} for a record that did not come from Kafka.
     */
    @Override
    public PresenceProbe presenceProbe(FlowRecord record) {
        String topic = record.getString(ColumnRegistry.KAFKA_TOPIC);
        if (topic.isEmpty() || !record.has(ColumnRegistry.KAFKA_OFFSET)) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("t", Long.toString(record.getLong(PARTITION_COLUMN)));
        params.put("sn", record.getString(ColumnRegistry.SRC_K8S_NAMESPACE));
        params.put("dn", record.getString(ColumnRegistry.DST_K8S_NAMESPACE));
        params.put("kt", topic);
        params.put("kp", Long.toString(record.getLong(ColumnRegistry.KAFKA_PARTITION)));
        params.put("ko", Long.toString(record.getLong(ColumnRegistry.KAFKA_OFFSET)));
        return new PresenceProbe(PROBE, params);
    }

    @Override
    public PresenceProbe probeShape() {
        return new PresenceProbe(PROBE, Map.of("t", "0", "sn", "", "dn", "", "kt", "", "kp", "0", "ko", "0"));
    }

    private static final String PROBE = PARTITION_COLUMN.name() + " = fromUnixTimestamp64Milli({t:Int64}, 'UTC')"
            + " AND " + ColumnRegistry.SRC_K8S_NAMESPACE.name() + " = {sn:String}"
            + " AND " + ColumnRegistry.DST_K8S_NAMESPACE.name() + " = {dn:String}"
            + " AND " + ColumnRegistry.KAFKA_TOPIC.name() + " = {kt:String}"
            + " AND " + ColumnRegistry.KAFKA_PARTITION.name() + " = {kp:Int32}"
            + " AND " + ColumnRegistry.KAFKA_OFFSET.name() + " = {ko:Int64}";

    // ---- the row, compiled once from the registry ----------------------------------------------

    /*
     * Each column's encoding decided once: an operation, the value's storage slot, the presence bit.
     * The loop writes straight into the writer's buffer, which is made large enough for every
     * fixed-size part of the rest of the row at the start and after each variable-length value
     * (ROW_FIXED_MAX). Going through the writer's typed methods and the record's getters per column
     * (a bounds check, a kind check, an enum switch for each of 122 columns) cost ~1 µs per record,
     * 15 % of the parser's task in the benchmark's profile. Strings held as String, string arrays
     * and network events take the writer's methods (encodeValue); FlowRowEncoderTest checks every
     * row against that column-by-column encoding.
     */

    private static final byte OP_UINT8 = 0;
    private static final byte OP_UINT16 = 1;
    private static final byte OP_UINT32 = 2;
    private static final byte OP_INT32 = 3;
    /** Int64, UInt64, DateTime64(3), Float64 (its bits): 8 bytes little-endian. */
    private static final byte OP_64 = 4;

    private static final byte OP_BOOL = 5;
    private static final byte OP_IPV6 = 6;
    private static final byte OP_UINT128 = 7;
    /** A String (or an Array(UInt8), the same bytes): LEB128 length and the bytes. */
    private static final byte OP_BYTES = 8;
    /** Through the writer's methods ({@link #encodeValue}). */
    private static final byte OP_OTHER = 9;

    private static final Column[] COLUMNS = ColumnRegistry.columns().toArray(new Column[0]);
    private static final byte[] OPS = new byte[COLUMNS.length];
    private static final int[] SLOTS = new int[COLUMNS.length];
    private static final boolean[] NULLABLE = new boolean[COLUMNS.length];
    /** The most bytes the fixed-size parts of a row take: null markers, values, length prefixes. */
    private static final int ROW_FIXED_MAX;

    static {
        int fixed = 0;
        for (int i = 0; i < COLUMNS.length; i++) {
            Column c = COLUMNS[i];
            if (c.index() != i) {
                throw new IllegalStateException(c.name() + " is not at its index in the registry's columns");
            }
            byte op = operation(c.kind());
            OPS[i] = op;
            SLOTS[i] = c.kind().storage() == ValueKind.Storage.REF ? c.refSlot() : c.longSlot();
            NULLABLE[i] = c.nullable();
            fixed += (c.nullable() ? 1 : 0)
                    + switch (op) {
                        case OP_UINT8, OP_BOOL -> 1;
                        case OP_UINT16 -> 2;
                        case OP_UINT32, OP_INT32 -> 4;
                        case OP_64 -> 8;
                        case OP_IPV6, OP_UINT128 -> 16;
                        case OP_BYTES -> 5; // a length below 2^35 in LEB128
                        default -> 0; // the writer's methods make their own room
                    };
        }
        ROW_FIXED_MAX = fixed;
    }

    private static byte operation(ValueKind kind) {
        return switch (kind) {
            case UINT8 -> OP_UINT8;
            case UINT16 -> OP_UINT16;
            case UINT32, TIMESTAMP_S -> OP_UINT32;
            case INT32 -> OP_INT32;
            case UINT64, INT64, TIMESTAMP_MS, FLOAT64 -> OP_64;
            case BOOL -> OP_BOOL;
            case IP -> OP_IPV6;
            case BITS128 -> OP_UINT128;
            case STRING, LOW_CARDINALITY_STRING, MAC, UINT8_ARRAY, RAW_JSON -> OP_BYTES;
            case STRING_ARRAY, LOW_CARDINALITY_STRING_ARRAY, TCP_FLAGS, NETWORK_EVENTS -> OP_OTHER;
        };
    }

    private static final byte[] NO_BYTES = new byte[0];

    @Override
    public void encode(FlowRecord record, RowBinaryWriter out) {
        long[] longs = record.longStorage();
        Object[] refs = record.refStorage();
        byte[] buf = out.reserve(ROW_FIXED_MAX);
        int pos = out.size();
        for (int i = 0; i < OPS.length; i++) {
            if (NULLABLE[i]) {
                if (!record.has(i)) { // (a column's index is its position)
                    buf[pos++] = 1;
                    continue;
                }
                buf[pos++] = 0;
            }
            int slot = SLOTS[i];
            boolean viaWriter = false;
            switch (OPS[i]) {
                case OP_UINT8 -> {
                    long v = longs[slot];
                    if ((v & ~0xFFL) != 0) {
                        throw outOfRange(i, v);
                    }
                    buf[pos++] = (byte) v;
                }
                case OP_UINT16 -> {
                    long v = longs[slot];
                    if ((v & ~0xFFFFL) != 0) {
                        throw outOfRange(i, v);
                    }
                    pos = RowBinaryWriter.putInt16(buf, pos, (int) v);
                }
                case OP_UINT32 -> {
                    long v = longs[slot];
                    if ((v & ~0xFFFF_FFFFL) != 0) {
                        throw outOfRange(i, v);
                    }
                    pos = RowBinaryWriter.putInt32(buf, pos, (int) v);
                }
                case OP_INT32 -> pos = RowBinaryWriter.putInt32(buf, pos, (int) longs[slot]);
                case OP_64 -> pos = RowBinaryWriter.putInt64(buf, pos, longs[slot]);
                case OP_BOOL -> buf[pos++] = (byte) (longs[slot] != 0 ? 1 : 0);
                case OP_IPV6 -> pos = RowBinaryWriter.putIpv6(buf, pos, longs[slot], longs[slot + 1]);
                case OP_UINT128 -> pos = RowBinaryWriter.putUInt128(buf, pos, longs[slot], longs[slot + 1]);
                case OP_BYTES -> {
                    Object v = refs[slot];
                    byte[] bytes = v == null ? NO_BYTES : FlowRecord.bytesOf(v);
                    if (bytes == null) {
                        viaWriter = true; // a String
                        break;
                    }
                    int n = bytes.length;
                    if (pos + n > buf.length - ROW_FIXED_MAX) {
                        out.advanceTo(pos);
                        buf = out.reserve(n + ROW_FIXED_MAX);
                    }
                    pos = RowBinaryWriter.putVarUInt(buf, pos, n);
                    System.arraycopy(bytes, 0, buf, pos, n);
                    pos += n;
                }
                default -> viaWriter = true;
            }
            if (viaWriter) {
                out.advanceTo(pos);
                encodeValue(record, COLUMNS[i], out);
                buf = out.reserve(ROW_FIXED_MAX);
                pos = out.size();
            }
        }
        out.advanceTo(pos);
    }

    private static IllegalArgumentException outOfRange(int column, long value) {
        Column c = COLUMNS[column];
        return new IllegalArgumentException(
                c.kind().clickHouseType() + " out of range: " + value + " (" + c.name() + ")");
    }

    /**
     * The values {@link #encode} leaves to the writer's methods: a string held as {@code String} (the
     * plan writes {@link Utf8Text} and UTF-8 bytes itself), string arrays and network events.
     */
    private static void encodeValue(FlowRecord r, Column c, RowBinaryWriter out) {
        switch (c.kind()) {
            case STRING:
            case LOW_CARDINALITY_STRING:
            case MAC:
                out.writeString(r.getString(c));
                break;
            case STRING_ARRAY:
            case LOW_CARDINALITY_STRING_ARRAY:
            case TCP_FLAGS:
                byte[][] elements = r.stringsUtf8(c);
                if (elements != null) {
                    out.writeArraySize(elements.length); // as read back after the shuffle, never decoded
                    for (byte[] element : elements) {
                        out.writeStringBytes(element);
                    }
                    break;
                }
                String[] strings = r.getStrings(c);
                out.writeArraySize(strings.length);
                for (String s : strings) {
                    out.writeString(s);
                }
                break;
            case NETWORK_EVENTS:
                String[][] events = r.getEvents(c);
                out.writeArraySize(events.length);
                for (String[] event : events) {
                    out.writeMapSize(event.length / 2);
                    for (String s : event) {
                        out.writeString(s);
                    }
                }
                break;
            default:
                throw new IllegalStateException("no writer path for " + c.kind() + " (" + c.name() + ")");
        }
    }
}
