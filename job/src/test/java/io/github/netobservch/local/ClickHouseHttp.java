package io.github.netobservch.local;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny client for ClickHouse's HTTP interface (statement in the body, {@code param_*} query
 * parameters, output format as a setting) for the local runners: progress counters, the query
 * pack's readable tables. The job itself uses the official clients.
 */
public final class ClickHouseHttp {

    private final String url;
    private final String database;
    private final String authorization;
    private final HttpClient client;

    public ClickHouseHttp(String url, String database, String user, String password) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.database = database;
        String u = user == null || user.isEmpty() ? "default" : user;
        String p = password == null ? "" : password;
        this.authorization =
                "Basic " + Base64.getEncoder().encodeToString((u + ":" + p).getBytes(StandardCharsets.UTF_8));
        this.client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    public String url() {
        return url;
    }

    public String database() {
        return database;
    }

    /** Runs {@code sql} and returns the response body in {@code format} (e.g. TabSeparated). */
    public String query(String sql, Map<String, String> params, String format) {
        Map<String, String> query = new LinkedHashMap<>();
        if (database != null) {
            query.put("database", database);
        }
        query.put("default_format", format);
        params.forEach((k, v) -> query.put("param_" + k, v));
        StringBuilder target = new StringBuilder(url).append('/');
        char sep = '?';
        for (Map.Entry<String, String> e : query.entrySet()) {
            target.append(sep).append(enc(e.getKey())).append('=').append(enc(e.getValue()));
            sep = '&';
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(target.toString()))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofString(sql, StandardCharsets.UTF_8))
                .build();
        try {
            HttpResponse<String> response =
                    client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() != 200) {
                throw new IllegalStateException("ClickHouse answered " + response.statusCode() + ": "
                        + response.body().trim());
            }
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException("ClickHouse at " + url + " is not reachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while querying ClickHouse", e);
        }
    }

    /** Runs a statement whose result is ignored (DDL). */
    public void execute(String sql) {
        query(sql, Map.of(), "TabSeparated");
    }

    /** The first column of every row, as text. */
    public List<String> column(String sql) {
        List<String> out = new ArrayList<>();
        for (String line : query(sql, Map.of(), "TabSeparated").split("\n")) {
            if (!line.isEmpty()) {
                out.add(line.split("\t", -1)[0]);
            }
        }
        return out;
    }

    /** Every row as its tab-separated cells. */
    public List<String[]> rows(String sql) {
        List<String[]> out = new ArrayList<>();
        for (String line : query(sql, Map.of(), "TabSeparated").split("\n")) {
            if (!line.isEmpty()) {
                out.add(line.split("\t", -1));
            }
        }
        return out;
    }

    /** A single number (e.g. {@code SELECT count() FROM flows}). */
    public long queryLong(String sql) {
        String body = query(sql, Map.of(), "TabSeparated").trim();
        return body.isEmpty() ? 0 : Long.parseLong(body);
    }

    /** Whether {@code table} exists in the database. */
    public boolean tableExists(String table) {
        return queryLong("SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = '"
                        + table.replace("'", "") + "'")
                > 0;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
