package io.github.netobservch.loki.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.netobservch.loki.logql.LogQL.Expr;
import io.github.netobservch.loki.logql.LogQL.LogExpr;
import io.github.netobservch.loki.logql.LogQL.MetricExpr;
import io.github.netobservch.loki.logql.LogQLException;
import io.github.netobservch.loki.logql.LogQLParser;
import io.github.netobservch.loki.query.Results.Entry;
import io.github.netobservch.loki.query.Results.Matrix;
import io.github.netobservch.loki.query.Results.Point;
import io.github.netobservch.loki.query.Results.Result;
import io.github.netobservch.loki.query.Results.Series;
import io.github.netobservch.loki.query.Results.Stream;
import io.github.netobservch.loki.query.Results.Streams;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The read API's queries: parameters in Loki's HTTP form, answers as {@link Results}. One instance
 * serves every tenant; the tenant picks the database and cluster filter.
 */
public final class LokiQueries {

    private static final long HOUR_MS = 3_600_000L;
    private static final long FIRST_SLICE_MS = 15 * 60_000L;

    private final ClickHouseReader clickhouse;
    private final StreamLabels labels;
    private final Limits limits;
    private final Clock clock;

    public LokiQueries(ClickHouseReader clickhouse, StreamLabels labels, Limits limits, Clock clock) {
        this.clickhouse = clickhouse;
        this.labels = labels;
        this.limits = limits;
        this.clock = clock;
    }

    public StreamLabels labels() {
        return labels;
    }

    public Limits limits() {
        return limits;
    }

    /**
     * {@code GET /loki/api/v1/query_range}. {@code params}: query, start, end, limit, step,
     * direction (each optional but query).
     */
    public Result queryRange(Tenant tenant, Map<String, String> params) {
        String query = params.get("query");
        if (query == null || query.isBlank()) {
            throw new LokiQueryException(400, "query parameter is required");
        }
        long endMs = params.containsKey("end") ? TimeParams.timestampMs("end", params.get("end")) : clock.millis();
        long startMs =
                params.containsKey("start") ? TimeParams.timestampMs("start", params.get("start")) : endMs - HOUR_MS;
        if (endMs < startMs) {
            throw new LokiQueryException(400, "invalid parameter end: end timestamp must not be before start time");
        }
        checkLength(startMs, endMs);
        Expr expr;
        try {
            expr = LogQLParser.parse(query);
        } catch (LogQLException e) {
            throw new LokiQueryException(400, e.getMessage());
        }
        FlowSql sql = new FlowSql(labels, tenant.qualifiedTable(), tenant.filterSql());
        if (expr instanceof LogExpr log) {
            int limit = params.containsKey("limit") ? intParam("limit", params.get("limit")) : 100;
            if (limit > limits.maxEntries()) {
                throw new LokiQueryException(
                        400,
                        "max entries limit per query exceeded, limit > max_entries_limit_per_query (" + limit + " > "
                                + limits.maxEntries() + ")");
            }
            if (limit <= 0) {
                throw new LokiQueryException(400, "limit must be a positive value");
            }
            String direction = params.getOrDefault("direction", "backward");
            if (!direction.equalsIgnoreCase("backward") && !direction.equalsIgnoreCase("forward")) {
                throw new LokiQueryException(400, "invalid parameter direction: " + direction);
            }
            if (log.unwrap() != null) {
                throw new LokiQueryException(400, "unwrap is only allowed inside a range aggregation");
            }
            return streams(sql, log, startMs, endMs, limit, direction.equalsIgnoreCase("backward"), tenant);
        }
        MetricPlan plan;
        try {
            plan = MetricPlan.of((MetricExpr) expr);
        } catch (LogQLException e) {
            throw new LokiQueryException(400, e.getMessage());
        }
        long stepMs = params.containsKey("step")
                ? TimeParams.durationMs("step", params.get("step"))
                : Math.max(1000L, (endMs - startMs) / 250 / 1000 * 1000);
        if (stepMs <= 0) {
            throw new LokiQueryException(
                    400, "zero or negative query resolution step widths are not accepted. Try a positive integer");
        }
        long steps = (endMs - startMs) / stepMs + 1;
        if (steps > limits.maxPoints()) {
            throw new LokiQueryException(
                    400,
                    "exceeded maximum resolution of " + String.format("%,d", limits.maxPoints())
                            + " points per timeseries. Try increasing the value of the step parameter");
        }
        return matrix(sql.metricQuery(plan, startMs, stepMs, steps), plan, tenant, startMs, stepMs);
    }

