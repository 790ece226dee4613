package io.github.netobservch.schema;

import io.github.netobservch.cli.Cli;
import io.github.netobservch.cli.Cli.Opt;
import io.github.netobservch.clickhouse.ClickHouseUrl;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Command line for {@link SchemaMigrator} ({@code scripts/apply-schema} runs it):
 *
 * <pre>
 * ApplySchema --clickhouse.url http://clickhouse:8123 [--clickhouse.database netobserv]
 *             [--clickhouse.user default] [--clickhouse.password-file FILE]   (else env CLICKHOUSE_PASSWORD)
 *             [--clickhouse.ssl.root-cert CA.pem]                              (https URLs)
 *             [--retention-days 30] [--rollup-retention-days 35]
 *             [--rollup-5m-retention-days 186] [--rollup-1h-retention-days 762] [--dlq-retention-days 30]
 *             [--dedup-window 10000] [--dedup-window-seconds 604800]
 *             [--variant single|cluster] [--cluster NAME] [--migrations DIR] [--target-version N]
 *             [--dry-run]
 * </pre>
 *
 * <p>{@code --dry-run} prints the rendered SQL and touches no server ({@code --clickhouse.url} not
 * needed). Exit codes: 0 success (also when nothing was pending), 1 migration error, 2 bad usage.
 */
public final class ApplySchema {

    static final String ENV_PASSWORD = "CLICKHOUSE_PASSWORD";
    public static final Cli CLI = new Cli(
            "apply-schema",
            List.of(
                    "Creates or upgrades the ClickHouse schema (idempotent; records applied migrations with checksums).",
                    ""),
            List.of(
                    Opt.option("--clickhouse.url", "URL", "ClickHouse HTTP(S) endpoint, e.g. http://clickhouse:8123"),
                    Opt.option("--clickhouse.database", "NAME", "database to create/migrate (default netobserv)"),
                    Opt.option("--clickhouse.user", "USER", "(default default); password from env " + ENV_PASSWORD),
                    Opt.option("--clickhouse.password-file", "FILE", "or from the first line of this file"),
                    Opt.option(
                            "--clickhouse.ssl.root-cert",
                            "FILE",
                            "CA certificate (PEM) that signed the server's," + " for https URLs"),
                    Opt.option(
                            "--retention-days",
                            "N",
                            "TTL of flows (default " + SchemaOptions.DEFAULT_RETENTION_DAYS + ")"),
                    Opt.option(
                            "--rollup-retention-days",
                            "N",
                            "TTL of the 1-minute rollups (default " + SchemaOptions.DEFAULT_ROLLUP_RETENTION_DAYS
                                    + ")"),
                    Opt.option(
                            "--rollup-5m-retention-days",
                            "N",
                            "TTL of the 5-minute rollups (default " + SchemaOptions.DEFAULT_ROLLUP_5M_RETENTION_DAYS
                                    + ")"),
                    Opt.option(
                            "--rollup-1h-retention-days",
                            "N",
                            "TTL of the 1-hour rollups (default " + SchemaOptions.DEFAULT_ROLLUP_1H_RETENTION_DAYS
                                    + ")"),
                    Opt.option(
                            "--rollup-tiers",
                            "5m,1h|1h|none",
                            "coarser rollup tiers to create beside the 1-minute one (default 5m,1h); each adds ClickHouse"
                                    + " insert work per flow"),
                    Opt.flag("--no-pod-rollups", "do not create the per-pod rollups (pod queries then fail)"),
                    Opt.option(
                            "--dlq-retention-days",
                            "N",
                            "TTL of flows_dlq (default " + SchemaOptions.DEFAULT_DLQ_RETENTION_DAYS + ")"),
                    Opt.option(
                            "--dedup-window",
                            "N",
                            "inserts remembered per table for dedup (default " + SchemaOptions.DEFAULT_DEDUP_WINDOW
                                    + ")"),
                    Opt.option(
                            "--dedup-window-seconds",
                            "S",
                            "cluster: replicated_deduplication_window_seconds" + " (default "
                                    + SchemaOptions.DEFAULT_DEDUP_WINDOW_SECONDS + ")"),
                    Opt.option("--variant", "single|cluster", "(default single)"),
                    Opt.option("--cluster", "NAME", "cluster for ON CLUSTER/Distributed (default the {cluster} macro)"),
                    Opt.option(
                            "--migrations",
                            "DIR",
                            "migration files (default: sql/schema found upwards from the" + " working directory)"),
                    Opt.option("--target-version", "N", "apply migrations up to version N only"),
                    Opt.flag("--dry-run", "print the rendered SQL, touch no server")),
            List.of());

