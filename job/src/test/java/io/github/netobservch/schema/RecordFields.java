package io.github.netobservch.schema;

import io.github.netobservch.format.Column;
import io.github.netobservch.format.ColumnRegistry;

/**
 * The read API's table of record fields held by columns ({@code loki-api/src/main/resources/record-fields.tsv},
 * checked there against this): per JSON key, the SQL that gives the field as Loki's {@code | json}
 * gives a top-level scalar (strings unquoted, numbers and booleans as written; arrays and objects
 * are not scalars: {@code ''}), read from the column instead of from a rebuilt record.
 */
public final class RecordFields {

    private RecordFields() {}

    /**
     * {@code JsonKey<TAB>listed<TAB>expression} per JSON column, in registry order, with a header
     * comment; {@code listed} is {@link RecordAlias#listed}: whether the row's column holds the field.
     */
    public static String tsv() {
        StringBuilder sb = new StringBuilder(
                "# Generated from the job's column registry (io.github.netobservch.schema.RecordFields); do not edit.\n"
                        + "# JSON key<TAB>whether the row's column holds the field<TAB>the field as a | json scalar, from"
                        + " its column\n");
        for (Column c : ColumnRegistry.columns()) {
            if (c.jsonName() != null) {
                sb.append(c.jsonName())
                        .append('\t')
                        .append(RecordAlias.listed(c))
                        .append('\t')
                        .append(scalar(c))
                        .append('\n');
            }
        }
        return sb.toString();
    }

    static String scalar(Column c) {
        String n = c.name();
        switch (c.kind()) {
            case UINT8:
            case UINT16:
            case UINT32:
            case UINT64:
            case INT32:
            case INT64:
                return c.nullable() ? "ifNull(toString(" + n + "), '')" : "toString(" + n + ")";
            case BOOL:
                return "if(" + n + ", 'true', 'false')";
            case TIMESTAMP_MS:
                return "toString(toUnixTimestamp64Milli(" + n + "))";
            case TIMESTAMP_S:
                return "toString(toUnixTimestamp(" + n + "))";
            case STRING:
            case LOW_CARDINALITY_STRING:
            case MAC:
                return "toString(" + n + ")";
            case IP:
                return "if(startsWith(toString(" + n + "), '::ffff:') AND position(toString(" + n
                        + "), '.') > 0, substring(toString(" + n + "), 8), toString(" + n + "))";
            default:
                return "''"; // arrays and network events: not scalars
        }
    }
}
