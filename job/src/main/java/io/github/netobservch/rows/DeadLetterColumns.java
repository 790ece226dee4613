package io.github.netobservch.rows;

import io.github.netobservch.parse.DeadLetter;
import io.github.netobservch.schema.SchemaTables;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The column list of {@code flows_dlq}, in table order: the one Java definition the sink encodes
 * dead letters from and {@code DeadLetterColumnsTest} compares with the DDL of
 * {@code sql/schema/V002__flows_dlq.sql}. Kafka coordinates are named like the provenance columns
 * of {@code flows} ({@code kafka_topic}, …) rather than after the bare field names, which are
 * ClickHouse keywords ({@code partition}, {@code offset}).
 */
public final class DeadLetterColumns {

    /**
     * One column: name and ClickHouse type (as {@code DESCRIBE} prints it), the {@link DeadLetter}
     * field it holds, and that field's value converted for the column ({@code String},
     * {@code Boolean}, {@code Integer}, {@code Long}; timestamps as epoch milliseconds).
     */
    public record Col(String name, String type, String field, Function<DeadLetter, Object> value) {}

    public static final Col REASON = new Col("reason", "LowCardinality(String)", "reason", d -> nz(d.reasonCode()));
    public static final Col MESSAGE = new Col("message", "String", "message", d -> nz(d.message));
    public static final Col FIELD = new Col("field", "LowCardinality(String)", "field", d -> nz(d.field));
    public static final Col PAYLOAD = new Col("payload", "String", "payload", d -> nz(d.payload));
    public static final Col PAYLOAD_ENCODING =
            new Col("payload_encoding", "LowCardinality(String)", "payloadEncoding", d -> nz(d.payloadEncoding));
    public static final Col PAYLOAD_TRUNCATED =
            new Col("payload_truncated", "Bool", "payloadTruncated", d -> d.payloadTruncated);
    public static final Col PAYLOAD_SIZE =
            new Col("payload_size", "UInt32", "payloadSize", d -> Math.max(0, d.payloadSize));
    public static final Col KAFKA_TOPIC = new Col("kafka_topic", "LowCardinality(String)", "topic", d -> nz(d.topic));
    public static final Col KAFKA_PARTITION = new Col("kafka_partition", "Int32", "partition", d -> d.partition);
    public static final Col KAFKA_OFFSET = new Col("kafka_offset", "Int64", "offset", d -> d.offset);
    /** -1 (no record timestamp) is stored as 0, like {@code flows.kafka_timestamp}. */
    public static final Col KAFKA_TIMESTAMP =
            new Col("kafka_timestamp", "DateTime64(3, 'UTC')", "kafkaTimestamp", d -> Math.max(0L, d.kafkaTimestamp));

    public static final Col PROCESSING_TIME =
            new Col("processing_time", "DateTime64(3, 'UTC')", "processingTime", d -> d.processingTime);

    private static final List<Col> COLUMNS = List.of(
            REASON,
            MESSAGE,
            FIELD,
            PAYLOAD,
            PAYLOAD_ENCODING,
            PAYLOAD_TRUNCATED,
            PAYLOAD_SIZE,
            KAFKA_TOPIC,
            KAFKA_PARTITION,
            KAFKA_OFFSET,
            KAFKA_TIMESTAMP,
            PROCESSING_TIME);

    private DeadLetterColumns() {}

    /** All columns in table order. */
    public static List<Col> columns() {
        return COLUMNS;
    }

    public static List<String> names() {
        return COLUMNS.stream().map(Col::name).toList();
    }

    /** Name → ClickHouse type, in order (e.g. for a row encoder's {@code columnTypes()}). */
    public static Map<String, String> types() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Col c : COLUMNS) {
            m.put(c.name(), c.type());
        }
        return m;
    }

    /** The row's partition value: {@link SchemaTables#dayOf(long)} of the processing time. */
    public static String partitionKey(DeadLetter d) {
        return SchemaTables.dayOf(d.processingTime);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
