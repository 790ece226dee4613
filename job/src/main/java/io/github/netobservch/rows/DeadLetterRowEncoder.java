package io.github.netobservch.rows;

import io.github.netobservch.parse.DeadLetter;
import io.github.netobservch.sink.PresenceProbe;
import io.github.netobservch.sink.RowBinaryWriter;
import io.github.netobservch.sink.RowEncoder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Encodes a {@link DeadLetter} as one RowBinary row of {@code flows_dlq}, in {@link DeadLetterColumns} order. */
public final class DeadLetterRowEncoder implements RowEncoder<DeadLetter> {

    private static final long serialVersionUID = 1L;

    @Override
    public List<String> columns() {
        return DeadLetterColumns.names();
    }

    @Override
    public Map<String, String> columnTypes() {
        return DeadLetterColumns.types();
    }

    @Override
    public String partitionKey(DeadLetter record) {
        return DeadLetterColumns.partitionKey(record);
    }

    /**
     * The dead letter's Kafka coordinates (one message, at most one dead letter) and its
     * {@code processing_time}, the table's first sort key. {@code null} without a topic.
     */
    @Override
    public PresenceProbe presenceProbe(DeadLetter record) {
        String topic = (String) DeadLetterColumns.KAFKA_TOPIC.value().apply(record);
        if (topic.isEmpty()) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("pt", DeadLetterColumns.PROCESSING_TIME.value().apply(record).toString());
        params.put("kt", topic);
        params.put("kp", DeadLetterColumns.KAFKA_PARTITION.value().apply(record).toString());
        params.put("ko", DeadLetterColumns.KAFKA_OFFSET.value().apply(record).toString());
        return new PresenceProbe(PROBE, params);
    }

    @Override
    public PresenceProbe probeShape() {
        return new PresenceProbe(PROBE, Map.of("pt", "0", "kt", "", "kp", "0", "ko", "0"));
    }

    private static final String PROBE = DeadLetterColumns.PROCESSING_TIME.name()
            + " = fromUnixTimestamp64Milli({pt:Int64}, 'UTC')"
            + " AND " + DeadLetterColumns.KAFKA_TOPIC.name() + " = {kt:String}"
            + " AND " + DeadLetterColumns.KAFKA_PARTITION.name() + " = {kp:Int32}"
            + " AND " + DeadLetterColumns.KAFKA_OFFSET.name() + " = {ko:Int64}";

    @Override
    public void encode(DeadLetter record, RowBinaryWriter out) {
        for (DeadLetterColumns.Col c : DeadLetterColumns.columns()) {
            Object value = c.value().apply(record);
            switch (c.type()) {
                case "String":
                case "LowCardinality(String)":
                    out.writeString((String) value);
                    break;
                case "Bool":
                    out.writeBool((Boolean) value);
                    break;
                case "UInt32":
                    out.writeUInt32(((Number) value).longValue());
                    break;
                case "Int32":
                    out.writeInt32(((Number) value).intValue());
                    break;
                case "Int64":
                    out.writeInt64(((Number) value).longValue());
                    break;
                case "DateTime64(3, 'UTC')":
                    out.writeDateTime64Millis(((Number) value).longValue());
                    break;
                default:
                    throw new IllegalStateException("no RowBinary encoding for " + c.name() + " " + c.type());
            }
        }
    }
}
