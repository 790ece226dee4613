package io.github.netobservch.schema;

import java.util.Locale;

/** Which deployment the migrations are rendered for. */
public enum SchemaVariant {
    /**
     * One server: plain {@code MergeTree}-family tables with {@code non_replicated_deduplication_window}.
     */
    SINGLE,
    /**
     * A sharded/replicated cluster: {@code ON CLUSTER}, {@code Replicated*MergeTree} local tables
     * ({@code <name>_local}, where the sink and the views write) and a {@code Distributed} table under
     * the plain name for reads.
     */
    CLUSTER;

    public static SchemaVariant parse(String value) {
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "single":
                return SINGLE;
            case "cluster":
                return CLUSTER;
            default:
                throw new IllegalArgumentException(
                        "unknown schema variant '" + value + "' (expected single or cluster)");
        }
    }

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
