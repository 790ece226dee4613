package io.github.netobservch.schema;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Values substituted into the migration templates (see {@link SchemaRenderer}).
 *
 * @param database database name ({@code ${db}})
 * @param variant single node or cluster
 * @param cluster cluster name for {@code ON CLUSTER} and {@code Distributed}; {@code {cluster}} (the
 *     server macro) by default
 * @param retentionDays TTL of {@code flows} ({@code ${retention_days}})
 * @param rollupRetentionDays TTL of the 1-minute rollups ({@code ${rollup_retention_days}})
 * @param rollup5mRetentionDays TTL of the 5-minute tier ({@code ${rollup_5m_retention_days}}, V005)
 * @param rollup1hRetentionDays TTL of the 1-hour tier ({@code ${rollup_1h_retention_days}}, V005)
 * @param dlqRetentionDays TTL of {@code flows_dlq} ({@code ${dlq_retention_days}})
 * @param dedupWindow {@code non_replicated_deduplication_window} / {@code replicated_deduplication_window}:
 *     how many recent INSERTs per table a re-commit is recognised against
 * @param dedupWindowSeconds {@code replicated_deduplication_window_seconds} (cluster only): how old a
 *     re-committed INSERT may be; must exceed the longest outage the job should survive
 * @param rollupParts the optional rollups to create: {@code 5m} and {@code 1h} (the coarser tiers,
 *     V005/V006) and {@code pods} (V006); statements marked {@code -- @tier-5m}, {@code -- @tier-1h}
 *     or {@code -- @pods} are left out for a part not in the set. Each costs ClickHouse insert work
 *     per flow (docs/performance.md); chosen when the tables are created
 */
