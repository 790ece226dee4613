package io.github.netobservch.loki;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.netobservch.loki.logql.LogQL.Expr;
import io.github.netobservch.loki.logql.LogQL.LogExpr;
import io.github.netobservch.loki.logql.LogQL.MetricExpr;
import io.github.netobservch.loki.logql.LogQLParser;
import io.github.netobservch.loki.query.MetricPlan;
import io.github.netobservch.loki.query.Results;
import io.github.netobservch.loki.query.Results.Entry;
import io.github.netobservch.loki.query.Results.Matrix;
import io.github.netobservch.loki.query.Results.Point;
import io.github.netobservch.loki.query.Results.Series;
import io.github.netobservch.loki.query.Results.Stream;
import io.github.netobservch.loki.query.Results.Streams;
import io.github.netobservch.loki.query.TimeParams;
import io.github.netobservch.parse.RawPolicy;
import io.github.netobservch.testing.ClickHouseTestServer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One ClickHouse database loaded with {@link TestFlows}, a read API started on it with the given
 * command-line options and a fixed clock, and the {@link ReferenceEvaluator} over the same rows.
 */
final class LokiApiFixture implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    final String db;
    final LokiApi.Config config;
    final LokiApi.Running api;
    final ReferenceEvaluator reference;
    final List<ReferenceEvaluator.Row> rows;

    private LokiApiFixture(String db, LokiApi.Config config, LokiApi.Running api, List<ReferenceEvaluator.Row> rows) {
        this.db = db;
        this.config = config;
        this.api = api;
        this.rows = rows;
        this.reference = new ReferenceEvaluator(
                rows,
                config.labels().staticName(),
                config.labels().staticValue(),
                config.labels().fields());
    }

    /** Loads a fresh database with {@code records} and starts an API on it with {@code args}. */
    static LokiApiFixture start(ClickHouseTestServer server, List<ObjectNode> records, String... args)
            throws Exception {
        return start(server, records, RawPolicy.WHOLE, args);
    }

    /** Loads the records into a new schema as the job would under {@code policy} and starts an API on it. */
    static LokiApiFixture start(ClickHouseTestServer server, List<ObjectNode> records, RawPolicy policy, String... args)
            throws Exception {
        String db = TestFlows.createSchema(server);
        TestFlows.load(server, db, records, policy);
        return on(server, db, args);
    }

    /** Starts another API on an already loaded database. */
    static LokiApiFixture on(ClickHouseTestServer server, String db, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(
                "--listen.host",
                "127.0.0.1",
                "--listen.port",
                "0",
                "--clickhouse.url",
                server.httpUrl(),
                "--clickhouse.user",
                server.credentials().getProperty("user"),
                "--tenant",
                "netobserv=" + db));
        all.addAll(List.of(args));
        LokiApi cmd = ApiArgs.parse(all.toArray(String[]::new));
        LokiApi.Config config = cmd.config();
        LokiApi.Running api =
                LokiApi.start(config, Clock.fixed(Instant.ofEpochMilli(TestFlows.NOW_MS), ZoneOffset.UTC));
        return new LokiApiFixture(db, config, api, ReferenceEvaluator.readBack(server, db));
    }

    int port() {
        return api.server().port();
    }

    RawHttp.Response get(String target) throws Exception {
        return RawHttp.get(port(), target, Map.of("X-Scope-OrgID", "netobserv"));
    }

    /** Form-decoded parameters of a request target (the server's view of them). */
    static Map<String, String> params(String target) {
        Map<String, String> out = new LinkedHashMap<>();
        int q = target.indexOf('?');
        if (q < 0) {
            return out;
        }
        for (String pair : target.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }

    /** What the reference evaluator expects for a query_range target. */
    Results.Result expected(String target) {
        Map<String, String> p = params(target);
        long end = p.containsKey("end") ? TimeParams.timestampMs("end", p.get("end")) : TestFlows.NOW_MS;
        long start = p.containsKey("start") ? TimeParams.timestampMs("start", p.get("start")) : end - 3_600_000L;
        Expr e = LogQLParser.parse(p.get("query"));
        if (e instanceof LogExpr log) {
            int limit = p.containsKey("limit") ? Integer.parseInt(p.get("limit")) : 100;
            return reference.logQuery(log, start, end, limit, !"forward".equals(p.get("direction")));
        }
        long step = p.containsKey("step")
                ? TimeParams.durationMs("step", p.get("step"))
                : Math.max(1000L, (end - start) / 250 / 1000 * 1000);
        long steps = (end - start) / step + 1;
        return reference.metric(MetricPlan.of((MetricExpr) e), start, step, steps);
    }

    /** Decodes a query_range answer into the result model, checking Loki's exact value shapes. */
    static Results.Result decode(String body) throws Exception {
        JsonNode root = JSON.readTree(body);
        if (!"success".equals(root.path("status").asText())) {
            throw new AssertionError("status is not success: " + body);
        }
        JsonNode data = root.get("data");
        String type = data.get("resultType").asText();
        if (type.equals("streams")) {
            List<Stream> streams = new ArrayList<>();
            for (JsonNode s : data.get("result")) {
                List<Entry> entries = new ArrayList<>();
                for (JsonNode v : s.get("values")) {
                    if (v.size() != 2 || !v.get(0).isTextual() || !v.get(1).isTextual()) {
                        throw new AssertionError("stream value is not [\"<ns>\",\"<line>\"]: " + v);
                    }
                    String ns = v.get(0).asText();
                    if (!ns.matches("\\d+") || !ns.endsWith("000000")) {
                        throw new AssertionError("timestamp is not nanoseconds of a millisecond: " + ns);
                    }
                    JSON.readTree(v.get(1).asText()); // the line is a JSON object
                    entries.add(new Entry(
                            Long.parseLong(ns.substring(0, ns.length() - 6)),
                            v.get(1).asText()));
                }
                streams.add(new Stream(labels(s.get("stream")), entries));
            }
            return new Streams(streams);
        }
        if (!type.equals("matrix")) {
            throw new AssertionError("unexpected resultType " + type);
        }
        List<Series> series = new ArrayList<>();
        for (JsonNode s : data.get("result")) {
            List<Point> points = new ArrayList<>();
            for (JsonNode v : s.get("values")) {
                if (v.size() != 2 || !v.get(0).isNumber() || !v.get(1).isTextual()) {
                    throw new AssertionError("matrix value is not [<seconds>,\"<value>\"]: " + v);
                }
                long ms = v.get(0).decimalValue().movePointRight(3).longValueExact();
                points.add(new Point(ms, Double.parseDouble(v.get(1).asText())));
            }
            series.add(new Series(labels(s.get("metric")), points));
        }
        return new Matrix(series);
    }

    private static SortedMap<String, String> labels(JsonNode o) {
        SortedMap<String, String> m = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new AssertionError("label value is not a string: " + e);
            }
            m.put(e.getKey(), e.getValue().asText());
        }
        return m;
    }

    @Override
    public void close() {
        api.close();
    }
}
