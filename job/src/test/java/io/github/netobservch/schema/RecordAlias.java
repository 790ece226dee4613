package io.github.netobservch.schema;

import io.github.netobservch.format.Column;
import io.github.netobservch.format.ColumnRegistry;
import java.util.StringJoiner;

/**
 * The expression of the {@code record} ALIAS column of {@code flows} (V007), derived from the
 * column registry: the record as JSON, whatever {@code raw.policy} the row was written with.
 *
 * <p>{@code raw_keys = ''}: {@code raw} is the whole message. Otherwise every column whose key {@code
 * raw_keys} lists (residue keys are listed with a {@code !} in front, so they do not match) gives
 * {@code "Key":value}, in registry order, followed by the residue object's fields; values written
 * as NetObserv writes them: integers and booleans as JSON numbers and literals,
 * timestamps as epoch numbers, IPv4 as a dotted quad, strings, arrays and network events through
 * {@code toJSONString}. Migrations are immutable, so {@link RecordAliasTest} checks that the latest
 * migration defining {@code record} still matches this for every JSON column; a new column needs a
 * migration that redefines it ({@code MODIFY COLUMN record … ALIAS …}).
 */
final class RecordAlias {

    private RecordAlias() {}

    static String expression() {
        // one branch per JSON column, each a plain column expression: no lambda, no map, no per-row
        // array; the key test runs on raw_keys' LowCardinality dictionary, not per row
        String keys = "concat(',', raw_keys, ',')";
        StringJoiner fields = new StringJoiner(",\n        ", "concat(\n        ", ")");
        for (Column c : ColumnRegistry.columns()) {
            if (c.jsonName() != null) {
                fields.add("if(position(" + keys + ", '," + c.jsonName() + ",') > 0, concat(',\"" + c.jsonName()
                        + "\":', " + value(c) + "), '')");
            }
        }
        fields.add("if(raw = '', '', concat(',', substring(raw, 2, length(raw) - 2)))");
        return "if(raw_keys = '', raw, concat('{', substring(" + fields + ", 2), '}'))";
    }

    /** A column's value as JSON text. */
    static String value(Column c) {
        String n = c.name();
        switch (c.kind()) {
            case UINT8:
            case UINT16:
            case UINT32:
            case UINT64:
            case INT32:
            case INT64:
                return c.nullable() ? "ifNull(toString(" + n + "), 'null')" : "toString(" + n + ")";
            case BOOL:
                return "if(" + n + ", 'true', 'false')";
            case TIMESTAMP_MS:
                return "toString(toUnixTimestamp64Milli(" + n + "))";
            case TIMESTAMP_S:
                return "toString(toUnixTimestamp(" + n + "))";
            case STRING:
            case LOW_CARDINALITY_STRING:
            case MAC:
                return "toJSONString(toString(" + n + "))";
            case IP:
                return "toJSONString(" + RecordFields.scalar(c) + ")";
            case STRING_ARRAY:
            case LOW_CARDINALITY_STRING_ARRAY:
            case UINT8_ARRAY:
            case TCP_FLAGS:
            case NETWORK_EVENTS:
                return "toJSONString(" + n + ")";
            default:
                throw new IllegalStateException("no JSON form for " + c.kind() + " (" + n + ")");
        }
    }
}
