package io.github.netobservch.schema;

import io.github.netobservch.format.Column;
import io.github.netobservch.format.ColumnRegistry;
import java.util.StringJoiner;

/**
 * The expression of the {@code record} column of the {@code flows_record} view (V008), derived from
 * the column registry: the record as JSON, whatever {@code raw.policy} the row was written with.
 *
 * <p>{@code raw_keys = ''} and {@code raw_key_bits = 0}: {@code raw} is the whole message. Otherwise
 * every column whose bit {@code raw_key_bits} sets — or, in a row written before V008, whose key
 * {@code raw_keys} lists (residue keys are listed with a {@code !} in front, so they do not match) —
 * gives {@code "Key":value}, in registry order, followed by the residue object's fields; values
 * written as NetObserv writes them: integers and booleans as JSON numbers and literals, timestamps as
 * epoch numbers, IPv4 as a dotted quad, strings, arrays and network events through {@code
 * toJSONString}. Migrations are immutable, so {@link RecordAliasTest} checks that the latest migration
 * defining {@code record} still matches this for every JSON column; a new column needs a migration
 * that redefines the view.
 */
public final class RecordAlias {

    private RecordAlias() {}

    public static String expression() {
        // one branch per JSON column, each a plain column expression: no lambda, no map, no per-row
        // array; the key-list test runs on raw_keys' LowCardinality dictionary, not per row
        StringJoiner fields = new StringJoiner(",\n        ", "concat(\n        ", ")");
        for (Column c : ColumnRegistry.columns()) {
            if (c.jsonName() != null) {
                fields.add("if(" + listed(c) + ", concat(',\"" + c.jsonName() + "\":', " + value(c) + "), '')");
            }
        }
        fields.add("if(raw = '', '', concat(',', substring(raw, 2, length(raw) - 2)))");
        return "if(raw_keys = '' AND raw_key_bits = 0, raw, concat('{', substring(" + fields + ", 2), '}'))";
    }

    /** Whether the row's message had the column's field with its value in the column. */
    public static String listed(Column c) {
        return "(" + bitTest("raw_key_bits", ColumnRegistry.keyBit(c)) + " OR position(concat(',', raw_keys, ','), ',"
                + c.jsonName() + ",') > 0)";
    }

    /** Bit {@code n} of a UInt128 (ClickHouse's bitTest takes no 128-bit argument). */
    static String bitTest(String column, int n) {
        return "bitAnd(" + column + ", bitShiftLeft(toUInt128(1), " + n + ")) != 0";
    }

    /**
     * A column's value as JSON text: the {@code | json} scalar of {@link RecordFields#scalar} for
     * numbers, booleans and times; quoted for strings and addresses; arrays and network events
     * through {@code toJSONString}; a NULL in a Nullable column as {@code null}.
     */
    static String value(Column c) {
        String n = c.name();
        switch (c.kind()) {
            case STRING:
            case LOW_CARDINALITY_STRING:
            case MAC:
            case IP:
                return "toJSONString(" + RecordFields.scalar(c) + ")";
            case STRING_ARRAY:
            case LOW_CARDINALITY_STRING_ARRAY:
            case UINT8_ARRAY:
            case TCP_FLAGS:
            case NETWORK_EVENTS:
                return "toJSONString(" + n + ")";
            case FLOAT64:
            case RAW_JSON:
                throw new IllegalStateException("no JSON form for " + c.kind() + " (" + n + ")");
            default:
                return c.nullable() ? "ifNull(toString(" + n + "), 'null')" : RecordFields.scalar(c);
        }
    }
}
