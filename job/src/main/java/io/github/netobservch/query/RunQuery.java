package io.github.netobservch.query;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.query.GenericRecord;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.client.api.query.QuerySettings;
import com.clickhouse.data.ClickHouseFormat;
import io.github.netobservch.cli.Cli;
import io.github.netobservch.cli.Cli.Opt;
import io.github.netobservch.clickhouse.ClickHouseErrors;
import io.github.netobservch.clickhouse.ClickHouseUrl;
import io.github.netobservch.schema.ApplySchema;
import io.github.netobservch.schema.Migration;
import io.github.netobservch.schema.SchemaOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code scripts/query NAME --from … --to …}: runs one query of {@code sql/queries/} against
 * ClickHouse and prints the answer as a table, CSV or JSON lines. Queries that read rollups are
 * answered from the coarsest tiers that give exactly the 1-minute tier's answer ({@link TierPlan});
 * {@code --explain} prints that plan and the SQL instead of running it.
 */
public final class RunQuery {

    static final String ENV_PASSWORD = "CLICKHOUSE_PASSWORD";
    private static final Pattern RELATIVE = Pattern.compile("now(?:-(\\d+)([mhd]))?");
    private static final Pattern TTL_DAYS = Pattern.compile("TTL toDate\\(minute\\) \\+ toIntervalDay\\((\\d+)\\)");

    public static final Cli CLI = new Cli(
            "scripts/query",
            List.of(
                    "Runs one query of sql/queries (scripts/query --list names them) and prints its answer.",
                    "Rollup queries read the coarsest tiers (1h, 5m, 1m) that give the 1-minute answer exactly.",
                    ""),
            List.of(
                    Opt.positional("NAME", "the query: a file name of sql/queries without .sql"),
                    Opt.option("--clickhouse.url", "URL", "ClickHouse HTTP(S) endpoint, e.g. http://clickhouse:8123"),
                    Opt.option("--clickhouse.database", "NAME", "database (default netobserv)"),
                    Opt.option("--clickhouse.user", "USER", "(default default); password from env " + ENV_PASSWORD),
                    Opt.option("--clickhouse.password-file", "FILE", "or from the first line of this file"),
                    Opt.option("--clickhouse.ssl.root-cert", "FILE", "CA certificate (PEM) of an https server"),
                    Opt.option(
                            "--from",
                            "TIME",
                            "start, UTC: 2026-03-10, '2026-03-10 10:00', 2026-03-10T10:00:00Z, now-24h, now-7d"
                                    + " (default now-1h)"),
                    Opt.option("--to", "TIME", "end, exclusive (default now); relative times are whole minutes"),
                    Opt.option("--limit", "N", "rows for top-N queries (default 20)"),
                    Opt.option("--namespace", "NS", "namespace filter of the queries that take one (default all)"),
                    Opt.option("--pod", "NAME", "pod of pod_flows_over_time"),
                    Opt.option("--hash-id", "ID", "conversation of conversation.sql (default all)"),
                    Opt.option("--step", "SECONDS", "bucket width of time-series queries (default 60)"),
                    Opt.option("--format", "table|csv|json", "output (default table; json = one object per line)"),
                    Opt.option("--queries", "DIR", "query files (default: sql/queries found upwards)"),
                    Opt.flag("--explain", "print the tier plan and the SQL, do not run it"),
                    Opt.flag("--list", "list the queries, what they read and their parameters")),
            List.of("Exit status: 0 answered, 1 ClickHouse refused or failed, 2 bad arguments."));

