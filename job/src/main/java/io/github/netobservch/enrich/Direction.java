package io.github.netobservch.enrich;

import io.github.netobservch.format.Utf8Text;

/**
 * Node-level direction from FLP's {@code FlowDirection} (relative to the reporting node, docs/netobserv-format.md
 * §3.5): 0 ingress, 1 egress, 2 inner (both endpoints on the reporting node).
 * {@code FlowDirection} is <em>absent</em> when FLP cannot tell (Service↔external,
 * external↔external, reporter is neither host): that is {@link #UNKNOWN}, as is any value FLP does
 * not define. Not to be confused with the interface-level {@code IfDirections}.
 */
public enum Direction {
    INGRESS("ingress"),
    EGRESS("egress"),
    INNER("inner"),
    UNKNOWN("unknown");

    private final String code;
    private final Utf8Text codeText;

    Direction(String code) {
        this.code = code;
        this.codeText = Utf8Text.of(code);
    }

    /** Stable value of the {@code direction} column. */
    public String code() {
        return code;
    }

    /** {@link #code} with its UTF-8 form, for the column (every record shares it). */
    public Utf8Text codeText() {
        return codeText;
    }

    /** From a {@code FlowDirection} value; {@code present=false} or an undefined value → UNKNOWN. */
    public static Direction of(boolean present, long flowDirection) {
        if (!present) {
            return UNKNOWN;
        }
        switch ((int) flowDirection) {
            case 0:
                return INGRESS;
            case 1:
                return EGRESS;
            case 2:
                return INNER;
            default:
                return UNKNOWN;
        }
    }
}
