package io.github.netobservch.loki;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.netobservch.loki.logql.LogQL.ErrorFilter;
import io.github.netobservch.loki.logql.LogQL.IpMatch;
import io.github.netobservch.loki.logql.LogQL.JsonStage;
import io.github.netobservch.loki.logql.LogQL.LabelFilterStage;
import io.github.netobservch.loki.logql.LogQL.LabelMatch;
import io.github.netobservch.loki.logql.LogQL.LabelPredicate;
import io.github.netobservch.loki.logql.LogQL.LineFilter;
import io.github.netobservch.loki.logql.LogQL.LogExpr;
import io.github.netobservch.loki.logql.LogQL.Matcher;
import io.github.netobservch.loki.logql.LogQL.RangeAggregation;
import io.github.netobservch.loki.logql.LogQL.Stage;
import io.github.netobservch.loki.logql.LogQL.UnwrapStage;
import io.github.netobservch.loki.logql.LogQL.VectorOp;
import io.github.netobservch.loki.query.LokiQueries;
import io.github.netobservch.loki.query.MetricPlan;
import io.github.netobservch.loki.query.Results;
import io.github.netobservch.loki.query.Results.Entry;
import io.github.netobservch.loki.query.Results.Matrix;
import io.github.netobservch.loki.query.Results.Point;
import io.github.netobservch.loki.query.Results.Series;
import io.github.netobservch.loki.query.Results.Stream;
import io.github.netobservch.loki.query.Results.Streams;
import io.github.netobservch.testing.ClickHouseTestServer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The tests' second opinion: LogQL evaluated in plain Java, record by record, straight from the
 * documented semantics (Loki's LogQL documentation, flowlogs-pipeline's label/line split as
 * described in docs/loki-api.md), over the records read back from ClickHouse. It shares no code
 * with the SQL path except the parsed query and the result records: labels and lines are rebuilt
 * here from each record's JSON with Jackson, regexes run on Java's engine, IP ranges are checked
 * with BigInteger arithmetic, windows are scanned sample by sample.
 */
final class ReferenceEvaluator {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One stored record: its timestamp, Kafka coordinates (answer order tie-break) and JSON. */
    record Row(long tsMs, String topic, int partition, long offset, ObjectNode record) {}

    private final List<Row> rows;
    private final String staticName;
    private final String staticValue;
    private final List<String> labelFields;
    private final boolean closedLeftWindows;

    ReferenceEvaluator(List<Row> rows, String staticName, String staticValue, List<String> labelFields) {
        this(rows, staticName, staticValue, labelFields, false);
    }

    /**
     * @param closedLeftWindows negative control only: windows {@code [t - W, t)} instead of the
     *     documented {@code (t - W, t]}
     */
    ReferenceEvaluator(
            List<Row> rows,
            String staticName,
            String staticValue,
            List<String> labelFields,
            boolean closedLeftWindows) {
        this.closedLeftWindows = closedLeftWindows;
        this.rows = rows;
        this.staticName = staticName;
        this.staticValue = staticValue;
        this.labelFields = labelFields;
    }

