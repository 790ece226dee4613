package io.github.netobservch.format;

import java.util.Objects;

/**
 * One storage column of the {@code flows} table. Instances exist only as the constants of {@link
 * ColumnRegistry}; compare them by identity.
 */
public final class Column {

    /** Where a column's value comes from. */
    public enum Origin {
        /** A NetObserv JSON field (current name). */
        JSON,
        /** Computed by the job (enrichment or parse-time normalisation). */
        DERIVED,
        /** Kafka record coordinates. */
        KAFKA,
        /** The original message. */
        RAW,
        /**
         * Carried with the record between operators (and in dedup state) but not a ClickHouse column:
         * not in {@link ColumnRegistry#columns()}, only in {@link ColumnRegistry#slots()}.
         */
        INTERNAL
    }

    private final int index;
    private final String name;
    private final String jsonName;
    private final Origin origin;
    private final ValueKind kind;
    private final boolean nullable;
    private final boolean required;
    private final long max;
    private final String codec;
    private final String comment;
    private final int longSlot;
    private final int refSlot;

    Column(
            int index,
            String name,
            String jsonName,
            Origin origin,
            ValueKind kind,
            boolean nullable,
            boolean required,
            long max,
            String codec,
            String comment,
            int longSlot,
            int refSlot) {
        this.index = index;
        this.name = Objects.requireNonNull(name);
        this.jsonName = jsonName;
        this.origin = Objects.requireNonNull(origin);
        this.kind = Objects.requireNonNull(kind);
        this.nullable = nullable;
        this.required = required;
        this.max = max;
        this.codec = codec;
        this.comment = comment;
        this.longSlot = longSlot;
        this.refSlot = refSlot;
    }

    /** Position in {@link ColumnRegistry#columns()} and in the DDL. */
    public int index() {
        return index;
    }

    /** ClickHouse column name (snake_case, see {@link ColumnNames}). */
    public String name() {
        return name;
    }

    /** NetObserv JSON key, or {@code null} for derived, Kafka and raw columns. */
    public String jsonName() {
        return jsonName;
    }

    public Origin origin() {
        return origin;
    }

    public ValueKind kind() {
        return kind;
    }

    /** Whether the ClickHouse column is {@code Nullable(...)} (absent ≠ default). */
    public boolean nullable() {
        return nullable;
    }

    /** Whether a record without this field is rejected ({@code MISSING_FIELD}). */
    public boolean required() {
        return required;
    }

    /** Largest accepted value for numeric kinds (may be tighter than the kind's, e.g. DSCP ≤ 63). */
    public long max() {
        return max;
    }

    /** ClickHouse type including {@code Nullable(...)} when applicable, without codec. */
    public String clickHouseType() {
        return nullable ? "Nullable(" + kind.clickHouseType() + ")" : kind.clickHouseType();
    }

    /** Compression codec for the DDL, or {@code null}. */
    public String codec() {
        return codec;
    }

    /** Short column comment for the DDL, or {@code null}. */
    public String comment() {
        return comment;
    }

    /**
     * Where the value is stored in {@link FlowRecord#longStorage()} (two slots from here for 128-bit
     * kinds), or -1 for a reference kind.
     */
    public int longSlot() {
        return longSlot;
    }

    /** Where the value is stored in {@link FlowRecord#refStorage()}, or -1 for a numeric kind. */
    public int refSlot() {
        return refSlot;
    }

    /** The column definition as it appears in {@code CREATE TABLE}. */
    public String ddl() {
        // ClickHouse's column grammar puts COMMENT before CODEC.
        StringBuilder sb =
                new StringBuilder().append('`').append(name).append("` ").append(clickHouseType());
        if (comment != null) {
            sb.append(" COMMENT '")
                    .append(comment.replace("\\", "\\\\").replace("'", "\\'"))
                    .append('\'');
        }
        if (codec != null) {
            sb.append(" CODEC(").append(codec).append(')');
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return name + (jsonName != null ? " <- " + jsonName : "") + " " + clickHouseType();
    }
}