public record SchemaOptions(
        String database,
        SchemaVariant variant,
        String cluster,
        int retentionDays,
        int rollupRetentionDays,
        int rollup5mRetentionDays,
        int rollup1hRetentionDays,
        int dlqRetentionDays,
        long dedupWindow,
        long dedupWindowSeconds,
        java.util.Set<String> rollupParts) {

    public static final String DEFAULT_DATABASE = "netobserv";
    /** The optional rollups: the 5-minute and 1-hour tiers and the per-pod rollups; all by default. */
    public static final java.util.Set<String> ALL_ROLLUP_PARTS = java.util.Set.of("5m", "1h", "pods");

    public static final String DEFAULT_CLUSTER = "{cluster}";
    public static final int DEFAULT_RETENTION_DAYS = 30;
    /**
     * 1-minute tier: a little more than the raw table's default, so a query over the raw table's
     * whole history can still start on any minute (the 5m and 1h tiers keep the months and years).
     */
    public static final int DEFAULT_ROLLUP_RETENTION_DAYS = 35;
    /** 5-minute tier: about six months. */
    public static final int DEFAULT_ROLLUP_5M_RETENTION_DAYS = 186;
    /** 1-hour tier: two years and a month, so a month can be compared with the same month a year and two years before. */
    public static final int DEFAULT_ROLLUP_1H_RETENTION_DAYS = 762;

    public static final int DEFAULT_DLQ_RETENTION_DAYS = 30;
    /** Inserts remembered per table; ClickHouse's replicated default since 25.9, far above a day of 1/s commits per subtask. */
    public static final long DEFAULT_DEDUP_WINDOW = 10_000;
    /** 7 days (the pre-25.10 default; 25.10+ defaults to 1 hour, too short for an outage + restore). */
    public static final long DEFAULT_DEDUP_WINDOW_SECONDS = 7 * 24 * 3600;

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern CLUSTER_NAME = Pattern.compile("\\{cluster}|[A-Za-z0-9_.-]+");

    public SchemaOptions {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(variant, "variant");
        if (!IDENTIFIER.matcher(database).matches()) {
            throw new IllegalArgumentException("database name '" + database + "' must match " + IDENTIFIER.pattern());
        }
        if (cluster == null || cluster.isBlank()) {
            cluster = DEFAULT_CLUSTER;
        }
        if (!CLUSTER_NAME.matcher(cluster).matches()) {
            throw new IllegalArgumentException(
                    "cluster name '" + cluster + "' must be {cluster} or match [A-Za-z0-9_.-]+");
        }
        days("retention days", retentionDays);
        days("rollup retention days", rollupRetentionDays);
        days("5-minute rollup retention days", rollup5mRetentionDays);
        days("1-hour rollup retention days", rollup1hRetentionDays);
        days("dead-letter retention days", dlqRetentionDays);
        positive("dedup window", dedupWindow);
        positive("dedup window seconds", dedupWindowSeconds);
        rollupParts = rollupParts == null ? ALL_ROLLUP_PARTS : java.util.Set.copyOf(rollupParts);
        if (!ALL_ROLLUP_PARTS.containsAll(rollupParts)) {
            throw new IllegalArgumentException(
                    "rollup parts must be among " + ALL_ROLLUP_PARTS + ", got " + rollupParts);
        }
    }

    /**
     * TTLs are {@code toDate(t) + N days}; ClickHouse's {@code Date} ends in 2149, so N is capped at
     * 30 years (a larger N would wrap around and expire everything at once).
     */
    public static final int MAX_RETENTION_DAYS = 30 * 366;

    private static void days(String what, int v) {
        positive(what, v);
        if (v > MAX_RETENTION_DAYS) {
            throw new IllegalArgumentException(what + " must be <= " + MAX_RETENTION_DAYS + " (30 years), got " + v);
        }
    }

    private static void positive(String what, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException(what + " must be > 0, got " + v);
        }
    }

    /** Defaults: database {@code netobserv}, single node. */
    public static SchemaOptions defaults() {
        return new SchemaOptions(
                DEFAULT_DATABASE,
                SchemaVariant.SINGLE,
                DEFAULT_CLUSTER,
                DEFAULT_RETENTION_DAYS,
                DEFAULT_ROLLUP_RETENTION_DAYS,
                DEFAULT_ROLLUP_5M_RETENTION_DAYS,
                DEFAULT_ROLLUP_1H_RETENTION_DAYS,
                DEFAULT_DLQ_RETENTION_DAYS,
                DEFAULT_DEDUP_WINDOW,
                DEFAULT_DEDUP_WINDOW_SECONDS,
                ALL_ROLLUP_PARTS);
    }

    public SchemaOptions withDatabase(String db) {
        return new SchemaOptions(
                db,
                variant,
                cluster,
                retentionDays,
                rollupRetentionDays,
                rollup5mRetentionDays,
                rollup1hRetentionDays,
                dlqRetentionDays,
                dedupWindow,
                dedupWindowSeconds,
                rollupParts);
    }

    public SchemaOptions withVariant(SchemaVariant v, String clusterName) {
        return new SchemaOptions(
                database,
                v,
                clusterName,
                retentionDays,
                rollupRetentionDays,
                rollup5mRetentionDays,
                rollup1hRetentionDays,
                dlqRetentionDays,
                dedupWindow,
                dedupWindowSeconds,
                rollupParts);
    }

    /** Retention of flows, of every rollup tier (1m, 5m and 1h alike) and of flows_dlq. */
    public SchemaOptions withRetention(int rawDays, int rollupDays, int dlqDays) {
        return new SchemaOptions(
                database,
                variant,
                cluster,
                rawDays,
                rollupDays,
                rollupDays,
                rollupDays,
                dlqDays,
                dedupWindow,
                dedupWindowSeconds,
                rollupParts);
    }

    /** Retention of each rollup tier. */
    public SchemaOptions withTierRetention(int days1m, int days5m, int days1h) {
        return new SchemaOptions(
                database,
                variant,
                cluster,
                retentionDays,
                days1m,
                days5m,
                days1h,
                dlqRetentionDays,
                dedupWindow,
                dedupWindowSeconds,
                rollupParts);
    }

    public SchemaOptions withDedupWindow(long window, long seconds) {
        return new SchemaOptions(
                database,
                variant,
                cluster,
                retentionDays,
                rollupRetentionDays,
                rollup5mRetentionDays,
                rollup1hRetentionDays,
                dlqRetentionDays,
                window,
                seconds,
                rollupParts);
    }

    /** Which optional rollups to create ({@link #ALL_ROLLUP_PARTS} by default). */
    public SchemaOptions withRollupParts(java.util.Set<String> parts) {
        return new SchemaOptions(
                database,
                variant,
                cluster,
                retentionDays,
                rollupRetentionDays,
                rollup5mRetentionDays,
                rollup1hRetentionDays,
                dlqRetentionDays,
                dedupWindow,
                dedupWindowSeconds,
                parts);
    }

    /** {@code ON CLUSTER '<name>'} with a leading space, or empty for a single node. */
    public String onCluster() {
        return variant == SchemaVariant.CLUSTER ? " ON CLUSTER '" + cluster + "'" : "";
    }
}