    private ApplySchema() {}

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(ENV_PASSWORD), System.out, System.err));
    }

    /** Runs the command (without exiting the JVM); returns the exit code. */
    public static int run(String[] args, String envPassword, PrintStream out, PrintStream err) {
        Map<String, String> opts;
        try {
            opts = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("apply-schema: " + e.getMessage());
            err.println(usage());
            return 2;
        }
        if (opts.containsKey("--help")) {
            out.println(usage());
            return 0;
        }
        SchemaOptions options;
        List<Migration> migrations;
        int target;
        try {
            SchemaVariant variant = SchemaVariant.parse(opts.getOrDefault("--variant", "single"));
            if (opts.containsKey("--cluster") && variant != SchemaVariant.CLUSTER) {
                throw new IllegalArgumentException("--cluster needs --variant cluster");
            }
            options = new SchemaOptions(
                    opts.getOrDefault("--clickhouse.database", SchemaOptions.DEFAULT_DATABASE),
                    variant,
                    opts.getOrDefault("--cluster", SchemaOptions.DEFAULT_CLUSTER),
                    intOpt(opts, "--retention-days", SchemaOptions.DEFAULT_RETENTION_DAYS),
                    intOpt(opts, "--rollup-retention-days", SchemaOptions.DEFAULT_ROLLUP_RETENTION_DAYS),
                    intOpt(opts, "--rollup-5m-retention-days", SchemaOptions.DEFAULT_ROLLUP_5M_RETENTION_DAYS),
                    intOpt(opts, "--rollup-1h-retention-days", SchemaOptions.DEFAULT_ROLLUP_1H_RETENTION_DAYS),
                    intOpt(opts, "--dlq-retention-days", SchemaOptions.DEFAULT_DLQ_RETENTION_DAYS),
                    longOpt(opts, "--dedup-window", SchemaOptions.DEFAULT_DEDUP_WINDOW),
                    longOpt(opts, "--dedup-window-seconds", SchemaOptions.DEFAULT_DEDUP_WINDOW_SECONDS),
                    rollupParts(opts.getOrDefault("--rollup-tiers", "5m,1h"), opts.containsKey("--no-pod-rollups")));
            migrations = Migration.loadDirectory(Migration.locateSchemaDirectory(opts.get("--migrations")));
            target = intOpt(opts, "--target-version", Integer.MAX_VALUE);
        } catch (IllegalArgumentException e) {
            err.println("apply-schema: " + e.getMessage());
            return 2;
        }
        if (opts.containsKey("--dry-run")) {
            List<Migration> selected =
                    migrations.stream().filter(m -> m.version() <= target).toList();
            out.print(new SchemaRenderer(options).renderScript(selected));
            return 0;
        }
        String url = opts.get("--clickhouse.url");
        if (url == null || url.isBlank()) {
            err.println("apply-schema: --clickhouse.url is required (or use --dry-run)");
            return 2;
        }
        String password;
        try {
            password = password(opts.get("--clickhouse.password-file"), envPassword);
        } catch (IOException e) {
            err.println("apply-schema: cannot read the password file: " + e.getMessage());
            return 2;
        }
        String user = opts.getOrDefault("--clickhouse.user", "default");
        String rootCert = opts.get("--clickhouse.ssl.root-cert");
        boolean tls;
        try {
            tls = ClickHouseUrl.parse(url, "--clickhouse.url").tls();
        } catch (IllegalArgumentException e) {
            err.println("apply-schema: " + e.getMessage());
            return 2;
        }
        if (rootCert != null && !tls) {
            err.println("apply-schema: --clickhouse.ssl.root-cert needs an https:// --clickhouse.url");
            return 2;
        }
        // The JDBC driver hands this property to clickhouse-java's client (ClientConfigProperties.CA_CERTIFICATE).
        Map<String, String> driverProperties = rootCert == null ? Map.of() : Map.of("sslrootcert", rootCert);
        try {
            SchemaMigrator migrator = new SchemaMigrator(
                            SchemaMigrator.jdbc(url, user, password, driverProperties), options, migrations)
                    .log(line -> out.println("apply-schema: " + line));
            SchemaMigrator.Result result = migrator.migrate(target);
            out.println("apply-schema: " + options.database() + ": "
                    + result.applied().size() + " migration(s) applied (" + result.statements() + " statements), "
                    + result.alreadyApplied() + " already applied");
            return 0;
        } catch (SchemaMigrationException e) {
            err.println("apply-schema: " + e.getMessage());
            return 1;
        }
    }

    static java.util.Set<String> rollupParts(String tiers, boolean noPods) {
        java.util.Set<String> parts = new java.util.HashSet<>();
        String t = tiers.trim();
        if (!t.equals("none") && !t.isEmpty()) {
            for (String x : t.split(",")) {
                String tier = x.trim();
                if (!tier.equals("5m") && !tier.equals("1h")) {
                    throw new IllegalArgumentException(
                            "--rollup-tiers takes 5m, 1h, both (5m,1h) or none, got " + tiers);
                }
                parts.add(tier);
            }
        }
        if (!noPods) {
            parts.add("pods");
        }
        return parts;
    }

    /** The password from the first line of {@code file}, else {@code envPassword}, else empty (also used by scripts/query). */
    public static String password(String file, String envPassword) throws IOException {
        if (file != null && !file.isBlank()) {
            String text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
            int nl = text.indexOf('\n');
            return (nl >= 0 ? text.substring(0, nl) : text).strip();
        }
        return envPassword == null ? "" : envPassword;
    }

    /** The options by name; secrets on the command line are refused before picocli sees them. */
    static Map<String, String> parse(String[] args) {
        for (String a : args) {
            if (a.equals("--clickhouse.password") || a.startsWith("--clickhouse.password=")) {
                throw new IllegalArgumentException("passwords are not taken on the command line: use env "
                        + ENV_PASSWORD + " or --clickhouse.password-file");
            }
        }
        return CLI.parse(args).values();
    }

    private static int intOpt(Map<String, String> opts, String name, int dflt) {
        String v = opts.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + v + "'");
        }
    }

    private static long longOpt(Map<String, String> opts, String name, long dflt) {
        String v = opts.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + v + "'");
        }
    }

    static String usage() {
        return CLI.usage();
    }
}
