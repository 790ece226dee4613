package io.github.netobservch.format;

import java.util.ArrayList;
import java.util.List;

/** Tests' reading of {@code raw_key_bits}: the JSON keys a record's bits mark, in column order. */
public final class KeyBits {

    private KeyBits() {}

    /** The keys {@link ColumnRegistry#RAW_KEY_BITS} marks, in column order; empty when it is absent. */
    public static List<String> keys(FlowRecord r) {
        List<String> keys = new ArrayList<>();
        if (!r.has(ColumnRegistry.RAW_KEY_BITS)) {
            return keys;
        }
        long high = r.ipHigh(ColumnRegistry.RAW_KEY_BITS);
        long low = r.ipLow(ColumnRegistry.RAW_KEY_BITS);
        for (Column c : ColumnRegistry.columns()) {
            int bit = ColumnRegistry.keyBit(c);
            if (bit >= 0 && ((bit < 64 ? low >>> bit : high >>> (bit - 64)) & 1) != 0) {
                keys.add(c.jsonName());
            }
        }
        return keys;
    }

    /** {@link #keys} joined with commas, as {@code raw_keys} listed the columns' keys. */
    public static String joined(FlowRecord r) {
        return String.join(",", keys(r));
    }
}
