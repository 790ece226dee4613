package io.github.netobservch.schema;

/**
 * Names and partitioning of the tables the job writes, as created by {@code sql/schema/}. The
 * exactly-once sink sends one INSERT per partition (ClickHouse inserts are atomic per partition
 * only), so its encoders must compute the same partition value as the table:
 *
 * <ul>
 *   <li>{@code flows}: {@code PARTITION BY toDate(time_flow_end_ms)} — the UTC day of
 *       {@code TimeFlowEndMs}: {@link #dayOf(long)} of the epoch milliseconds;
 *   <li>{@code flows_dlq}: {@code PARTITION BY toDate(processing_time)} — the UTC day of the
 *       dead letter's {@code processingTime}.
 * </ul>
 *
 * <p>In the cluster variant the sink writes to the shard-local tables ({@link #local(String)}):
 * deduplication works on the Replicated*MergeTree table, not through {@code Distributed}.
 */
public final class SchemaTables {

    public static final String FLOWS = "flows";
    public static final String FLOWS_DLQ = "flows_dlq";

    public static final String FLOWS_PARTITION_COLUMN = "time_flow_end_ms";
    public static final String FLOWS_PARTITION_BY = "toDate(time_flow_end_ms)";
    public static final String FLOWS_DLQ_PARTITION_COLUMN = "processing_time";
    public static final String FLOWS_DLQ_PARTITION_BY = "toDate(processing_time)";

    /** The 1-minute rollup tables fed by materialized views on {@code flows} (V003, V006). */
    public static final java.util.List<String> ROLLUPS = java.util.List.of(
            "rollup_namespace_1m",
            "rollup_workload_1m",
            "rollup_node_1m",
            "rollup_zone_1m",
            "rollup_external_1m",
            "rollup_dns_1m",
            "rollup_rtt_1m",
            "rollup_drops_1m",
            "rollup_pod_1m");

    /** Resolution tiers of the rollups, finest first: 1 minute (V003), 5 minutes and 1 hour (V005). */
    public static final java.util.List<String> TIERS = java.util.List.of("1m", "5m", "1h");

    /** Every rollup table of every tier ({@code rollup_namespace_1m}, {@code rollup_namespace_5m}, …). */
    public static final java.util.List<String> ROLLUP_TIERS =
            ROLLUPS.stream().flatMap(r -> TIERS.stream().map(t -> tier(r, t))).toList();

    private SchemaTables() {}

    /** The name of a 1-minute rollup's table in another tier: {@code tier("rollup_dns_1m", "1h")}. */
    public static String tier(String rollup1m, String tier) {
        if (!rollup1m.endsWith("_1m") || !TIERS.contains(tier)) {
            throw new IllegalArgumentException("no tier " + tier + " of " + rollup1m);
        }
        return rollup1m.substring(0, rollup1m.length() - 2) + tier;
    }

    /**
     * {@code toDate(t)} of a {@code DateTime64(3, 'UTC')} value given in epoch milliseconds, as
     * ClickHouse prints it ({@code 2026-11-25}); days before 1970 clamp like the column does.
     */
    public static String dayOf(long epochMillis) {
        return java.time.LocalDate.ofEpochDay(epochDayOf(epochMillis)).toString();
    }

    /** The UTC day number of {@link #dayOf} (days since 1970-01-01; times before 1970 count as day 0). */
    public static long epochDayOf(long epochMillis) {
        return Math.max(0L, epochMillis) / 86_400_000L;
    }

    /** The table the sink inserts into for {@code table} in the given variant. */
    public static String insertTarget(String table, SchemaVariant variant) {
        return variant == SchemaVariant.CLUSTER ? local(table) : table;
    }

    public static String local(String table) {
        return table + SchemaRenderer.LOCAL_SUFFIX;
    }
}
