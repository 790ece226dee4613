package io.github.netobservch.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns migration templates into the SQL statements of one variant. The single-node and cluster
 * schemas come from the same files; only these placeholders differ:
 *
 * <table>
 *   <caption>Placeholders</caption>
 *   <tr><th>Placeholder</th><th>single</th><th>cluster</th></tr>
 *   <tr><td>{@code ${db}}</td><td colspan="2">the database</td></tr>
 *   <tr><td>{@code ${on_cluster}}</td><td>empty</td><td>{@code  ON CLUSTER '<cluster>'}</td></tr>
 *   <tr><td>{@code ${cluster}}</td><td colspan="2">the cluster name (default: the {@code {cluster}} macro)</td></tr>
 *   <tr><td>{@code ${table:NAME}}</td><td>{@code NAME}</td><td>{@code NAME_local}: the shard-local table the
 *       sink and the views write to</td></tr>
 *   <tr><td>{@code ${engine:KIND}} / {@code ${engine:KIND(args)}}</td><td>{@code KIND(args)}</td>
 *       <td>{@code ReplicatedKIND('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', args)}</td></tr>
 *   <tr><td>{@code ${dedup_settings}}</td><td>{@code non_replicated_deduplication_window = N}</td>
 *       <td>{@code replicated_deduplication_window = N, replicated_deduplication_window_seconds = S}</td></tr>
 *   <tr><td>{@code ${retention_days}}, {@code ${rollup_retention_days}}, {@code ${rollup_5m_retention_days}},
 *       {@code ${rollup_1h_retention_days}}, {@code ${dlq_retention_days}},
 *       {@code ${dedup_window}}, {@code ${dedup_window_seconds}}</td><td colspan="2">the option values</td></tr>
 * </table>
 *
 * <p>In the cluster variant every {@code CREATE TABLE … ${db}.${table:NAME}} is followed by
 * {@code CREATE TABLE … ${db}.NAME ON CLUSTER … AS ${db}.NAME_local ENGINE = Distributed(…, rand())}, so
 * queries read {@code NAME} in both variants; an {@code ALTER TABLE ${db}.${table:NAME} … COLUMN …} is
 * repeated for the Distributed table. Statements marked {@code -- @cluster-only} or
 * {@code -- @single-only} are kept only in that variant; those marked {@code -- @tier-5m}, {@code
 * -- @tier-1h} or {@code -- @pods} only when {@link SchemaOptions#rollupParts()} holds that part. An unknown placeholder is an error.
 */
public final class SchemaRenderer {

    /** Suffix of shard-local tables in the cluster variant. */
    public static final String LOCAL_SUFFIX = "_local";
    /** {@code ReplicatedMergeTree} path and replica arguments (server macros). */
    public static final String REPLICA_PATH = "'/clickhouse/tables/{shard}/{database}/{table}'";

    public static final String REPLICA_NAME = "'{replica}'";
    public static final String MIGRATIONS_TABLE = "schema_migrations";

    /** Directives of the optional rollups and the {@link SchemaOptions#rollupParts()} part each needs. */
    private static final java.util.Map<String, String> PART_DIRECTIVES =
            java.util.Map.of("tier-5m", "5m", "tier-1h", "1h", "pods", "pods");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-z0-9_]+)(?::([^}]*))?}");
    private static final Pattern CREATE_TABLE = Pattern.compile(
            "^CREATE\\s+TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?\\$\\{db}\\.\\$\\{table:([A-Za-z0-9_]+)}",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern ALTER_COLUMN = Pattern.compile(
            "^ALTER\\s+TABLE\\s+\\$\\{db}\\.\\$\\{table:([A-Za-z0-9_]+)}.*\\b(ADD|DROP|MODIFY|RENAME|COMMENT|CLEAR)\\s+COLUMN\\b",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern ENGINE = Pattern.compile("([A-Za-z]*MergeTree)(?:\\((.*)\\))?", Pattern.DOTALL);

    /** A rendered statement and where it came from. */
    public record Rendered(String source, int line, String sql) {}

    private final SchemaOptions options;

    public SchemaRenderer(SchemaOptions options) {
        this.options = options;
    }

    public SchemaOptions options() {
        return options;
    }

    /** Statements run before any migration: the database and the bookkeeping table. */
    public List<Rendered> bootstrap() {
        String db = options.database();
        List<Rendered> out = new ArrayList<>();
        out.add(new Rendered("bootstrap", 0, "CREATE DATABASE IF NOT EXISTS " + db + options.onCluster()));
        String engine = options.variant() == SchemaVariant.CLUSTER
                // one copy on every node of the cluster (no {shard} in the path), so any node knows the schema version
                ? "ReplicatedReplacingMergeTree('/clickhouse/tables/all/{database}/" + MIGRATIONS_TABLE
                        + "', '{shard}-{replica}', applied_at)"
                : "ReplacingMergeTree(applied_at)";
        out.add(new Rendered(
                "bootstrap",
                0,
                "CREATE TABLE IF NOT EXISTS " + db + "." + MIGRATIONS_TABLE + options.onCluster()
                        + "\n(\n"
                        + "    `version` UInt32,\n"
                        + "    `name` String,\n"
                        + "    `checksum` String,\n"
                        + "    `applied_at` DateTime64(3, 'UTC'),\n"
                        + "    `variant` LowCardinality(String),\n"
                        + "    `statements` UInt32\n"
                        + ")\n"
                        + "ENGINE = " + engine + "\n"
                        + "ORDER BY version"));
        return out;
    }

    /** The statements of one migration for this variant, in order. */
    public List<Rendered> render(Migration migration) {
        List<Rendered> out = new ArrayList<>();
        for (SqlScript.Statement st : migration.statements()) {
            if (st.directives().contains("cluster-only") && options.variant() != SchemaVariant.CLUSTER) {
                continue;
            }
            if (st.directives().contains("single-only") && options.variant() != SchemaVariant.SINGLE) {
                continue;
            }
            if (st.directives().stream()
                    .anyMatch(d -> PART_DIRECTIVES.containsKey(d)
                            && !options.rollupParts().contains(PART_DIRECTIVES.get(d)))) {
                continue;
            }
            for (String d : st.directives()) {
                if (!d.equals("cluster-only") && !d.equals("single-only") && !PART_DIRECTIVES.containsKey(d)) {
                    throw new IllegalArgumentException(
                            migration.fileName() + " line " + st.line() + ": unknown directive @" + d);
                }
            }
            String where = migration.fileName() + " line " + st.line();
            out.add(new Rendered(migration.fileName(), st.line(), substitute(st.sql(), where)));
            if (options.variant() == SchemaVariant.CLUSTER) {
                Matcher create = CREATE_TABLE.matcher(st.sql());
                if (create.find()) {
                    out.add(new Rendered(migration.fileName(), st.line(), distributed(create.group(1))));
                }
                Matcher alter = ALTER_COLUMN.matcher(st.sql());
                if (alter.find()) {
                    String local = options.database() + "." + alter.group(1) + LOCAL_SUFFIX;
                    String forLocal = substitute(st.sql(), where);
                    out.add(new Rendered(
                            migration.fileName(),
                            st.line(),
                            forLocal.replaceFirst(
                                    Pattern.quote(local),
                                    Matcher.quoteReplacement(options.database() + "." + alter.group(1)))));
                }
            }
        }
        return out;
    }

    /** The whole schema as one script (bootstrap + every migration), e.g. for {@code --dry-run}. */
    public String renderScript(List<Migration> migrations) {
        StringBuilder sb = new StringBuilder();
        sb.append("-- Rendered by io.github.netobservch.schema.SchemaRenderer: variant ")
                .append(options.variant().code())
                .append(", database ")
                .append(options.database());
        if (options.variant() == SchemaVariant.CLUSTER) {
            sb.append(", cluster ").append(options.cluster());
        }
        sb.append(",\n-- retention ")
                .append(options.retentionDays())
                .append(" d (flows), ")
                .append(options.rollupRetentionDays())
                .append(" / ")
                .append(options.rollup5mRetentionDays())
                .append(" / ")
                .append(options.rollup1hRetentionDays())
                .append(" d (rollups 1m / 5m / 1h), optional rollups ")
                .append(new java.util.TreeSet<>(options.rollupParts()))
                .append(", ")
                .append(options.dlqRetentionDays())
                .append(" d (flows_dlq), dedup window ")
                .append(options.dedupWindow())
                .append(" inserts");
        if (options.variant() == SchemaVariant.CLUSTER) {
            sb.append(" / ").append(options.dedupWindowSeconds()).append(" s");
        }
        sb.append(".\n-- Generated from sql/schema/*.sql; do not edit.\n\n-- bootstrap\n");
        for (Rendered r : bootstrap()) {
            sb.append(r.sql()).append(";\n\n");
        }
        for (Migration m : migrations) {
            sb.append("-- ").append(m.fileName()).append('\n');
            for (Rendered r : render(m)) {
                sb.append(r.sql()).append(";\n\n");
            }
        }
        return sb.toString().stripTrailing() + "\n";
    }

    private String distributed(String name) {
        String db = options.database();
        return "CREATE TABLE IF NOT EXISTS " + db + "." + name + options.onCluster() + " AS " + db + "." + name
                + LOCAL_SUFFIX + "\nENGINE = Distributed('" + options.cluster() + "', '" + db + "', '" + name
                + LOCAL_SUFFIX + "', rand())";
    }

    String substitute(String sql, String where) {
        Matcher m = PLACEHOLDER.matcher(sql);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(value(m.group(1), m.group(2), where)));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private String value(String name, String arg, String where) {
        boolean cluster = options.variant() == SchemaVariant.CLUSTER;
        switch (name) {
            case "db":
                return options.database();
            case "on_cluster":
                return options.onCluster();
            case "cluster":
                return options.cluster();
            case "table":
                requireArg(name, arg, where);
                return cluster ? arg + LOCAL_SUFFIX : arg;
            case "engine":
                requireArg(name, arg, where);
                return engine(arg.trim(), cluster, where);
            case "dedup_settings":
                return cluster
                        ? "replicated_deduplication_window = " + options.dedupWindow()
                                + ", replicated_deduplication_window_seconds = " + options.dedupWindowSeconds()
                        : "non_replicated_deduplication_window = " + options.dedupWindow();
            case "retention_days":
                return Integer.toString(options.retentionDays());
            case "rollup_retention_days":
                return Integer.toString(options.rollupRetentionDays());
            case "rollup_5m_retention_days":
                return Integer.toString(options.rollup5mRetentionDays());
            case "rollup_1h_retention_days":
                return Integer.toString(options.rollup1hRetentionDays());
            case "dlq_retention_days":
                return Integer.toString(options.dlqRetentionDays());
            case "dedup_window":
                return Long.toString(options.dedupWindow());
            case "dedup_window_seconds":
                return Long.toString(options.dedupWindowSeconds());
            default:
                throw new IllegalArgumentException(
                        where + ": unknown placeholder ${" + name + (arg != null ? ":" + arg : "") + "}");
        }
    }

    private static String engine(String spec, boolean cluster, String where) {
        Matcher m = ENGINE.matcher(spec);
        if (!m.matches() || m.group(1).toLowerCase(Locale.ROOT).startsWith("replicated")) {
            throw new IllegalArgumentException(
                    where + ": ${engine:" + spec + "} must name a non-replicated *MergeTree engine");
        }
        String kind = m.group(1);
        String args = m.group(2) == null ? "" : m.group(2).trim();
        if (!cluster) {
            return args.isEmpty() ? kind : kind + "(" + args + ")";
        }
        return "Replicated" + kind + "(" + REPLICA_PATH + ", " + REPLICA_NAME + (args.isEmpty() ? "" : ", " + args)
                + ")";
    }

    private static void requireArg(String name, String arg, String where) {
        if (arg == null || arg.isBlank()) {
            throw new IllegalArgumentException(where + ": ${" + name + ":…} needs an argument");
        }
    }
}