    private RunQuery() {}

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(ENV_PASSWORD), Clock.systemUTC(), System.out, System.err));
    }

    /** Runs the command without exiting; returns the exit status. */
    public static int run(String[] args, String envPassword, Clock clock, PrintStream out, PrintStream err) {
        Cli.Args a;
        try {
            a = parse(CLI, args);
        } catch (IllegalArgumentException e) {
            err.println("query: " + e.getMessage());
            err.println(CLI.usage());
            return 2;
        }
        if (a.has("--help")) {
            out.println(CLI.usage());
            return 0;
        }
        Path dir;
        try {
            dir = a.has("--queries")
                    ? Path.of(a.get("--queries", null))
                    : Migration.locateSchemaDirectory(null).getParent().resolve("queries");
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("no query directory " + dir);
            }
        } catch (IllegalArgumentException e) {
            err.println("query: " + e.getMessage());
            return 2;
        }
        if (a.has("--list")) {
            for (String n : PackQuery.names(dir)) {
                PackQuery q = PackQuery.load(dir, n);
                out.println(n + "\t" + (q.readsRollups() ? "tiers of " + String.join(", ", q.rollups()) : "flows")
                        + "\t" + String.join(" ", new java.util.TreeSet<>(q.params())) + "\t" + q.title());
            }
            return 0;
        }
        List<String> positional = a.positional();
        if (positional.size() != 1) {
            err.println("query: give one query name (scripts/query --list names them)");
            return 2;
        }
        PackQuery query;
        Instant now = clock.instant();
        Instant from;
        Instant to;
        long step;
        Map<String, Object> params = new LinkedHashMap<>();
        ClickHouseFormat format;
        try {
            query = PackQuery.load(dir, positional.get(0));
            from = time(a.get("--from", "now-1h"), now, "--from");
            to = time(a.get("--to", "now"), now, "--to");
            step = Long.parseLong(a.get("--step", "60"));
            Map<String, String> values = Map.of(
                    "from", PackQuery.parameter(from),
                    "to", PackQuery.parameter(to),
                    "limit", Integer.toString(Integer.parseInt(a.get("--limit", "20"))),
                    "namespace", a.get("--namespace", ""),
                    "pod", a.get("--pod", ""),
                    "hash_id", a.get("--hash-id", ""),
                    "step_seconds", Long.toString(step));
            for (String p : query.params()) {
                if (!values.containsKey(p)) {
                    throw new IllegalArgumentException(
                            query.name() + " takes a parameter " + p + " this tool does not know");
                }
                params.put(p, values.get(p));
            }
            if (query.params().contains("pod") && a.get("--pod", "").isEmpty()) {
                throw new IllegalArgumentException(query.name() + " needs --pod (and --namespace)");
            }
            format = format(a.get("--format", "table"));
        } catch (IllegalArgumentException e) {
            err.println("query: " + e.getMessage());
            return 2;
        }

        String password;
        try {
            password = ApplySchema.password(a.get("--clickhouse.password-file", null), envPassword);
        } catch (IOException e) {
            err.println("query: cannot read the password file: " + e.getMessage());
            return 2;
        }
        String database = a.get("--clickhouse.database", SchemaOptions.DEFAULT_DATABASE);
        try (Client client = client(a, password, database)) {
            String sql = query.sql();
            if (query.readsRollups()) {
                Map<TierPlan.Tier, Instant> horizons = horizons(client, database, query, now);
                if (!horizons.containsKey(TierPlan.Tier.M1)) {
                    throw new IllegalArgumentException(
                            "database " + database + " has no " + String.join("_1m, ", query.rollups())
                                    + "_1m: apply the schema first (scripts/apply-schema; it leaves the pod rollups out with"
                                    + " --no-pod-rollups)");
                }
                TierPlan plan = TierPlan.plan(from, to, query.params().contains("step_seconds") ? step : 0, horizons);
                sql = query.render(plan);
                if (a.has("--explain")) {
                    out.println("-- " + query.name() + ": " + plan.describe());
                }
            } else if (a.has("--explain")) {
                out.println("-- " + query.name() + ": reads the raw table flows");
            }
            if (a.has("--explain")) {
                out.println(sql + ";");
                return 0;
            }
            QuerySettings settings = new QuerySettings().setFormat(format);
            if (format == ClickHouseFormat.PrettyCompactMonoBlock) {
                settings.serverSetting("output_format_pretty_color", "0");
                settings.serverSetting("output_format_pretty_max_rows", "100000");
            }
            try (QueryResponse response = client.query(sql, params, settings).get(5, TimeUnit.MINUTES);
                    InputStream in = response.getInputStream()) {
                in.transferTo(out);
            }
            out.flush();
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("query: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("query: " + query.name() + " failed: " + ClickHouseErrors.describe(e));
            return 1;
        }
    }

    /** The arguments, refusing a password on the command line (it would show in the process list). */
    static Cli.Args parse(Cli cli, String[] args) {
        for (String arg : args) {
            if (arg.equals("--clickhouse.password") || arg.startsWith("--clickhouse.password=")) {
                throw new IllegalArgumentException("passwords are not taken on the command line: use env "
                        + ENV_PASSWORD + " or --clickhouse.password-file");
            }
        }
        return cli.parse(args);
    }

    static ClickHouseFormat format(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "table" -> ClickHouseFormat.PrettyCompactMonoBlock;
            case "csv" -> ClickHouseFormat.CSVWithNames;
            case "json" -> ClickHouseFormat.JSONEachRow;
            default -> throw new IllegalArgumentException("--format must be table, csv or json, got " + name);
        };
    }

    /**
     * A time as UTC: {@code now}, {@code now-30m}/{@code -24h}/{@code -7d} (whole minutes), a date, {@code
     * YYYY-MM-DD HH:MM[:SS]} or ISO-8601 with offset.
     */
    static Instant time(String text, Instant now, String option) {
        String s = text.trim();
        Matcher rel = RELATIVE.matcher(s);
        if (rel.matches()) {
            Instant t = now.truncatedTo(ChronoUnit.MINUTES);
            if (rel.group(1) != null) {
                long n = Long.parseLong(rel.group(1));
                Duration d =
                        switch (rel.group(2)) {
                            case "m" -> Duration.ofMinutes(n);
                            case "h" -> Duration.ofHours(n);
                            default -> Duration.ofDays(n);
                        };
                t = t.minus(d);
            }
            return t;
        }
        try {
            if (s.matches("\\d{4}-\\d{2}-\\d{2}")) {
                return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            if (s.matches("\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?")) {
                return LocalDateTime.parse(s.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
            }
            return java.time.OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(option + ": '" + text + "' is not a time (2026-03-10, '2026-03-10"
                    + " 10:00', 2026-03-10T10:00:00Z, now, now-24h, now-7d)");
        }
    }

    /**
     * Per tier, the first instant every rollup the query reads still keeps: from each table's TTL
     * ({@code toIntervalDay(N)}; the shard-local table in a cluster). Tiers that do not exist (a schema
     * before V005) are left out, and the plan does without them.
     */
    static Map<TierPlan.Tier, Instant> horizons(Client client, String database, PackQuery query, Instant now) {
        Map<String, String> engines = new LinkedHashMap<>();
        for (GenericRecord r : client.queryAll(
                "SELECT name, engine_full FROM system.tables WHERE database = {db:String} AND name LIKE 'rollup\\\\_%'",
                Map.of("db", database))) {
            engines.put(r.getString("name"), r.getString("engine_full"));
        }
        Map<TierPlan.Tier, Instant> out = new EnumMap<>(TierPlan.Tier.class);
        for (TierPlan.Tier tier : TierPlan.Tier.values()) {
            Instant horizon = Instant.EPOCH;
            boolean all = true;
            for (String rollup : query.rollups()) {
                String name = rollup + "_" + tier.suffix();
                String engine = engines.getOrDefault(name + "_local", engines.get(name));
                if (engine == null) {
                    all = false;
                    break;
                }
                Matcher m = TTL_DAYS.matcher(engine);
                if (m.find()) {
                    Instant h = TierPlan.Tier.horizon(now, Integer.parseInt(m.group(1)));
                    horizon = h.isAfter(horizon) ? h : horizon;
                }
            }
            if (all) {
                out.put(tier, horizon);
            }
        }
        return out;
    }

    static Client client(Cli.Args a, String password, String database) {
        ClickHouseUrl url = ClickHouseUrl.parse(a.get("--clickhouse.url", null), "--clickhouse.url");
        Client.Builder b = new Client.Builder()
                .addEndpoint(url.endpoint())
                .setUsername(a.get("--clickhouse.user", "default"))
                .setPassword(password)
                .setDefaultDatabase(database);
        String ca = a.get("--clickhouse.ssl.root-cert", null);
        if (ca != null) {
            if (!url.tls()) {
                throw new IllegalArgumentException("--clickhouse.ssl.root-cert needs an https:// --clickhouse.url");
            }
            b.setRootCertificate(ca);
        }
        return b.build();
    }
}