    /** {@code GET /loki/api/v1/label/<name>/values}: default window the last 6 hours, like Loki. */
    public List<String> labelValues(Tenant tenant, String name, Map<String, String> params) {
        long endMs = params.containsKey("end") ? TimeParams.timestampMs("end", params.get("end")) : clock.millis();
        long startMs = params.containsKey("start")
                ? TimeParams.timestampMs("start", params.get("start"))
                : endMs - 6 * HOUR_MS;
        checkLength(startMs, endMs);
        if (!labels.isLabel(name)) {
            return List.of(); // like Loki: only stream labels have values (e.g. the plugin's "UDN")
        }
        if (name.equals(labels.staticName())) {
            return List.of(labels.staticValue());
        }
        FlowSql sql = new FlowSql(labels, tenant.qualifiedTable(), tenant.filterSql());
        List<String> out = new ArrayList<>();
        for (JsonNode row :
                clickhouse.rows(sql.labelValues(name, startMs, endMs, limits.labelValues()), tenant.database())) {
            out.add(row.get(0).asText());
        }
        return out;
    }

    /**
     * Runs a log query in time slices from the requested end (or start, forward), 15 minutes first
     * and four times longer each time, until {@code limit} entries are found: the console's table
     * usually fills from the newest minutes, so a week's range rarely reads more than the last slice.
     * Exact: slices are disjoint and ordered, and each is ordered like the whole.
     */
    private Streams streams(
            FlowSql sql, LogExpr log, long startMs, long endMs, int limit, boolean backward, Tenant tenant) {
        List<JsonNode> rows = new ArrayList<>();
        long slice = FIRST_SLICE_MS;
        long done = backward ? endMs : startMs;
        while (rows.size() < limit && (backward ? done > startMs : done < endMs)) {
            long from = backward ? Math.max(startMs, done - slice) : done;
            long to = backward ? done : Math.min(endMs, done + slice);
            rows.addAll(clickhouse.rows(sql.logQuery(log, from, to, limit - rows.size(), backward), tenant.database()));
            done = backward ? from : to;
            slice *= 4;
        }
        Map<List<String>, List<Entry>> byStream = new LinkedHashMap<>();
        int n = labels.fields().size();
        for (JsonNode row : rows) {
            List<String> key = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                key.add(row.get(1 + i).asText());
            }
            byStream.computeIfAbsent(key, k -> new ArrayList<>())
                    .add(new Entry(row.get(0).asLong(), row.get(1 + n).asText()));
        }
        List<Stream> streams = new ArrayList<>();
        byStream.forEach((key, entries) -> {
            Map<String, String> l = new LinkedHashMap<>();
            l.put(labels.staticName(), labels.staticValue());
            for (int i = 0; i < n; i++) {
                l.put(labels.fields().get(i), key.get(i));
            }
            streams.add(new Stream(Results.nonEmpty(l), entries));
        });
        return new Streams(streams);
    }

    private Matrix matrix(SqlQuery q, MetricPlan plan, Tenant tenant, long startMs, long stepMs) {
        int g = plan.groupBy().size();
        Map<SortedMap<String, String>, List<Point>> bySeries = new TreeMap<>(LokiQueries::compareLabels);
        // streamed: a query over the series limit stops at the first row past it
        clickhouse.forEachRow(q, tenant.database(), row -> {
            Map<String, String> l = new LinkedHashMap<>();
            for (int i = 0; i < g; i++) {
                l.put(plan.groupBy().get(i), row.get(1 + i).asText());
            }
            long ts = startMs + row.get(0).asLong() * stepMs;
            bySeries.computeIfAbsent(Results.nonEmpty(l), k -> new ArrayList<>())
                    .add(new Point(ts, number(row.get(1 + g))));
            if (bySeries.size() > limits.maxSeries()) {
                throw new LokiQueryException(
                        400, "maximum of series (" + limits.maxSeries() + ") reached for a single query");
            }
        });
        List<Series> series = new ArrayList<>();
        bySeries.forEach((k, v) -> series.add(new Series(k, v)));
        return new Matrix(series);
    }

    /** Loki's {@code max_query_length}, with its error text. */
    private void checkLength(long startMs, long endMs) {
        Duration length = Duration.ofMillis(endMs - startMs);
        if (length.compareTo(limits.maxQueryLength()) > 0) {
            throw new LokiQueryException(
                    400,
                    "the query time range exceeds the limit (query length: " + TimeParams.goDuration(length)
                            + ", limit: " + TimeParams.goDuration(limits.maxQueryLength()) + ")");
        }
    }

    /** Orders label sets like Prometheus: by the sorted (name, value) pairs. */
    public static int compareLabels(SortedMap<String, String> a, SortedMap<String, String> b) {
        var ia = a.entrySet().iterator();
        var ib = b.entrySet().iterator();
        while (ia.hasNext() && ib.hasNext()) {
            var ea = ia.next();
            var eb = ib.next();
            int c = ea.getKey().compareTo(eb.getKey());
            if (c != 0) {
                return c;
            }
            c = ea.getValue().compareTo(eb.getValue());
            if (c != 0) {
                return c;
            }
        }
        return Boolean.compare(ia.hasNext(), ib.hasNext());
    }

    private static double number(JsonNode n) {
        if (n.isNumber()) {
            return n.asDouble();
        }
        String s = n.asText();
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "nan", "null", "" -> Double.NaN;
            case "inf", "+inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }

    private static int intParam(String name, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new LokiQueryException(400, "invalid parameter " + name + ": " + value);
        }
    }
}
