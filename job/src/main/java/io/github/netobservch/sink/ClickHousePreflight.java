package io.github.netobservch.sink;

import com.clickhouse.client.api.query.GenericRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * disable deduplication ({@code deduplicate_insert = 'disable'}). Logs the server version.
 *
 * <p>The job's {@code main} can call {@link #check} to fail before submission; the sink writer calls it
 * again when it opens.
 */
public final class ClickHousePreflight {

    private static final Logger LOG = LoggerFactory.getLogger(ClickHousePreflight.class);

    /** What the preflight found. */
    public record Report(String serverVersion, String engine, String windowSetting, long window, String partitionKey) {}

    private ClickHousePreflight() {}

    /**
     * Runs the checks with a client of its own. A rejected server certificate becomes a
     * {@link ClickHousePreflightException} that says so (the client only reports an I/O failure).
     */
    public static Report check(ClickHouseSinkOptions options, RowEncoder<?> encoder) {
        try (ClickHouseInserter client = new ClickHouseInserter(options)) {
            return check(client, options, encoder.columns(), encoder.columnTypes());
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

    static Report check(ClickHouseInserter client, ClickHouseSinkOptions options, List<String> columns,
            Map<String, String> expectedTypes) {
        String db = options.database();
        String table = options.table();
        String target = db + "." + table;
        Map<String, Object> params = Map.of("db", db, "t", table);
        String version = client.query("SELECT version() AS v", Map.of()).get(0).getString("v");
        List<String> problems = new ArrayList<>();

        List<GenericRecord> tables = client.query("SELECT engine, engine_full, partition_key FROM system.tables"
                + " WHERE database = {db:String} AND name = {t:String}", params);
        if (tables.isEmpty()) {
            boolean dbExists = !client.query("SELECT name FROM system.databases WHERE name = {db:String}", params)
                    .isEmpty();
            problems.add(dbExists
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
        boolean needDedup = options.deliveryMode() == DeliveryMode.EXACTLY_ONCE && options.idempotentCommits();
        boolean replicated = engine.startsWith("Replicated") || engine.startsWith("Shared");
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
                            + ", shorter than the tolerated outage of " + options.toleratedOutage().toSeconds()
                            + " s; a batch re-committed after a longer outage would be inserted twice");
                }
            }
        }
        if (needDedup) {
            List<GenericRecord> dedupSwitch = client.query(
                    "SELECT value FROM system.settings WHERE name = 'deduplicate_insert'", Map.of());
            if (!dedupSwitch.isEmpty() && "disable".equalsIgnoreCase(dedupSwitch.get(0).getString("value"))) {
                problems.add("the session has deduplicate_insert = 'disable' (user profile?), which overrides"
                        + " insert_deduplicate = 1; set it to 'enable' for user " + options.user());
            }
        }
        if (!problems.isEmpty()) {
            throw new ClickHousePreflightException(target, problems);
        }
        Report report = new Report(version, engine, windowSetting, window, partitionKey);
        LOG.info("ClickHouse {} at {}: {} engine {}, partition key '{}', {} = {} (required {}), mode {}", version,
                options.endpoint(), target, engine, partitionKey, windowSetting, window,
                options.requiredDeduplicationWindow(), options.deliveryMode());
        if (partitionKey == null || partitionKey.isBlank()) {
            LOG.info("{} has no PARTITION BY; every INSERT touches the single partition", target);
        }
        return report;
    }

    private static void checkColumns(ClickHouseInserter client, Map<String, Object> params, String target,
            List<String> columns, Map<String, String> expectedTypes, List<String> problems) {
        Map<String, String[]> actual = new LinkedHashMap<>();
        for (GenericRecord r : client.query("SELECT name, type, default_kind FROM system.columns"
                + " WHERE database = {db:String} AND table = {t:String} ORDER BY position", params)) {
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
        List<GenericRecord> rows = client.query("SELECT value FROM system.merge_tree_settings WHERE name = {n:String}",
                Map.of("n", name));
        return rows.isEmpty() ? 0 : Long.parseLong(rows.get(0).getString("value").trim());
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
