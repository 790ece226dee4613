package io.github.netobservch.rows;

import io.github.netobservch.format.Column;
import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowRecord;
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

    @Override
    public void encode(FlowRecord record, RowBinaryWriter out) {
        for (Column c : ColumnRegistry.columns()) {
            if (c.nullable()) {
                if (!record.has(c)) {
                    out.writeNull();
                    continue;
                }
                out.writeNotNull();
            }
            encodeValue(record, c, out);
        }
    }

    private static void encodeValue(FlowRecord r, Column c, RowBinaryWriter out) {
        switch (c.kind()) {
            case UINT8:
                out.writeUInt8((int) r.getLong(c));
                break;
            case UINT16:
                out.writeUInt16((int) r.getLong(c));
                break;
            case UINT32:
                out.writeUInt32(r.getLong(c));
                break;
            case UINT64:
                out.writeUInt64(r.getLong(c));
                break;
            case INT32:
                out.writeInt32((int) r.getLong(c));
                break;
            case INT64:
                out.writeInt64(r.getLong(c));
                break;
            case BOOL:
                out.writeBool(r.getBool(c));
                break;
            case TIMESTAMP_MS:
                out.writeDateTime64Millis(r.getLong(c));
                break;
            case TIMESTAMP_S:
                out.writeDateTime(r.getLong(c));
                break;
            case FLOAT64:
                out.writeFloat64(r.getDouble(c));
                break;
            case IP:
                out.writeIpv6(r.ipHigh(c), r.ipLow(c));
                break;
            case BITS128:
                out.writeUInt128(r.ipHigh(c), r.ipLow(c));
                break;
            case STRING:
            case LOW_CARDINALITY_STRING:
            case MAC:
                byte[] utf8 = r.stringUtf8(c);
                if (utf8 != null) {
                    out.writeStringBytes(utf8); // as read back after the shuffle, never decoded
                } else {
                    out.writeString(r.getString(c));
                }
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
            case UINT8_ARRAY:
                byte[] bytes = r.getBytes(c);
                out.writeArraySize(bytes.length);
                out.writeRaw(bytes, 0, bytes.length); // UInt8 elements are the bytes themselves
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
            case RAW_JSON:
                out.writeStringBytes(r.getBytes(c));
                break;
            default:
                throw new IllegalStateException("no RowBinary encoding for " + c.kind() + " (" + c.name() + ")");
        }
    }
}
