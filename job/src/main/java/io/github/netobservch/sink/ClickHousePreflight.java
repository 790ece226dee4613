package io.github.netobservch.sink;

import com.clickhouse.client.api.query.GenericRecord;
import io.github.netobservch.clickhouse.ClickHouseErrors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, before any row is sent, that the target table can take the sink's INSERTs and deduplicate
 * re-commits: the table exists; it has the encoder's columns (and types, where the encoder names
 * them), none of them MATERIALIZED or ALIAS; its engine keeps an insert-deduplication log
 * ({@code Replicated*}/{@code Shared*} MergeTree, or MergeTree with
 * {@code non_replicated_deduplication_window > 0}); the window covers
 * {@link ClickHouseSinkOptions#requiredDeduplicationWindow()} INSERTs (and, for replicated tables,
 * {@code replicated_deduplication_window_seconds} covers the tolerated outage); the session does not
 * disable deduplication ({@code deduplicate_insert = 'disable'}); the server is at least {@link
 * #MIN_SERVER_VERSION}; it applies {@code deduplicate_blocks_in_dependent_materialized_views = 1}
 * (the sink sends it with every INSERT); and every materialized view that reads the table writes
 * {@code TO} a table that keeps its own deduplication log covering the same window. Logs the server
 * version.
 *
 * <p>The job's {@code main} can call {@link #check} to fail before submission; the sink writer calls it
 * again when it opens.
 */
public final class ClickHousePreflight {

    private static final Logger LOG = LoggerFactory.getLogger(ClickHousePreflight.class);

    /**
     * Oldest ClickHouse the sink supports: 24.8, the first LTS release with insert deduplication
     * tokens carried into dependent materialized views as the sink relies on (each view's target
     * deduplicates the block a re-committed INSERT pushes into it). Tested against 26.7 (the
     * embedded engine); versions in between are expected to work, older ones are refused.
     */
    static final int[] MIN_SERVER_VERSION = {24, 8};

    private static final Pattern VIEW_TARGET =
            Pattern.compile("\\bTO\\s+(`[^`]+`|[A-Za-z0-9_]+)\\.(`[^`]+`|[A-Za-z0-9_]+)");

    /** What the preflight found. */
    public record Report(String serverVersion, String engine, String windowSetting, long window, String partitionKey) {}

    private ClickHousePreflight() {}

    /**
     * Runs the checks with a client of its own. A rejected server certificate becomes a
     * {@link ClickHousePreflightException} that says so (the client only reports an I/O failure).
     */
    public static Report check(ClickHouseSinkOptions options, RowEncoder<?> encoder) {
        if (!options.shardEndpoints().isEmpty()) {
            // every shard must be able to take the sink's INSERTs: check each one (a check with problems
            // throws); the last shard's report is returned
            Report report = null;
            for (int shard = 0; shard < options.shardEndpoints().size(); shard++) {
                report = check(options.forShard(shard), encoder);
            }
            return report;
        }
        try (ClickHouseInserter client = new ClickHouseInserter(options)) {
            return check(client, options, encoder.columns(), encoder.columnTypes(), encoder.probeShape());
        } catch (ClickHousePreflightException e) {
            throw e;
        } catch (RuntimeException e) {
            var tls = ClickHouseErrors.tlsVerificationFailure(e);
            if (tls.isPresent()) {
                throw new ClickHousePreflightException(options.database() + "." + options.table(), List.of(tls.get()));
            }
            throw e;
        }
    }

    static Report check(
            ClickHouseInserter client,
            ClickHouseSinkOptions options,
            List<String> columns,
            Map<String, String> expectedTypes) {
        return check(client, options, columns, expectedTypes, null);
    }

    static Report check(
            ClickHouseInserter client,
            ClickHouseSinkOptions options,
            List<String> columns,
            Map<String, String> expectedTypes,
            PresenceProbe probeShape) {
        String db = options.database();
        String table = options.table();
        String target = db + "." + table;
        Map<String, Object> params = Map.of("db", db, "t", table);
        String version = client.query("SELECT version() AS v", Map.of()).get(0).getString("v");
        List<String> problems = new ArrayList<>();
        if (!atLeast(version, MIN_SERVER_VERSION)) {
            problems.add(
                    "ClickHouse " + version + " is older than " + MIN_SERVER_VERSION[0] + "." + MIN_SERVER_VERSION[1]
                            + ", the oldest server the sink supports (insert deduplication tokens through materialized views);"
                            + " upgrade the server");
            throw new ClickHousePreflightException(db + "." + table, problems);
        }

        List<GenericRecord> tables = client.query(
                "SELECT engine, engine_full, partition_key, dependencies_database,"
                        + " dependencies_table FROM system.tables"
                        + " WHERE database = {db:String} AND name = {t:String}",
                params);
        if (tables.isEmpty()) {
            boolean dbExists = !client.query("SELECT name FROM system.databases WHERE name = {db:String}", params)
                    .isEmpty();
            problems.add(
                    dbExists
                            ? "table " + target + " does not exist (create it before starting the job)"
                            : "database " + db + " does not exist (create it and the table " + target + ")");
            throw new ClickHousePreflightException(target, problems);
        }
        String engine = tables.get(0).getString("engine");
        String engineFull = tables.get(0).getString("engine_full");
        String partitionKey = tables.get(0).getString("partition_key");

        checkColumns(client, params, target, columns, expectedTypes, problems);

        String windowSetting = "";
        long window = 0;
        boolean needDedup = options.deliveryMode() == DeliveryGuarantee.EXACTLY_ONCE && options.idempotentCommits();
        boolean replicated = keepsReplicatedDeduplicationLog(engine);
        if (!engine.endsWith("MergeTree")) {
            if (needDedup) {
                problems.add("engine " + engine + " of " + target + " cannot deduplicate inserts; exactly-once needs a"
                        + " MergeTree-family table (for a Distributed table, write to its local Replicated*MergeTree"
                        + " table)");
            }
        } else {
            windowSetting = replicated ? "replicated_deduplication_window" : "non_replicated_deduplication_window";
            window = tableSetting(client, engineFull, windowSetting);
            long required = options.requiredDeduplicationWindow();
            if (needDedup && window <= 0) {
                problems.add(target + " (" + engine + ") keeps no insert-deduplication log: " + windowSetting + " = "
                        + window + "; run ALTER TABLE " + target + " MODIFY SETTING " + windowSetting + " = "
                        + Math.max(required, 1000));
            } else if (needDedup && window < required) {
                problems.add(target + " has " + windowSetting + " = " + window + ", below the " + required
                        + " INSERTs the sink may need to recognise (" + requirementText(options) + "); raise it with"
                        + " ALTER TABLE " + target + " MODIFY SETTING " + windowSetting + " = " + required);
            }
            if (needDedup && replicated && options.checkpointInterval() != null) {
                long seconds = tableSetting(client, engineFull, "replicated_deduplication_window_seconds");
                if (seconds < options.toleratedOutage().toSeconds()) {
                    problems.add(target + " has replicated_deduplication_window_seconds = " + seconds
                            + ", shorter than the tolerated outage of "
                            + options.toleratedOutage().toSeconds()
                            + " s; a batch re-committed after a longer outage would be inserted twice");
                }
            }
        }
        if (problems.isEmpty()) {
            checkPrivileges(client, options, columns, needDedup && !replicated ? probeShape : null, problems);
        }
        if (needDedup) {
            checkViews(client, options, target, tables.get(0), problems);
            List<GenericRecord> dedupSwitch =
                    client.query("SELECT value FROM system.settings WHERE name = 'deduplicate_insert'", Map.of());
            if (!dedupSwitch.isEmpty()
                    && "disable".equalsIgnoreCase(dedupSwitch.get(0).getString("value"))) {
                problems.add("the session has deduplicate_insert = 'disable' (user profile?), which overrides"
                        + " insert_deduplicate = 1; set it to 'enable' for user " + options.user());
            }
        }
        if (!problems.isEmpty()) {
            throw new ClickHousePreflightException(target, problems);
        }
        Report report = new Report(version, engine, windowSetting, window, partitionKey);
        LOG.info(
                "ClickHouse {} at {}: {} engine {}, partition key '{}', {} = {} (required {}), mode {}",
                version,
                options.endpoint(),
                target,
                engine,
                partitionKey,
                windowSetting,
                window,
                options.requiredDeduplicationWindow(),
                options.deliveryMode());
        if (partitionKey == null || partitionKey.isBlank()) {
            LOG.info("{} has no PARTITION BY; every INSERT touches the single partition", target);
        }
        return report;
    }

    /**
     * Every materialized view fed by the target, and by those views' targets in turn: the server must apply {@code
     * deduplicate_blocks_in_dependent_materialized_views = 1} (a settings profile or constraint can
     * forbid it), and the view's {@code TO} table must keep a deduplication log as large as the
     * target's requirement, or a re-committed batch would reach the view twice.
     */
    private static void checkViews(
            ClickHouseInserter client,
            ClickHouseSinkOptions options,
            String target,
            GenericRecord tableRow,
            List<String> problems) {
        List<?> viewDbs = tableRow.getList("dependencies_database");
        List<?> viewNames = tableRow.getList("dependencies_table");
        if (viewNames == null || viewNames.isEmpty()) {
            return;
        }
        try {
            List<GenericRecord> honoured = client.query(
                    "SELECT value FROM system.settings WHERE name = '" + ClickHouseInserter.MV_DEDUP + "' SETTINGS "
                            + ClickHouseInserter.MV_DEDUP + " = 1",
                    Map.of());
            if (honoured.isEmpty() || !"1".equals(honoured.get(0).getString("value"))) {
                problems.add("the server does not apply " + ClickHouseInserter.MV_DEDUP + " = 1, so a re-committed"
                        + " batch would reach the views on " + target + " twice");
            }
        } catch (RuntimeException e) {
            problems.add("the server refuses " + ClickHouseInserter.MV_DEDUP + " = 1 for user " + options.user()
                    + " (settings constraint?): " + ClickHouseErrors.describe(e) + "; a re-committed batch would reach"
                    + " the views on " + target + " twice");
        }
        long required = options.requiredDeduplicationWindow();
        // Views on view targets too (the 5m tier reads the 1m tier's INSERT blocks, the 1h tier the
        // 5m tier's): a re-committed batch reaches every table of the chain, so each needs its log.
        java.util.ArrayDeque<String[]> pending = new java.util.ArrayDeque<>();
        for (int i = 0; i < viewNames.size(); i++) {
            pending.add(new String[] {target, String.valueOf(viewDbs.get(i)), String.valueOf(viewNames.get(i))});
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        // every table of a database in one query (the views and their targets: 27 of each on the
        // migrated schema), read once per database instead of two queries per view
        Map<String, Map<String, GenericRecord>> byDatabase = new java.util.HashMap<>();
        while (!pending.isEmpty()) {
            String[] next = pending.poll();
            String source = next[0];
            String view = next[1] + "." + next[2];
            if (!seen.add(view)) {
                continue;
            }
            GenericRecord viewRow = tableRow(client, byDatabase, next[1], next[2]);
            if (viewRow == null || !"MaterializedView".equals(viewRow.getString("engine"))) {
                continue;
            }
            Matcher m = VIEW_TARGET.matcher(viewRow.getString("create_table_query"));
            if (!m.find()) {
                problems.add("materialized view " + view + " on " + source + " has no TO table; create it with TO a"
                        + " MergeTree table that keeps a deduplication log");
                continue;
            }
            String vdb = m.group(1).replace("`", "");
            String vtable = m.group(2).replace("`", "");
            GenericRecord targetRow = tableRow(client, byDatabase, vdb, vtable);
            if (targetRow == null) {
                problems.add(
                        "materialized view " + view + " writes to " + vdb + "." + vtable + ", which does not exist");
                continue;
            }
            String engine = targetRow.getString("engine");
            boolean replicated = keepsReplicatedDeduplicationLog(engine);
            String setting = replicated ? "replicated_deduplication_window" : "non_replicated_deduplication_window";
            long window = engine.endsWith("MergeTree")
                    ? tableSetting(client, targetRow.getString("engine_full"), setting)
                    : 0;
            if (window <= 0 || window < required) {
                problems.add(
                        "materialized view " + view + " writes to " + vdb + "." + vtable + " (" + engine + ") with "
                                + setting + " = " + window
                                + (window <= 0
                                        ? ", so it keeps no insert-deduplication log"
                                        : ", below the " + required + " INSERTs a re-commit must be recognised in")
                                + ": a re-committed batch would be counted twice"
                                + " there; run ALTER TABLE " + vdb + "." + vtable
                                + " MODIFY SETTING " + setting + " = " + Math.max(required, 1000));
            }
            List<?> nextDbs = targetRow.getList("dependencies_database");
            List<?> nextNames = targetRow.getList("dependencies_table");
            for (int i = 0; nextNames != null && i < nextNames.size(); i++) {
                pending.add(new String[] {
                    vdb + "." + vtable, String.valueOf(nextDbs.get(i)), String.valueOf(nextNames.get(i))
                });
            }
        }
    }

    /** A row of {@code system.tables} (what {@link #checkViews} reads), or {@code null}; one query per database. */
    private static GenericRecord tableRow(
            ClickHouseInserter client, Map<String, Map<String, GenericRecord>> byDatabase, String db, String name) {
        return byDatabase
                .computeIfAbsent(db, d -> {
                    Map<String, GenericRecord> rows = new java.util.HashMap<>();
                    for (GenericRecord r : client.query(
                            "SELECT name, engine, engine_full, create_table_query, dependencies_database,"
                                    + " dependencies_table FROM system.tables WHERE database = {db:String}",
                            Map.of("db", d))) {
                        rows.put(r.getString("name"), r);
                    }
                    return rows;
                })
                .get(name);
    }

    /**
     * Runs every statement shape the sink will send, once, in a harmless form, so a missing
     * privilege stops the job at start with the {@code GRANT} that fixes it — not at the first
     * failover, when the presence probe first runs (an INSERT-only user would then fail every
     * restore the same way): an INSERT of no rows; the presence probe with placeholder values and
     * {@code LIMIT 0}; the probe's trust check ({@code system.parts} and a {@code count()} over a
     * partition).
     */
    private static void checkPrivileges(
            ClickHouseInserter client,
            ClickHouseSinkOptions options,
            List<String> columns,
            PresenceProbe probe,
            List<String> problems) {
        String db = options.database();
        String table = options.table();
        String target = ClickHouseSinkOptions.quote(db) + "." + ClickHouseSinkOptions.quote(table);
        String user = options.user();
        try {
            client.insertNothing(db, table, columns);
        } catch (Exception e) {
            problems.add(privilegeProblem(
                    e, "insert into " + db + "." + table, "GRANT INSERT ON " + db + "." + table + " TO " + user));
        }
        if (probe == null) {
            return;
        }
        List<String> probeColumns = new ArrayList<>();
        Matcher m = PROBE_COLUMN.matcher(probe.predicate());
        while (m.find()) {
            probeColumns.add(m.group(1));
        }
        String selectGrant =
                "GRANT SELECT(" + String.join(", ", probeColumns) + ") ON " + db + "." + table + " TO " + user;
        try {
            client.query(
                    "SELECT 1 FROM " + target + " WHERE " + probe.predicate() + " LIMIT 0",
                    new java.util.HashMap<String, Object>(probe.params()));
            client.query("SELECT count() FROM " + target + " WHERE _partition_id = {pid:String}", Map.of("pid", ""));
        } catch (RuntimeException e) {
            problems.add(privilegeProblem(
                    e,
                    "run the presence probe on " + db + "." + table + " (after a failover"
                            + " it checks that an INSERT in doubt landed)",
                    selectGrant));
        }
        try {
            client.query(
                    "SELECT partition_id FROM system.parts WHERE database = {db:String} AND table = {t:String}"
                            + " LIMIT 0",
                    Map.of("db", db, "t", table));
        } catch (RuntimeException e) {
            problems.add(privilegeProblem(
                    e,
                    "read system.parts (the presence probe's trust check)",
                    "GRANT SELECT ON system.parts TO " + user));
        }
    }

    private static final Pattern PROBE_COLUMN = Pattern.compile("(?:^|\\bAND\\s+)([A-Za-z_][A-Za-z0-9_]*)\\s*=");

    private static String privilegeProblem(Exception e, String what, String grant) {
        boolean denied = ClickHouseErrors.serverCode(e).orElse(0) == ClickHouseErrors.ACCESS_DENIED;
        String needed = "";
        for (Throwable t = e; t != null && needed.isEmpty(); t = t.getCause() == t ? null : t.getCause()) {
            String text = String.valueOf(t.getMessage());
            int at = text.indexOf("necessary to have the grant ");
            if (at >= 0) {
                needed = " (the server asks for " + text.substring(at + 28).split("\\. \\(|\\.\\s*$|\\n")[0] + ")";
            }
        }
        return denied
                ? "the ClickHouse user may not " + what + needed + "; run " + grant
                : "could not check that the ClickHouse user may " + what + ": " + ClickHouseErrors.describe(e);
    }

    /**
     * Whether a table engine keeps its insert-deduplication log in Keeper, shared by its replicas
     * ({@code Replicated*} and ClickHouse Cloud's {@code Shared*}), rather than in the server's local
     * storage ({@code replicated_deduplication_window} vs {@code non_replicated_deduplication_window}).
     */
    static boolean keepsReplicatedDeduplicationLog(String engine) {
        return engine.startsWith("Replicated") || engine.startsWith("Shared");
    }

    /** Whether a {@code version()} string ({@code 26.7.2.1}) is at least {@code major.minor}. */
    static boolean atLeast(String version, int[] min) {
        Matcher m = Pattern.compile("^(\\d+)\\.(\\d+)").matcher(version == null ? "" : version.trim());
        if (!m.find()) {
            return true; // an unknown format: let the other checks speak
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        return major > min[0] || (major == min[0] && minor >= min[1]);
    }

    private static void checkColumns(
            ClickHouseInserter client,
            Map<String, Object> params,
            String target,
            List<String> columns,
            Map<String, String> expectedTypes,
            List<String> problems) {
        Map<String, String[]> actual = new LinkedHashMap<>();
        for (GenericRecord r : client.query(
                "SELECT name, type, default_kind FROM system.columns"
                        + " WHERE database = {db:String} AND table = {t:String} ORDER BY position",
                params)) {
            actual.put(r.getString("name"), new String[] {r.getString("type"), r.getString("default_kind")});
        }
        List<String> missing = new ArrayList<>();
        for (String column : columns) {
            String[] info = actual.get(column);
            if (info == null) {
                missing.add(column);
                continue;
            }
            String kind = info[1] == null ? "" : info[1];
            if (kind.equals("MATERIALIZED") || kind.equals("ALIAS")) {
                problems.add("column " + column + " of " + target + " is " + kind + " and cannot be inserted");
            }
            String expected = expectedTypes.get(column);
            if (expected != null && !normalizeType(expected).equals(normalizeType(info[0]))) {
                problems.add("column " + column + " of " + target + " has type " + info[0] + ", the encoder writes "
                        + expected);
            }
        }
        if (!missing.isEmpty()) {
            problems.add(target + " has no column" + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing)
                    + " (table columns: " + String.join(", ", actual.keySet()) + ")");
        }
    }

    /** The table's own value from {@code engine_full} … SETTINGS, else the server default. */
    static long tableSetting(ClickHouseInserter client, String engineFull, String name) {
        Long own = settingFromEngineFull(engineFull, name);
        if (own != null) {
            return own;
        }
        List<GenericRecord> rows =
                client.query("SELECT value FROM system.merge_tree_settings WHERE name = {n:String}", Map.of("n", name));
        return rows.isEmpty()
                ? 0
                : Long.parseLong(rows.get(0).getString("value").trim());
    }

    static Long settingFromEngineFull(String engineFull, String name) {
        if (engineFull == null) {
            return null;
        }
        int settings = engineFull.toUpperCase(Locale.ROOT).lastIndexOf(" SETTINGS ");
        if (settings < 0) {
            return null;
        }
        Matcher m = Pattern.compile("(?<![A-Za-z_])" + Pattern.quote(name) + "\\s*=\\s*'?(\\d+)'?")
                .matcher(engineFull.substring(settings));
        return m.find() ? Long.valueOf(m.group(1)) : null;
    }

    static String normalizeType(String type) {
        return type.replaceAll("\\s+", "");
    }

    private static String requirementText(ClickHouseSinkOptions o) {
        return "parallelism " + o.parallelism() + " × " + o.partitionsPerCheckpoint() + " partitions per checkpoint × "
                + "checkpoints in a tolerated outage of " + o.toleratedOutage() + " at one per "
                + o.checkpointInterval();
    }
}
