package io.github.netobservch.security;

import io.github.netobservch.local.EmbeddedClickHouse;
import io.github.netobservch.schema.Migration;
import io.github.netobservch.schema.SchemaMigrator;
import io.github.netobservch.schema.SchemaOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

/**
 * A dedicated embedded ClickHouse endpoint that accepts only user {@link #USER} with the password in
 * {@link #passwordFile} ({@code server.mjs --require-user/--require-password-file}); any other
 * credentials get code 516 AUTHENTICATION_FAILED. {@link #startTls} serves HTTPS with a server
 * certificate of a {@link TestPki} ({@code --tls-pfx}) and logs one line per request (user, status),
 * so tests can see which credentials reached it.
 */
final class AuthClickHouse implements AutoCloseable {

    static final String USER = "flink_writer";

    final EmbeddedClickHouse server;
    final String password;
    final Path passwordFile;
    /** The CA certificate (PEM) test clients trust; null for plain http. */
    final Path rootCert;

    private AuthClickHouse(EmbeddedClickHouse server, String password, Path passwordFile, Path rootCert) {
        this.server = server;
        this.password = password;
        this.passwordFile = passwordFile;
        this.rootCert = rootCert;
    }

    static AuthClickHouse start(Path dir, String password) throws Exception {
        Files.createDirectories(dir);
        Path file = Files.writeString(dir.resolve("clickhouse-password"), password + "\n");
        EmbeddedClickHouse server = EmbeddedClickHouse.start(
                dir.resolve("data"), 0, List.of("--require-user", USER, "--require-password-file", file.toString()));
        return new AuthClickHouse(server, password, file, null);
    }

    /** HTTPS with the server key pair of {@code pki} (PKCS12, its password from a file). */
    static AuthClickHouse startTls(Path dir, String password, TestPki pki) throws Exception {
        Files.createDirectories(dir);
        Path file = Files.writeString(dir.resolve("clickhouse-password"), password + "\n");
        EmbeddedClickHouse server = EmbeddedClickHouse.start(
                dir.resolve("data"),
                0,
                List.of(
                        "--require-user",
                        USER,
                        "--require-password-file",
                        file.toString(),
                        "--tls-pfx",
                        pki.serverKeystore.toString(),
                        "--tls-pfx-password-file",
                        pki.serverKeystorePasswordFile.toString(),
                        "--log-requests"));
        return new AuthClickHouse(server, password, file, pki.caPem);
    }

    String url() {
        return server.url();
    }

    Connection connect(String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", USER);
        p.setProperty("password", password);
        if (rootCert != null) {
            p.setProperty("sslrootcert", rootCert.toString());
        }
        return DriverManager.getConnection(
                url().replaceFirst("^http", "jdbc:clickhouse:http") + "/" + database + "?compress=false", p);
    }

    /** A new database with the project's schema (long retention, dedup window for the sink). */
    String createSchema(String prefix) throws SQLException {
        String db = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (Connection c = connect("default");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + db);
        }
        new SchemaMigrator(
                        () -> connect("default"),
                        SchemaOptions.defaults().withDatabase(db).withRetention(3650, 3650, 3650),
                        Migration.loadDirectory(Migration.locateSchemaDirectory(null)))
                .migrate();
        return db;
    }

    List<String> queryColumn(String database, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = connect(database);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    long queryLong(String database, String sql) throws SQLException {
        return Long.parseLong(queryColumn(database, sql).get(0));
    }

    @Override
    public void close() {
        server.close();
    }
}
