package io.github.netobservch.loki.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Read-only SELECTs over ClickHouse's HTTP interface with the JDK's HTTP client. Not client-v2 (the
 * job's INSERT client): the API needs only text results of SELECTs with typed parameters and
 * per-query settings, which the HTTP interface gives directly, and the service image stays small.
 * Results are {@code JSONCompactEachRow}, read row by row.
 */
public final class ClickHouseReader {

    /** A ClickHouse error: its numeric code (e.g. 159 = TIMEOUT_EXCEEDED) and message. */
    public static final class ClickHouseException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int code;
        private final int status;

        ClickHouseException(int status, int code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }

        public int code() {
            return code;
        }

        public int httpStatus() {
            return status;
        }

        public boolean timeout() {
            return code == 159 || code == 160 || code == 209;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CODE = Pattern.compile("Code: (\\d+)");

    private final URI base;
    private final String user;
    private final Supplier<String> password;
    private final Map<String, String> settings;
    private final Duration timeout;
    private final HttpClient http;

    /**
     * @param base the HTTP(S) endpoint, e.g. {@code https://clickhouse:8443}
     * @param settings ClickHouse settings sent with every query (max_execution_time, ...)
     */
    public ClickHouseReader(
            URI base, String user, Supplier<String> password, Map<String, String> settings, Duration timeout) {
        this.base = base;
        this.user = user;
        this.password = password;
        this.settings = Map.copyOf(settings);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** Runs {@code q} in {@code database} and returns every row as a JSON array. */
    public List<JsonNode> rows(SqlQuery q, String database) {
        List<JsonNode> rows = new ArrayList<>();
        forEachRow(q, database, rows::add);
        return rows;
    }

    /**
     * Runs {@code q} and hands each row to {@code consumer} as it arrives; an exception from the
     * consumer stops reading and drops the rest of the answer (closing the stream cancels it).
     */
    public void forEachRow(SqlQuery q, String database, Consumer<JsonNode> consumer) {
        StringBuilder url = new StringBuilder(base.toString());
        if (url.charAt(url.length() - 1) != '/') {
            url.append('/');
        }
        url.append("?database=").append(enc(database));
        settings.forEach((k, v) -> url.append('&').append(enc(k)).append('=').append(enc(v)));
        q.params()
                .forEach((k, v) ->
                        url.append("&param_").append(enc(k)).append('=').append(enc(v)));
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url.toString()))
                .timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofString(
                        q.sql() + " FORMAT JSONCompactEachRow", StandardCharsets.UTF_8));
        if (user != null && !user.isEmpty()) {
            req.header("X-ClickHouse-User", user);
        }
        String pw = password.get();
        if (pw != null && !pw.isEmpty()) {
            req.header("X-ClickHouse-Key", pw);
        }
        try {
            HttpResponse<InputStream> r = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                if (r.statusCode() != 200) {
                    String body = new String(in.readNBytes(8192), StandardCharsets.UTF_8).trim();
                    Matcher m = CODE.matcher(body);
                    int code = m.find() ? Integer.parseInt(m.group(1)) : 0;
                    throw new ClickHouseException(r.statusCode(), code, body);
                }
                // One JSON array per line (JSONCompactEachRow escapes newlines inside strings).
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    if (!line.isEmpty()) {
                        consumer.accept(JSON.readTree(line));
                    }
                }
            }
        } catch (java.net.http.HttpTimeoutException e) {
            throw new ClickHouseException(504, 159, "ClickHouse did not answer within " + timeout.toSeconds() + " s");
        } catch (IOException e) {
            throw new ClickHouseException(503, 0, "ClickHouse unreachable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClickHouseException(503, 0, "interrupted");
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
