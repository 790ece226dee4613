package io.github.netobservch.schema;

import io.github.netobservch.clickhouse.ClickHouseErrors;
import io.github.netobservch.clickhouse.ClickHouseUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Applies the versioned migrations of {@code sql/schema/} to ClickHouse over its HTTP interface
 * (clickhouse-jdbc), one statement per request:
 *
 * <ol>
 *   <li>creates the database and {@code <db>.schema_migrations} (version, name, checksum, applied_at,
 *       variant, statements) if missing;
 *   <li>checks every recorded migration against the files: a recorded version without a file, or
 *       whose file checksum changed, stops with an error (migrations are immutable; write a new
 *       one), and so does a pending file older than the newest recorded version;
 *   <li>applies the pending migrations in version order and records each one after all its
 *       statements succeeded.
 * </ol>
 *
 * <p>Re-running is a no-op. Statements are written idempotently ({@code IF NOT EXISTS}), so a
 * migration interrupted half-way is simply re-run as a whole next time. Not safe against two
 * migrators running at once on the same database (run it from one place: a deploy step or job).
 */
public final class SchemaMigrator {

    /** Opens a JDBC connection to the server (any database: every statement is fully qualified). */
    @FunctionalInterface
    public interface ConnectionFactory {
        Connection open() throws SQLException;
    }

    /** A row of {@code schema_migrations}. */
    public record Applied(int version, String name, String checksum) {}

    /** What {@link #migrate} did. */
    public record Result(List<Migration> applied, int alreadyApplied, int statements) {
        public boolean changed() {
            return !applied.isEmpty();
        }
    }

    private final ConnectionFactory connections;
    private final SchemaRenderer renderer;
    private final List<Migration> migrations;
    private Consumer<String> log = s -> {};

    public SchemaMigrator(ConnectionFactory connections, SchemaOptions options, List<Migration> migrations) {
        this.connections = connections;
        this.renderer = new SchemaRenderer(options);
        this.migrations = List.copyOf(migrations);
    }

    /**
     * A factory for {@code jdbc:clickhouse:<httpUrl>}; {@code compress=false} is added unless the URL
     * sets it (the embedded test endpoint needs it, real servers do not mind).
     */
    public static ConnectionFactory jdbc(String httpUrl, String user, String password) {
        return jdbc(httpUrl, user, password, Map.of());
    }

    /**
     * Like {@link #jdbc(String, String, String)}, with extra driver properties, which the JDBC driver
     * passes on to clickhouse-java's client, e.g. {@code sslrootcert} = the CA certificate (PEM) of an
     * https server.
     */
    public static ConnectionFactory jdbc(String httpUrl, String user, String password, Map<String, String> properties) {
        ClickHouseUrl parsed = ClickHouseUrl.parse(httpUrl, "clickhouse.url");
        // compress=false: the embedded test endpoint needs it, real servers do not mind.
        String jdbcUrl =
                "jdbc:clickhouse:" + parsed.endpoint() + "/" + parsed.database().orElse("") + "?compress=false";
        Properties props = new Properties();
        props.putAll(properties);
        props.setProperty("user", user == null || user.isEmpty() ? "default" : user);
        props.setProperty("password", password == null ? "" : password);
        return () -> DriverManager.getConnection(jdbcUrl, props);
    }

    /** Where progress lines go (default: nowhere). */
    public SchemaMigrator log(Consumer<String> sink) {
        this.log = sink;
        return this;
    }

    public SchemaRenderer renderer() {
        return renderer;
    }

    /** Applies every pending migration. */
    public Result migrate() {
        return migrate(Integer.MAX_VALUE);
    }

    /** Applies pending migrations with a version up to {@code targetVersion} (inclusive). */
    public Result migrate(int targetVersion) {
        String db = renderer.options().database();
        try (Connection c = connections.open();
                Statement s = c.createStatement()) {
            for (SchemaRenderer.Rendered r : renderer.bootstrap()) {
                execute(s, r);
            }
            Map<Integer, Applied> applied = readApplied(s, db);
            List<Migration> pending = pending(applied, targetVersion);
            int statements = 0;
            List<Migration> done = new ArrayList<>();
            for (Migration m : pending) {
                List<SchemaRenderer.Rendered> rendered = renderer.render(m);
                log.accept("applying " + m.fileName() + " (" + rendered.size() + " statements) to " + db);
                for (SchemaRenderer.Rendered r : rendered) {
                    execute(s, r);
                }
                s.execute("INSERT INTO " + db + "." + SchemaRenderer.MIGRATIONS_TABLE
                        + " (version, name, checksum, applied_at, variant, statements) SETTINGS async_insert = 0 VALUES ("
                        + m.version() + ", '" + m.name() + "', '" + m.checksum() + "', now64(3), '"
                        + renderer.options().variant().code() + "', " + rendered.size() + ")");
                statements += rendered.size();
                done.add(m);
            }
            if (done.isEmpty()) {
                log.accept(db + " is up to date (" + applied.size() + " migrations applied)");
            }
            return new Result(done, applied.size(), statements);
        } catch (SQLException e) {
            throw new SchemaMigrationException("cannot migrate database " + db + ": " + reason(e), e);
        }
    }