    /** Reads every row of {@code db.flows} back. */
    static List<Row> readBack(ClickHouseTestServer server, String db) throws Exception {
        // record (schema V008): raw for rows loaded under raw.policy whole, rebuilt otherwise
        String sql = "SELECT kafka_topic, kafka_partition, kafka_offset, record FROM " + db
                + ".flows_record FORMAT JSONCompactEachRow";
        String body = TestFlows.post(
                server.httpUrl(),
                server.credentials().getProperty("user"),
                server.credentials().getProperty("password"),
                sql,
                new byte[0]);
        List<Row> out = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode a = JSON.readTree(line);
            ObjectNode rec = (ObjectNode) JSON.readTree(a.get(3).asText());
            out.add(new Row(
                    rec.get("TimeFlowEndMs").asLong(),
                    a.get(0).asText(),
                    a.get(1).asInt(),
                    a.get(2).asLong(),
                    rec));
        }
        return out;
    }

    // ---- per record ---------------------------------------------------------------------------

    /** Stream labels as flowlogs-pipeline writes them: listed fields the record has, stringified. */
    private Map<String, String> streamLabels(ObjectNode rec) {
        Map<String, String> l = new HashMap<>();
        l.put(staticName, staticValue);
        for (String f : labelFields) {
            JsonNode v = rec.get(f);
            if (v != null && !v.isNull() && v.isValueNode()) {
                l.put(f, v.asText());
            }
        }
        return l;
    }

    /** The line: the record minus its label fields, compact JSON, record key order. */
    String line(ObjectNode rec) {
        ObjectNode copy = rec.deepCopy();
        copy.remove(labelFields);
        try {
            return JSON.writeValueAsString(copy);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The result of running a record through a pipeline. */
    private record Sample(Map<String, String> labels, Double value) {}

    /** Null when the record is filtered out. */
    private Sample run(LogExpr e, Row row) {
        Map<String, String> labels = streamLabels(row.record());
        for (Matcher m : e.selector()) {
            if (!matches(labels.getOrDefault(m.name(), ""), m)) {
                return null;
            }
        }
        String line = line(row.record());
        Double value = null;
        String unwrapped = null;
        for (Stage s : e.stages()) {
            if (s instanceof LineFilter lf) {
                boolean hit =
                        lf.regex() ? Pattern.compile(lf.pattern()).matcher(line).find() : line.contains(lf.pattern());
                if (hit == lf.negated()) {
                    return null;
                }
            } else if (s instanceof JsonStage) {
                try {
                    JsonNode parsed = JSON.readTree(line);
                    for (Iterator<Map.Entry<String, JsonNode>> it = parsed.fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> f = it.next();
                        if (f.getValue().isValueNode() && !f.getValue().isNull()) {
                            labels.put(f.getKey(), f.getValue().asText());
                        }
                    }
                } catch (Exception ex) {
                    throw new IllegalStateException(ex);
                }
            } else if (s instanceof LabelFilterStage lfs) {
                boolean any = false;
                for (LabelPredicate p : lfs.anyOf()) {
                    any |= test(p, labels);
                }
                if (!any) {
                    return null;
                }
            } else if (s instanceof UnwrapStage u) {
                unwrapped = u.field();
                String v = labels.get(u.field());
                try {
                    value = v == null ? null : Double.parseDouble(v);
                } catch (NumberFormatException ex) {
                    value = null;
                }
                labels.remove(u.field());
            } else if (s instanceof ErrorFilter) {
                if (unwrapped != null && value == null) {
                    return null;
                }
            }
        }
        return new Sample(labels, value);
    }

    private static boolean matches(String v, Matcher m) {
        return switch (m.op()) {
            case EQ -> v.equals(m.value());
            case NEQ -> !v.equals(m.value());
            case RE -> Pattern.compile(m.value()).matcher(v).matches();
            case NRE -> !Pattern.compile(m.value()).matcher(v).matches();
        };
    }

    private static boolean test(LabelPredicate p, Map<String, String> labels) {
        if (p instanceof LabelMatch lm) {
            return matches(labels.getOrDefault(lm.matcher().name(), ""), lm.matcher());
        }
        IpMatch ip = (IpMatch) p;
        boolean in = ipIn(labels.getOrDefault(ip.name(), ""), ip.spec());
        return ip.negated() != in;
    }

    /** Own IP range check: address, CIDR or a-b; only within one address family. */
    static boolean ipIn(String value, String spec) {
        byte[] v = literal(value);
        if (v == null) {
            return false;
        }
        BigInteger lo;
        BigInteger hi;
        int len;
        if (spec.contains("/")) {
            byte[] base = literal(spec.substring(0, spec.indexOf('/')));
            int bits = Integer.parseInt(spec.substring(spec.indexOf('/') + 1));
            len = base.length;
            BigInteger mask = BigInteger.ONE.shiftLeft(len * 8 - bits).subtract(BigInteger.ONE);
            lo = new BigInteger(1, base).andNot(mask);
            hi = lo.or(mask);
        } else if (spec.contains("-")) {
            byte[] a = literal(spec.substring(0, spec.indexOf('-')));
            byte[] b = literal(spec.substring(spec.indexOf('-') + 1));
            len = a.length;
            lo = new BigInteger(1, a);
            hi = new BigInteger(1, b);
        } else {
            byte[] a = literal(spec);
            len = a.length;
            lo = new BigInteger(1, a);
            hi = lo;
        }
        if (v.length != len) {
            return false;
        }
        BigInteger x = new BigInteger(1, v);
        return x.compareTo(lo) >= 0 && x.compareTo(hi) <= 0;
    }

    private static byte[] literal(String s) {
        boolean v4 = s.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = s.contains(":") && s.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) {
            return null;
        }
        try {
            byte[] b = InetAddress.getByName(s).getAddress();
            return v6 && b.length == 4 ? null : b;
        } catch (Exception e) {
            return null;
        }
    }

    // ---- log queries --------------------------------------------------------------------------

    Streams logQuery(LogExpr e, long startMs, long endMs, int limit, boolean backward) {
        List<Row> hits = new ArrayList<>();
        Map<Row, Map<String, String>> labelsOf = new HashMap<>();
        for (Row r : rows) {
            if (r.tsMs() < startMs || r.tsMs() >= endMs) {
                continue;
            }
            Sample s = run(e, r);
            if (s != null) {
                hits.add(r);
                labelsOf.put(r, streamLabels(r.record()));
            }
        }
        Comparator<Row> byTime = Comparator.comparingLong(Row::tsMs);
        if (backward) {
            byTime = byTime.reversed();
        }
        hits.sort(byTime.thenComparing(Row::topic)
                .thenComparingInt(Row::partition)
                .thenComparingLong(Row::offset));
        Map<SortedMap<String, String>, List<Entry>> streams = new LinkedHashMap<>();
        for (Row r : hits.subList(0, Math.min(limit, hits.size()))) {
            streams.computeIfAbsent(Results.nonEmpty(labelsOf.get(r)), k -> new ArrayList<>())
                    .add(new Entry(r.tsMs(), line(r.record())));
        }
        List<Stream> out = new ArrayList<>();
        streams.forEach((k, v) -> out.add(new Stream(k, v)));
        return new Streams(out);
    }

    // ---- metric queries -----------------------------------------------------------------------

    Matrix metric(MetricPlan plan, long startMs, long stepMs, long steps) {
        RangeAggregation r = plan.range();
        long w = r.windowMs();
        List<Long> ts = new ArrayList<>();
        List<Sample> samples = new ArrayList<>();
        for (Row row : rows) {
            Sample s = run(r.log(), row);
            if (s != null) {
                ts.add(row.tsMs());
                samples.add(s);
            }
        }
        Map<SortedMap<String, String>, List<Point>> series = new TreeMap<>(LokiQueries::compareLabels);
        for (long i = 0; i < steps; i++) {
            long t = startMs + i * stepMs;
            Map<List<String>, List<Double>> groups = new HashMap<>();
            Map<List<String>, Integer> counts = new HashMap<>();
            for (int j = 0; j < samples.size(); j++) {
                long x = ts.get(j);
                boolean in = closedLeftWindows ? x >= t - w && x < t : x > t - w && x <= t;
                if (!in) {
                    continue;
                }
                List<String> key = new ArrayList<>();
                for (String g : plan.groupBy()) {
                    key.add(samples.get(j).labels().getOrDefault(g, ""));
                }
                groups.computeIfAbsent(key, k -> new ArrayList<>());
                if (samples.get(j).value() != null) {
                    groups.get(key).add(samples.get(j).value());
                }
                counts.merge(key, 1, Integer::sum);
            }
            List<Map.Entry<List<String>, Double>> values = new ArrayList<>();
            for (Map.Entry<List<String>, List<Double>> g : groups.entrySet()) {
                double v = aggregate(r, g.getValue(), counts.get(g.getKey()), w);
                values.add(Map.entry(g.getKey(), plan.applyBefore(v)));
            }
            if (plan.rank() != null) {
                Comparator<Map.Entry<List<String>, Double>> c = Map.Entry.comparingByValue();
                if (plan.rank() == VectorOp.TOPK) {
                    c = c.reversed();
                }
                c = c.thenComparing(e -> String.join("\u0000", e.getKey()));
                values.sort(c);
                values = values.subList(0, Math.min(plan.k(), values.size()));
            }
            for (Map.Entry<List<String>, Double> v : values) {
                Map<String, String> l = new LinkedHashMap<>();
                for (int g = 0; g < plan.groupBy().size(); g++) {
                    l.put(plan.groupBy().get(g), v.getKey().get(g));
                }
                series.computeIfAbsent(Results.nonEmpty(l), k -> new ArrayList<>())
                        .add(new Point(t, plan.applyAfter(v.getValue())));
            }
        }
        List<Series> out = new ArrayList<>();
        series.forEach((k, v) -> out.add(new Series(k, v)));
        return new Matrix(out);
    }

    private static double aggregate(RangeAggregation r, List<Double> values, int count, long windowMs) {
        double seconds = windowMs / 1000.0;
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return switch (r.function()) {
            case COUNT_OVER_TIME -> count;
            case RATE -> (r.log().unwrap() == null ? count : sum) / seconds;
            case SUM_OVER_TIME -> sum;
            case AVG_OVER_TIME -> sum / values.size();
            case MIN_OVER_TIME ->
                values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            case MAX_OVER_TIME ->
                values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            case QUANTILE_OVER_TIME -> {
                // Prometheus' quantile: linear interpolation between the closest ranks
                double[] sorted = values.stream()
                        .mapToDouble(Double::doubleValue)
                        .sorted()
                        .toArray();
                double rank = r.phi() * (sorted.length - 1);
                double lo = Math.max(0, Math.floor(rank));
                double hi = Math.min(sorted.length - 1, lo + 1);
                double weight = rank - Math.floor(rank);
                yield sorted[(int) lo] * (1 - weight) + sorted[(int) hi] * weight;
            }
        };
    }
}
