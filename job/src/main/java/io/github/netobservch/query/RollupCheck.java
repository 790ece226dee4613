package io.github.netobservch.query;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.query.GenericRecord;
import io.github.netobservch.cli.Cli;
import io.github.netobservch.cli.Cli.Opt;
import io.github.netobservch.clickhouse.ClickHouseErrors;
import io.github.netobservch.schema.ApplySchema;
import io.github.netobservch.schema.SchemaOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code scripts/rollup-check --from … --to …}: compares, hour by hour, every rollup table with what
 * its materialized view computes from {@code flows} over the same hours, and names the hours where
 * they differ — a ClickHouse server that crashes in the middle of an INSERT can leave a rollup counting
 * a batch twice while {@code flows} stays exact (docs/operations.md, "Re-deriving rollups from flows").
 * Read-only: it prints the repair statements for each disagreeing hour rather than running them.
 *
 * <p>The count compared is the rollup's own count column ({@code flows}, {@code responses} or {@code
 * samples}), summed per hour on both sides; the view's SELECT is its definition as the server stores it
 * ({@code system.tables.as_select}), so the check follows any change to the views.
 */
public final class RollupCheck {

    private static final List<String> COUNT_COLUMNS = List.of("flows", "responses", "samples");
    private static final DateTimeFormatter HOUR =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    public static final Cli CLI = new Cli(
            "scripts/rollup-check",
            List.of(
                    "Compares every rollup table, hour by hour, with what its view computes from flows, and names",
                    "the hours that differ, with the statements that re-derive them. Read-only.",
                    ""),
            List.of(
                    Opt.option("--clickhouse.url", "URL", "ClickHouse HTTP(S) endpoint, e.g. http://clickhouse:8123"),
                    Opt.option("--clickhouse.database", "NAME", "database (default netobserv)"),
                    Opt.option(
                            "--clickhouse.user",
                            "USER",
                            "(default default); password from env " + RunQuery.ENV_PASSWORD),
                    Opt.option("--clickhouse.password-file", "FILE", "or from the first line of this file"),
                    Opt.option("--clickhouse.ssl.root-cert", "FILE", "CA certificate (PEM) of an https server"),
                    Opt.option("--from", "TIME", "first hour, UTC (rounded down to the hour; default now-24h)"),
                    Opt.option("--to", "TIME", "end, exclusive (rounded down to the hour; default now)")),
            List.of("Exit status: 0 every rollup agrees with flows, 1 some hours differ (or ClickHouse failed),"
                    + " 2 bad arguments."));

