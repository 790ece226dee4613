package io.github.netobservch.parse;

import java.util.Locale;

/**
 * What the {@code raw} column keeps of a flow record (option {@code raw.policy}).
 *
 * <p>Every policy loads the same typed columns; they differ in what is kept beside them. The {@code
 * record} column of the {@code flows_record} view (schema V008) gives the record back as JSON whatever
 * the policy was: {@code raw} itself for {@link #WHOLE} rows, otherwise rebuilt from the columns
 * whose bit {@code raw_key_bits} sets (or, in rows written before V008, that {@code raw_keys} names)
 * and the fields in {@code raw}.
 */
public enum RawPolicy {
    /** The whole message, byte for byte ({@code raw_key_bits} 0). */
    WHOLE("whole"),
    /**
     * Only the fields no column gives back exactly, as a JSON object ({@code ''} when there are none):
     * unknown and legacy keys, values that drifted from their column's type, JSON nulls, empty
     * addresses, and values a column keeps only normalised (upper-case MACs, numeric TCP flags,
     * non-canonical IPv6 text, non-string network-event values, L3/L4 fields of non-IP flows).
     * {@code raw_key_bits} marks every other field of the message, so {@code record} has every field.
     */
    UNMAPPED("unmapped"),
    /**
     * Nothing: {@code raw} stays empty and {@code raw_key_bits} marks the fields the columns hold, so
     * {@code record} rebuilds those; the fields {@link #UNMAPPED} would have kept are lost.
     */
    NONE("none");

    private final String option;

    RawPolicy(String option) {
        this.option = option;
    }

    /** The option's spelling. */
    public String option() {
        return option;
    }

    /** Parses the option value (case-insensitive). */
    public static RawPolicy parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        for (RawPolicy p : values()) {
            if (p.option.equals(v)) {
                return p;
            }
        }
        throw new IllegalArgumentException("raw.policy must be whole, unmapped or none: '" + value + "'");
    }
}
