package io.github.netobservch.testing;

import io.github.netobservch.local.EmbeddedClickHouse;
import java.io.IOException;
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
 * A ClickHouse server for tests: the embedded chDB endpoint, or the real server named by
 * {@code CLICKHOUSE_URL} (with optional {@code CLICKHOUSE_USER} / {@code CLICKHOUSE_PASSWORD}).
 * Tests create their own uniquely named databases so they can share one server.
 */
public final class ClickHouseTestServer {

    private final String httpUrl;
    private final String user;
    private final String password;
    private final EmbeddedClickHouse embedded;

    ClickHouseTestServer(String httpUrl, String user, String password, EmbeddedClickHouse embedded) {
        this.httpUrl = httpUrl.endsWith("/") ? httpUrl.substring(0, httpUrl.length() - 1) : httpUrl;
        this.user = user;
        this.password = password;
        this.embedded = embedded;
    }

    /** HTTP base URL, e.g. {@code http://127.0.0.1:34567}. */
    public String httpUrl() {
        return embedded != null ? embedded.url() : httpUrl;
    }

    /**
     * JDBC URL for {@code database}. Compression is off: the embedded endpoint does not implement
     * ClickHouse's native LZ4 framing (see scripts/embedded-clickhouse/README.md).
     */
    public String jdbcUrl(String database) {
        String base = httpUrl().replaceFirst("^http", "jdbc:clickhouse:http");
        return base + "/" + database + "?compress=false";
    }

    public Properties credentials() {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        return props;
    }

    /**
     * {@code INSERT INTO database.table FORMAT RowBinary} with {@code body} as the data, over HTTP as
     * the sink sends rows, with this server's credentials; anything but HTTP 200 throws with the
     * server's text.
     */
    public void insertRowBinary(String database, String table, byte[] body) throws IOException, InterruptedException {
        String query = java.net.URLEncoder.encode(
                "INSERT INTO " + database + "." + table + " FORMAT RowBinary", java.nio.charset.StandardCharsets.UTF_8);
        java.net.http.HttpRequest.Builder req = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(httpUrl() + "/?query=" + query))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body))
                .header("X-ClickHouse-User", user);
        if (!password.isEmpty()) {
            req.header("X-ClickHouse-Key", password);
        }
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient()
                .send(req.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("INSERT INTO " + database + "." + table + ": HTTP " + response.statusCode() + ": "
                    + response.body());
        }
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), credentials());
    }

    /** Creates {@code prefix_<random>} and returns its name. */
    public String createDatabase(String prefix) throws SQLException {
        String name =
                prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (Connection c = connect("default");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return name;
    }

    /** Runs a query and returns the first column of every row as strings. */
    public List<String> queryColumn(String database, String sql) throws SQLException {
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

    public long queryLong(String database, String sql) throws SQLException {
        try (Connection c = connect(database);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw new SQLException("no row for: " + sql);
            }
            return rs.getLong(1);
        }
    }

    public void execute(String database, String sql) throws SQLException {
        try (Connection c = connect(database);
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    /** The embedded endpoint, for fault injection (stop, kill, restart); fails for an external server. */
    public EmbeddedClickHouse embedded() {
        if (embedded == null) {
            throw new IllegalStateException("the ClickHouse server is external (CLICKHOUSE_URL); it cannot be stopped");
        }
        return embedded;
    }
}
