package io.github.netobservch.dedup;

import java.util.Locale;

/** How {@link DedupStage} removes the copies of a flow slice (docs/netobserv-format.md §3.4). */
public enum DedupMode {

    /**
     * Default. Stateful, keyed by flow key: one reporter ({@code AgentIP}) per flow key and window
     * of activity, preferring the reporter the NetObserv console counts; exact re-sends and {@code
     * Duplicate=true} copies dropped. See {@link FlowDeduplicator}.
     */
    REPORTER_ELECTION("reporter-election"),

    /**
     * Stateless: keeps a record iff it is not a {@code Duplicate=true} copy and {@code
     * is_canonical} holds (the console's topology rule). No keyBy, no state; exact re-sends and
     * records whose canonical reporter has no agent are <em>not</em> handled (the latter are lost).
     */
    CONSOLE_RULE("console-rule"),

    /** Every record passes unchanged (queries can still filter on {@code is_canonical}). */
    OFF("off");

    private final String code;

    DedupMode(String code) {
        this.code = code;
    }

    /** Configuration value, e.g. {@code reporter-election}. */
    public String code() {
        return code;
    }

    /** Parses a configuration value (case-insensitive, {@code _} accepted for {@code -}). */
    public static DedupMode fromCode(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (DedupMode m : values()) {
            if (m.code.equals(v)) {
                return m;
            }
        }
        throw new IllegalArgumentException(
                "unknown dedup mode '" + value + "' (expected reporter-election, console-rule or off)");
    }
}
