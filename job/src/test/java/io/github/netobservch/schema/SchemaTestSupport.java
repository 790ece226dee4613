package io.github.netobservch.schema;

import io.github.netobservch.testing.ClickHouseTestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Shared helpers of the schema tests: migrations from the repository, HTTP queries with parameters. */
final class SchemaTestSupport {

    /** The repository's sql/ directory (Surefire runs in job/). */
    static final Path SQL_DIR = locateSql();

    static final Path SCHEMA_DIR = SQL_DIR.resolve("schema");
    static final Path QUERIES_DIR = SQL_DIR.resolve("queries");

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private SchemaTestSupport() {}

    private static Path locateSql() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (Files.isDirectory(p.resolve("sql").resolve("schema"))) {
                return p.resolve("sql");
            }
            p = p.getParent();
        }
        throw new IllegalStateException("no sql/schema above " + Path.of("").toAbsolutePath());
    }

    static List<Migration> migrations() {
        return Migration.loadDirectory(SCHEMA_DIR);
    }

    /** Options for tests: long retention, so fixtures with fixed 2026 dates are not expired by TTL. */
    static SchemaOptions testOptions(String db) {
        return SchemaOptions.defaults()
                .withDatabase(db)
                .withRetention(3650, 3650, 3650)
                .withDedupWindow(1000, 3600);
    }

    static SchemaMigrator migrator(ClickHouseTestServer server, SchemaOptions options, List<Migration> migrations) {
        return new SchemaMigrator(() -> server.connect("default"), options, migrations);
    }

    static String resource(String name) {
        try (var in = SchemaTestSupport.class.getResourceAsStream("/schema/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no test resource schema/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends {@code sql} (+ body) over HTTP; URL parameters are settings or {@code param_*}. Returns the body. */
    static String http(ClickHouseTestServer server, String db, String sql, String body, Map<String, String> params) {
        StringBuilder url = new StringBuilder(server.httpUrl())
                .append("/?database=")
                .append(enc(db))
                .append("&query=")
                .append(enc(sql));
        for (Map.Entry<String, String> e : params.entrySet()) {
            url.append('&').append(enc(e.getKey())).append('=').append(enc(e.getValue()));
        }
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url.toString()))
                .POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : body, StandardCharsets.UTF_8));
        server.credentials().forEach((k, v) -> {
            if (k.equals("user")) {
                req.header("X-ClickHouse-User", v.toString());
            } else if (k.equals("password") && !v.toString().isEmpty()) {
                req.header("X-ClickHouse-Key", v.toString());
            }
        });
        try {
            HttpResponse<String> r = HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (r.statusCode() != 200) {
                throw new IllegalStateException("HTTP " + r.statusCode() + " for " + sql + ": " + r.body());
            }
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Inserts JSONEachRow lines into {@code table}, synchronously, with an optional dedup token. */
    static void insertJson(ClickHouseTestServer server, String db, String table, String jsonLines, String token) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("async_insert", "0");
        settings.put("input_format_skip_unknown_fields", "1");
        settings.put("insert_deduplicate", "1");
        if (token != null) {
            settings.put("insert_deduplication_token", token);
        }
        http(server, db, "INSERT INTO " + table + " FORMAT JSONEachRow", jsonLines, settings);
    }

    /** Runs a query with {@code param_<name>} bindings; returns TabSeparated lines. */
    static List<String> query(ClickHouseTestServer server, String db, String sql, Map<String, String> queryParams) {
        Map<String, String> p = new LinkedHashMap<>();
        queryParams.forEach((k, v) -> p.put("param_" + k, v));
        p.put("default_format", "TabSeparated");
        String out = http(server, db, sql, null, p);
        if (out.isEmpty()) {
            return List.of();
        }
        List<String> lines = Arrays.asList(out.split("\n", -1));
        return lines.subList(0, lines.size() - 1).stream()
                .map(SchemaTestSupport::unescapeQuotes)
                .toList();
    }

    /** TabSeparated escapes {@code '} and {@code \\}; tabs stay column separators. */
    private static String unescapeQuotes(String line) {
        StringBuilder sb = new StringBuilder(line.length());
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length() && (line.charAt(i + 1) == '\'' || line.charAt(i + 1) == '\\')) {
                sb.append(line.charAt(++i));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    static List<String> query(ClickHouseTestServer server, String db, String sql) {
        return query(server, db, sql, Map.of());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