    /** Rows of {@code schema_migrations} by version (empty if the table does not exist yet). */
    public Map<Integer, Applied> applied() {
        String db = renderer.options().database();
        try (Connection c = connections.open();
                Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("EXISTS TABLE " + db + "." + SchemaRenderer.MIGRATIONS_TABLE)) {
                if (!rs.next() || rs.getInt(1) == 0) {
                    return new TreeMap<>();
                }
            }
            return readApplied(s, db);
        } catch (SQLException e) {
            throw new SchemaMigrationException(
                    "cannot read " + db + "." + SchemaRenderer.MIGRATIONS_TABLE + ": " + reason(e), e);
        }
    }

    /** The driver reports a rejected server certificate only as "SSL Problem"; say what it was. */
    private static String reason(SQLException e) {
        return ClickHouseErrors.tlsVerificationFailure(e).orElse(e.getMessage());
    }

    private static Map<Integer, Applied> readApplied(Statement s, String db) throws SQLException {
        Map<Integer, Applied> out = new TreeMap<>();
        try (ResultSet rs = s.executeQuery("SELECT version, name, checksum FROM " + db + "."
                + SchemaRenderer.MIGRATIONS_TABLE + " FINAL ORDER BY version")) {
            while (rs.next()) {
                out.put(rs.getInt(1), new Applied(rs.getInt(1), rs.getString(2), rs.getString(3)));
            }
        }
        return out;
    }

    /** Validates the recorded migrations against the files and returns the ones still to apply. */
    List<Migration> pending(Map<Integer, Applied> applied, int targetVersion) {
        Map<Integer, Migration> files = new TreeMap<>();
        for (Migration m : migrations) {
            files.put(m.version(), m);
        }
        String db = renderer.options().database();
        int newestApplied = 0;
        for (Applied a : applied.values()) {
            Migration m = files.get(a.version());
            if (m == null) {
                throw new SchemaMigrationException(db + " has migration " + a.version() + " (" + a.name()
                        + ") applied, but this build has no V" + String.format("%03d", a.version())
                        + "__*.sql: the database is"
                        + " newer than these migration files; use the matching release");
            }
            if (!m.checksum().equals(a.checksum())) {
                throw new SchemaMigrationException(
                        "migration " + m.fileName() + " was changed after it was applied to " + db
                                + " (recorded checksum " + a.checksum() + ", file checksum " + m.checksum()
                                + "). Applied migrations"
                                + " are immutable: restore the file and put the change in a new migration V"
                                + String.format(
                                        "%03d",
                                        files.keySet().stream()
                                                        .mapToInt(Integer::intValue)
                                                        .max()
                                                        .orElse(0)
                                                + 1)
                                + "__<name>.sql");
            }
            newestApplied = Math.max(newestApplied, a.version());
        }
        List<Migration> pending = new ArrayList<>();
        for (Migration m : files.values()) {
            if (applied.containsKey(m.version()) || m.version() > targetVersion) {
                continue;
            }
            if (m.version() < newestApplied) {
                throw new SchemaMigrationException(
                        "migration " + m.fileName() + " is pending but " + db + " already has the newer" + " migration "
                                + newestApplied + "; renumber it above " + newestApplied);
            }
            pending.add(m);
        }
        return pending;
    }

    private void execute(Statement s, SchemaRenderer.Rendered r) throws SQLException {
        try {
            s.execute(r.sql());
        } catch (SQLException e) {
            throw new SQLException(
                    r.source() + (r.line() > 0 ? " line " + r.line() : "") + ": " + e.getMessage()
                            + "\n--- statement ---\n" + r.sql(),
                    e.getSQLState(),
                    e.getErrorCode(),
                    e);
        }
    }
}