    private RollupCheck() {}

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(RunQuery.ENV_PASSWORD), Clock.systemUTC(), System.out, System.err));
    }

    /** One hour where a rollup and its view disagree. */
    record Difference(String table, Instant hour, long expected, long found) {}

    /** Runs the command without exiting; returns the exit status. */
    public static int run(String[] args, String envPassword, Clock clock, PrintStream out, PrintStream err) {
        Cli.Args a;
        Instant from;
        Instant to;
        try {
            a = RunQuery.parse(CLI, args);
            if (a.has("--help")) {
                out.println(CLI.usage());
                return 0;
            }
            Instant now = clock.instant();
            from = RunQuery.time(a.get("--from", "now-24h"), now, "--from").truncatedTo(ChronoUnit.HOURS);
            to = RunQuery.time(a.get("--to", "now"), now, "--to").truncatedTo(ChronoUnit.HOURS);
            if (!to.isAfter(from)) {
                throw new IllegalArgumentException("the range holds no whole hour: --to must be an hour after --from");
            }
        } catch (IllegalArgumentException e) {
            err.println("rollup-check: " + e.getMessage());
            err.println(CLI.usage());
            return 2;
        }
        String password;
        try {
            password = ApplySchema.password(a.get("--clickhouse.password-file", null), envPassword);
        } catch (IOException e) {
            err.println("rollup-check: cannot read the password file: " + e.getMessage());
            return 2;
        }
        String database = a.get("--clickhouse.database", SchemaOptions.DEFAULT_DATABASE);
        try (Client client = RunQuery.client(a, password, database)) {
            Map<String, String> views = views(client, database);
            if (views.isEmpty()) {
                err.println("rollup-check: database " + database + " has no rollup views (apply the schema first)");
                return 1;
            }
            Map<String, List<String>> columns = new LinkedHashMap<>();
            List<Difference> differences = new ArrayList<>();
            for (Map.Entry<String, String> v : views.entrySet()) {
                List<String> c = columns(client, database, v.getKey());
                columns.put(v.getKey(), c);
                differences.addAll(compare(client, database, v.getKey(), c, v.getValue(), from, to));
            }
            for (Difference d : differences) {
                out.printf(
                        "%s %s: %d from flows, %d in the rollup (%+d)%n",
                        d.table(), HOUR.format(d.hour()), d.expected(), d.found(), d.found() - d.expected());
            }
            if (differences.isEmpty()) {
                out.printf(
                        "rollup-check: all %d rollup tables agree with flows for %s to %s%n",
                        views.size(), HOUR.format(from), HOUR.format(to));
                return 0;
            }
            out.printf(
                    "rollup-check: %d hour(s) differ; with the job stopped, re-derive each one"
                            + " (docs/operations.md, \"Re-deriving rollups from flows\"):%n",
                    differences.size());
            for (Difference d : differences) {
                out.println(repair(database, d, views.get(d.table()), columns.get(d.table())));
            }
            return 1;
        } catch (IllegalArgumentException e) {
            err.println("rollup-check: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("rollup-check: failed: " + ClickHouseErrors.describe(e));
            return 1;
        }
    }

    /** Rollup table → its view's SELECT, for every materialized view writing to a {@code rollup_*} table. */
    static Map<String, String> views(Client client, String database) {
        Map<String, String> out = new LinkedHashMap<>();
        for (GenericRecord r : client.queryAll(
                "SELECT name, as_select FROM system.tables WHERE database = {db:String}"
                        + " AND engine = 'MaterializedView' AND name LIKE 'mv\\\\_rollup\\\\_%' ORDER BY name",
                Map.of("db", database))) {
            out.put(r.getString("name").substring("mv_".length()), r.getString("as_select"));
        }
        return out;
    }

    /** A table's columns in their order. */
    static List<String> columns(Client client, String database, String table) {
        List<String> out = new ArrayList<>();
        for (GenericRecord r : client.queryAll(
                "SELECT name FROM system.columns WHERE database = {db:String} AND table = {t:String} ORDER BY position",
                Map.of("db", database, "t", table))) {
            out.add(r.getString("name"));
        }
        return out;
    }

    private static List<Difference> compare(
            Client client,
            String database,
            String table,
            List<String> columns,
            String select,
            Instant from,
            Instant to) {
        String count = COUNT_COLUMNS.stream()
                .filter(columns::contains)
                .findFirst()
                .orElseThrow(
                        () -> new IllegalArgumentException(table + " has none of the count columns " + COUNT_COLUMNS));
        String range = "minute >= {from:DateTime('UTC')} AND minute < {to:DateTime('UTC')}";
        String sql = "SELECT hour, e.n AS expected, f.n AS found FROM"
                + " (SELECT toStartOfHour(minute) AS hour, sum(" + count + ") AS n FROM (" + select + ") WHERE " + range
                + " GROUP BY hour) AS e"
                + " FULL OUTER JOIN (SELECT toStartOfHour(minute) AS hour, sum(" + count + ") AS n FROM "
                + quote(database) + "." + quote(table) + " WHERE " + range + " GROUP BY hour) AS f USING (hour)"
                + " WHERE e.n != f.n ORDER BY hour SETTINGS join_use_nulls = 0";
        List<Difference> out = new ArrayList<>();
        for (GenericRecord r : client.queryAll(sql, Map.of("from", HOUR.format(from), "to", HOUR.format(to)))) {
            out.add(new Difference(
                    table,
                    r.getLocalDateTime("hour").toInstant(ZoneOffset.UTC),
                    r.getLong("expected"),
                    r.getLong("found")));
        }
        return out;
    }

    /** The statements that re-derive one hour of a rollup from flows (run with the job stopped). */
    static String repair(String database, Difference d, String select, List<String> columns) {
        String t = quote(database) + "." + quote(d.table());
        String hour = HOUR.format(d.hour());
        String next = HOUR.format(d.hour().plus(1, ChronoUnit.HOURS));
        String range = "minute >= '" + hour + "' AND minute < '" + next + "'";
        List<String> quoted = new ArrayList<>();
        columns.forEach(c -> quoted.add(quote(c)));
        String list = String.join(", ", quoted);
        // insert_deduplicate = 0: the re-derived block may equal one the table's deduplication log holds
        return "ALTER TABLE " + t + " DELETE WHERE " + range + " SETTINGS mutations_sync = 2;\n"
                + "INSERT INTO " + t + " (" + list + ") SELECT " + list + " FROM (" + select + ") WHERE " + range
                + " SETTINGS insert_deduplicate = 0;";
    }

    private static String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }
}
