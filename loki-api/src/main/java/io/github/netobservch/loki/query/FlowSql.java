package io.github.netobservch.loki.query;

import io.github.netobservch.loki.logql.IpRange;
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
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Translates parsed LogQL into ClickHouse SQL over the project's {@code flows} table.
 *
 * <p>What is typed and what is not: the time range is a predicate on {@code time_flow_end_ms}
 * (partition and sort-key pruning) and stream-label matchers read the label's column (the
 * namespaces are in the sort key). Everything the plugin writes against the <em>line</em> — line
 * regexes, {@code | json} fields, unwrapped values — is evaluated exactly as Loki would on the
 * served line, which is rebuilt in SQL from the stored record ({@code record}) minus its label keys:
 * RE2 {@code match()} (the engine Loki uses) over that line, JSON extraction for fields. Values
 * never enter the SQL text: every string is a typed query parameter.
 *
 * <p>Semantics (docs/loki-api.md "Semantics"): entries with {@code start <= ts < end}, newest first
 * (ties by Kafka topic, partition, offset); metric steps {@code start + i*step <= end}, each over
 * the left-open, right-closed window {@code (t - W, t]}; topk/bottomk per step, ties by labels.
 */
public final class FlowSql {

    /**
     * Where a row's JSON comes from. Rows the job wrote under {@code raw.policy} whole hold it in {@code
     * raw}; the others ({@code raw_key_bits} set, schema V008, or {@code raw_keys} before) give it through the {@code record} column of
     * the {@code flows_record} view, rebuilt from the columns and the residue in {@code raw}
     * (docs/raw-policy.md). A query that reads the JSON runs once per kind, each cut to its rows by
     * {@code raw_key_bits} and {@code raw_keys}: ClickHouse then reads {@code raw} alone for whole rows and the columns only for
     * the others, instead of every column for every row (measured: docs/performance.md).
     */
    enum Source {
        /** Whole rows: the line is {@code raw}. */
        RAW("raw", "raw_keys = '' AND raw_key_bits = 0"),
        /** Rebuilt rows: the line is {@code flows_record.record}, named {@code rec} in {@link #from}'s subquery. */
        RECORD("rec", "(raw_keys != '' OR raw_key_bits != 0)");

        final String line;
        final String rows;

        Source(String line, String rows) {
            this.line = line;
            this.rows = rows;
        }
    }

    /** One query's source, and whether the SQL built with it read the JSON. */
    private static final class Ctx {
        final Source source;
        /** The query needs whole lines: with {@link Source#RECORD}, read {@code record} once, as {@code rec}. */
        final boolean lines;

        boolean readsJson;

        Ctx(Source source, boolean lines) {
            this.source = source;
            this.lines = lines;
        }

        /** The column holding the whole JSON line. */
        String line() {
            readsJson = true;
            return source.line;
        }
    }

    /** Column order of {@link #logQuery}: ts (ms), one value per label field, then the line. */
    public static final String TS = "ts";

    private final StreamLabels labels;
    private final String table;
    private final String tenantFilter;

    /**
     * @param table qualified table, e.g. {@code netobserv.flows} (validated identifiers)
     * @param tenantFilter extra SQL condition for the tenant, or null (built from trusted config)
     */
    public FlowSql(StreamLabels labels, String table, String tenantFilter) {
        this.labels = labels;
        this.table = table;
        this.tenantFilter = tenantFilter;
    }

    public StreamLabels labels() {
        return labels;
    }

    /** The log query: the {@code limit} newest (or oldest) entries in {@code [startMs, endMs)}. */
    public SqlQuery logQuery(LogExpr e, long startMs, long endMs, int limit, boolean backward) {
        Params p = new Params();
        String dir = backward ? "DESC" : "ASC";
        StringJoiner out = new StringJoiner(", ", "SELECT ts, ", ", line");
        for (int i = 0; i < labels.fields().size(); i++) {
            out.add("l" + i);
        }
        String order = " ORDER BY ts " + dir + ", kt, kp, ko LIMIT " + limit;
        String sql = bothSources(
                ctx -> {
                    StringBuilder b = new StringBuilder("SELECT toUnixTimestamp64Milli(time_flow_end_ms) AS ts");
                    for (int i = 0; i < labels.fields().size(); i++) {
                        b.append(", ")
                                .append(labelExpr(labels.fields().get(i), ctx))
                                .append(" AS l")
                                .append(i);
                    }
                    b.append(", ")
                            .append(lineExpr(ctx))
                            .append(" AS line, kafka_topic AS kt, kafka_partition AS kp, kafka_offset AS ko")
                            .append(from(ctx, "", null));
                    b.append(" WHERE time_flow_end_ms >= fromUnixTimestamp64Milli(")
                            .append(p.add(Long.toString(startMs), "Int64"))
                            .append(", 'UTC') AND time_flow_end_ms < fromUnixTimestamp64Milli(")
                            .append(p.add(Long.toString(endMs), "Int64"))
                            .append(", 'UTC')");
                    appendFilters(b, e, p, ctx);
                    return b.append(order).toString();
                },
                (raw, record) -> out + " FROM (" + raw + " UNION ALL " + record + ")" + order,
                true);
        return new SqlQuery(sql, p.values);
    }

    /** How a query is made from its per-source SQL. */
    private interface PerSource {
        String build(Ctx ctx);
    }

    /**
     * The query for both kinds of rows: built for {@link Source#RAW}; if that read no JSON it is the
     * query (label columns only, no PREWHERE added), else {@code combine} joins it with the {@link
     * Source#RECORD} build.
     */
    private static String bothSources(
            PerSource build, java.util.function.BinaryOperator<String> combine, boolean lines) {
        Ctx raw = new Ctx(Source.RAW, lines);
        String rawSql = build.build(raw);
        if (!raw.readsJson) {
            return build.build(new Ctx(null, lines)); // no PREWHERE on the kind of row
        }
        return combine.apply(rawSql, build.build(new Ctx(Source.RECORD, lines)));
    }

    /**
     * {@code FROM} the table of a per-source query, {@code arrayJoin} after it, rows cut by {@code
     * prewhere} (or null) and the source's rows. When a {@link Source#RECORD} query needs whole lines,
     * the table is a subquery of the {@code flows_record} view that names {@code record} once ({@code
     * rec}): ClickHouse plans its expression once per reference, and a query may reference the line
     * several times.
     */
    private String from(Ctx ctx, String arrayJoin, String prewhere) {
        if (ctx.source == Source.RECORD && ctx.lines) {
            // the flows_record view (V008) beside the table; ClickHouse moves these conditions into
            // the table's PREWHERE itself
            return " FROM (SELECT *, record AS rec FROM " + table + "_record WHERE " + ctx.source.rows
                    + (prewhere == null ? "" : " AND " + prewhere) + ")" + arrayJoin;
        }
        if (ctx.source == Source.RECORD) {
            return " FROM " + table + arrayJoin + " PREWHERE " + ctx.source.rows
                    + (prewhere == null ? "" : " AND " + prewhere);
        }
        // whole rows: their condition goes to WHERE (appendFilters), where ClickHouse moves the most
        // selective conditions to PREWHERE itself; an explicit PREWHERE on it read every column of
        // the range first (measured 2x slower on the flow table)
        return " FROM " + table + arrayJoin + (prewhere == null ? "" : " PREWHERE " + prewhere);
    }

    /**
     * The metric query: rows {@code (step index, group label values..., value)} for every step with
     * samples, already ranked per step when the plan has topk/bottomk. {@code steps} = number of
     * evaluation times.
     */
    public SqlQuery metricQuery(MetricPlan plan, long startMs, long stepMs, long steps) {
        RangeAggregation r = plan.range();
        LogExpr e = r.log();
        long w = r.windowMs();
        long lastMs = startMs + (steps - 1) * stepMs;
        Params p = new Params();
        String start = p.add(Long.toString(startMs), "Int64");
        String step = p.add(Long.toString(stepMs), "Int64");
        String window = p.add(Long.toString(w), "Int64");
        String ts = "toUnixTimestamp64Milli(time_flow_end_ms)";
        String lo = "greatest(0, " + ceilDiv(ts + " - " + start, step) + ")";
        String hi = "least(" + (steps - 1) + ", " + ceilDiv(ts + " + " + window + " - " + start, step) + " - 1)";
        boolean json = e.hasJson();
        int groupCount = plan.groupBy().size();
        String agg =
                switch (r.function()) {
                    case COUNT_OVER_TIME -> "toFloat64(count())";
                    case RATE -> (e.unwrap() == null ? "count()" : "sum(v)") + " / " + seconds(w);
                    case SUM_OVER_TIME -> "sum(v)";
                    case AVG_OVER_TIME -> "sum(v) / count()";
                    case MIN_OVER_TIME -> "min(v)";
                    case MAX_OVER_TIME -> "max(v)";
                    case QUANTILE_OVER_TIME -> quantile(literal(r.phi()));
                };

        String timeRange = "time_flow_end_ms > fromUnixTimestamp64Milli(" + p.add(Long.toString(startMs - w), "Int64")
                + ", 'UTC') AND time_flow_end_ms <= fromUnixTimestamp64Milli(" + p.add(Long.toString(lastMs), "Int64")
                + ", 'UTC')";
        String arrayJoin =
                " ARRAY JOIN range(toUInt64(" + lo + "), toUInt64(greatest(" + hi + " + 1, " + lo + "))) AS step";
        NumericColumn fast =
                e.unwrap() == null || !json || labels.isLabel(e.unwrap()) ? null : NUMERIC_COLUMNS.get(e.unwrap());
        // Rows in no window (a step longer than the window leaves gaps) are dropped in PREWHERE,
        // before any other column is read.
        String inWindows = timeRange + " AND " + hi + " >= " + lo;
        String inner = bothSources(
                ctx -> {
                    List<String> groups = new ArrayList<>();
                    for (String g : plan.groupBy()) {
                        groups.add(g.equals(e.unwrap()) ? "''" : valueExpr(g, json, ctx));
                    }
                    String value =
                            e.unwrap() == null ? null : "toFloat64OrNull(" + valueExpr(e.unwrap(), json, ctx) + ")";
                    if (fast == null) {
                        return branch(groups, value, arrayJoin, inWindows, null, e, p, ctx)
                                + (value != null ? " AND " + value + " IS NOT NULL" : "");
                    }
                    // Where the column can only hold the record's own value (non-zero, or not NULL), read
                    // it; only the other rows (absent, or present and zero) need the record's JSON. Both
                    // branches filter alike; PREWHERE lets ClickHouse read the JSON for the second
                    // branch's rows only.
                    return branch(
                                    groups,
                                    "toFloat64(" + fast.value() + ")",
                                    arrayJoin,
                                    inWindows,
                                    fast.exact(),
                                    e,
                                    p,
                                    ctx)
                            + " UNION ALL "
                            + branch(groups, value, arrayJoin, inWindows, "NOT (" + fast.exact() + ")", e, p, ctx)
                            + " AND " + value + " IS NOT NULL";
                },
                (raw, record) -> raw + " UNION ALL " + record,
                e.stages().stream().anyMatch(st -> st instanceof LineFilter));
        StringJoiner gcols = new StringJoiner(", ");
        for (int i = 0; i < groupCount; i++) {
            gcols.add("g" + i);
        }
        String gl = groupCount == 0 ? "" : ", " + gcols;
        String valueExpr = applyOps(agg, plan.beforeRank());
        StringBuilder sql = new StringBuilder();
        sql.append("SELECT step").append(gl).append(", value FROM (SELECT step").append(gl);
        sql.append(", ")
                .append(valueExpr)
                .append(" AS value FROM (")
                .append(inner)
                .append(") GROUP BY step");
        sql.append(gl).append(")");
        if (plan.rank() != null) {
            String order = plan.rank() == VectorOp.TOPK ? "DESC" : "ASC";
            String wrapped = "SELECT step" + gl + ", value, row_number() OVER (PARTITION BY step ORDER BY value "
                    + order + (groupCount == 0 ? "" : ", " + gcols) + ") AS rn FROM (" + sql + ")";
            sql = new StringBuilder("SELECT step")
                    .append(gl)
                    .append(", ")
                    .append(applyOps("value", plan.afterRank()))
                    .append(" AS value FROM (")
                    .append(wrapped)
                    .append(") WHERE rn <= ")
                    .append(plan.k());
        }
        sql.append(" ORDER BY step").append(gl);
        return new SqlQuery(sql.toString(), p.values);
    }

    /** One SELECT of the metric query's rows: step, group values, sample value, filters. */
    private String branch(
            List<String> groups,
            String value,
            String arrayJoin,
            String timeRange,
            String prewhere,
            LogExpr e,
            Params p,
            Ctx ctx) {
        StringBuilder b = new StringBuilder("SELECT step");
        for (int i = 0; i < groups.size(); i++) {
            b.append(", ").append(groups.get(i)).append(" AS g").append(i);
        }
        if (value != null) {
            b.append(", assumeNotNull(").append(value).append(") AS v");
        }
        b.append(from(ctx, arrayJoin, timeRange + (prewhere == null ? "" : " AND " + prewhere)))
                .append(" WHERE 1");
        appendFilters(b, e, p, ctx);
        return b.toString();
    }

    /** A numeric field's column, and when the column certainly holds the record's own value. */
    private record NumericColumn(String value, String exact) {}

    /**
     * Checked against the job's encoder on the real corpus (docs/loki-api.md): a non-zero counter
     * column always equals the record's field, a NULL DnsLatencyMs/TimeFlowRttNs column means the
     * field is absent. A zero counter may be a present zero or an absent field: read the JSON.
     */
    private static final Map<String, NumericColumn> NUMERIC_COLUMNS = Map.of(
            "Bytes", new NumericColumn("bytes", "bytes != 0"),
            "Packets", new NumericColumn("packets", "packets != 0"),
            "PktDropBytes", new NumericColumn("pkt_drop_bytes", "pkt_drop_bytes != 0"),
            "PktDropPackets", new NumericColumn("pkt_drop_packets", "pkt_drop_packets != 0"),
            "DnsLatencyMs", new NumericColumn("assumeNotNull(dns_latency_ms)", "isNotNull(dns_latency_ms)"),
            "TimeFlowRttNs", new NumericColumn("assumeNotNull(time_flow_rtt_ns)", "isNotNull(time_flow_rtt_ns)"));

    /** Distinct non-empty values of a stream label in {@code [startMs, endMs)}, sorted. */
    public SqlQuery labelValues(String name, long startMs, long endMs, int limit) {
        Params p = new Params();
        String tail = " AND v != '' ORDER BY v LIMIT " + limit;
        String sql = bothSources(
                ctx -> {
                    StringBuilder b = new StringBuilder("SELECT DISTINCT ")
                            .append(valueExpr(name, false, ctx))
                            .append(" AS v")
                            .append(from(ctx, "", null))
                            .append(" WHERE time_flow_end_ms >= fromUnixTimestamp64Milli(")
                            .append(p.add(Long.toString(startMs), "Int64"))
                            .append(", 'UTC') AND time_flow_end_ms < fromUnixTimestamp64Milli(")
                            .append(p.add(Long.toString(endMs), "Int64"))
                            .append(", 'UTC')");
                    if (tenantFilter != null) {
                        b.append(" AND (").append(tenantFilter).append(')');
                    }
                    if (ctx.source == Source.RAW) {
                        b.append(" AND ").append(ctx.source.rows);
                    }
                    return b.append(tail).toString();
                },
                (raw, record) -> "SELECT DISTINCT v FROM (" + raw + " UNION ALL " + record + ") WHERE 1" + tail,
                false);
        return new SqlQuery(sql, p.values);
    }

    // ---- pieces ------------------------------------------------------------------------------

    private void appendFilters(StringBuilder sql, LogExpr e, Params p, Ctx ctx) {
        if (ctx.source == Source.RAW) {
            sql.append(" AND ").append(ctx.source.rows);
        }
        if (tenantFilter != null) {
            sql.append(" AND (").append(tenantFilter).append(')');
        }
        for (Matcher m : e.selector()) {
            sql.append(" AND ").append(match(valueExpr(m.name(), false, ctx), m, p));
        }
        boolean json = false;
        for (Stage s : e.stages()) {
            if (s instanceof LineFilter lf) {
                String pat = p.add(lf.pattern(), "String");
                String test = lf.regex()
                        ? "match(" + lineExpr(ctx) + ", " + pat + ")"
                        : "position(" + lineExpr(ctx) + ", " + pat + ") > 0";
                sql.append(" AND ").append(lf.negated() ? "NOT " : "").append(test);
            } else if (s instanceof JsonStage) {
                json = true;
            } else if (s instanceof LabelFilterStage lfs) {
                StringJoiner any = new StringJoiner(" OR ", "(", ")");
                for (LabelPredicate pred : lfs.anyOf()) {
                    any.add(predicate(pred, json, p, ctx));
                }
                sql.append(" AND ").append(any);
            } else if (s instanceof UnwrapStage || s instanceof ErrorFilter) {
                // handled by the metric query (value IS NOT NULL)
            }
        }
    }

    private String predicate(LabelPredicate pred, boolean json, Params p, Ctx ctx) {
        if (pred instanceof LabelMatch lm) {
            return match(valueExpr(lm.matcher().name(), json, ctx), lm.matcher(), p);
        }
        IpMatch ip = (IpMatch) pred;
        IpRange range = IpRange.parse(ip.spec(), 0);
        String v = valueExpr(ip.name(), json, ctx);
        String family = range.ipv4() ? "isIPv4String(" + v + ")" : "isIPv6String(" + v + ")";
        String inRange =
                switch (range.kind()) {
                    case CIDR ->
                        "isIPAddressInRange(if(" + family + ", " + v + ", '" + (range.ipv4() ? "0.0.0.0" : "::")
                                + "'), " + p.add(range.spec(), "String") + ")";
                    case SINGLE, RANGE ->
                        "toIPv6OrDefault(" + v + ") BETWEEN toIPv6(" + p.add(range.lowText(), "String")
                                + ") AND toIPv6(" + p.add(range.highText(), "String") + ")";
                };
        String test = "(" + family + " AND " + inRange + ")";
        return ip.negated() ? "NOT " + test : test;
    }

    private static String match(String expr, Matcher m, Params p) {
        return switch (m.op()) {
            case EQ -> expr + " = " + p.add(m.value(), "String");
            case NEQ -> expr + " != " + p.add(m.value(), "String");
            case RE -> "match(" + expr + ", " + p.add("^(?:" + m.value() + ")$", "String") + ")";
            case NRE -> "NOT match(" + expr + ", " + p.add("^(?:" + m.value() + ")$", "String") + ")";
        };
    }

    /**
     * The string value of label {@code name} at a point of the pipeline: a stream label; after
     * {@code | json} also a top-level scalar of the line; '' when absent.
     */
    private String valueExpr(String name, boolean afterJson, Ctx ctx) {
        if (name.equals(labels.staticName())) {
            return "'" + labels.staticValue().replace("\\", "\\\\").replace("'", "\\'") + "'";
        }
        if (labels.fields().contains(name)) {
            return labelExpr(name, ctx);
        }
        return afterJson ? jsonExpr(name, ctx) : "''";
    }

    private static String labelExpr(String field, Ctx ctx) {
        String col = StreamLabels.VERBATIM_STRING_COLUMNS.get(field);
        if (col != null) {
            return "toString(" + col + ")";
        }
        if (field.equals("FlowDirection")) {
            return "if(isNull(flow_direction), '', toString(flow_direction))";
        }
        return jsonExpr(field, ctx);
    }

    /** A top-level scalar of the record: strings unquoted, numbers and booleans as written. */
    private static String jsonExpr(String field, Ctx ctx) {
        ctx.readsJson = true;
        if (ctx.source != Source.RECORD) {
            return jsonScalar("raw", field);
        }
        // A rebuilt row: the field from its column when the row says the column holds it (raw_key_bits,
        // or raw_keys before V008), else from the residue in raw ('' when absent there too); one column
        // per field instead of the rebuilt record (whose expression ClickHouse would plan once per reference).
        String residue = jsonScalar("raw", field);
        String column = RecordFields.scalar(field);
        if (column == null) {
            return residue; // no column holds it: only the residue can
        }
        return "if(" + RecordFields.listed(field) + ", " + column + ", " + residue + ")";
    }

    /** A top-level scalar of the JSON in {@code column}: strings unquoted, numbers and booleans as written. */
    private static String jsonScalar(String column, String field) {
        String k = "'" + field + "'"; // field names are validated identifiers
        return "multiIf(JSONType(" + column + ", " + k + ") = 'String', JSONExtractString(" + column + ", " + k
                + "), JSONType(" + column + ", " + k + ") IN ('Int64', 'UInt64', 'Double', 'Bool'), JSONExtractRaw("
                + column + ", " + k + "), '')";
    }

    /** The served line: the record's JSON minus the label keys, compact, in the record's key order. */
    private String lineExpr(Ctx ctx) {
        StringJoiner names = new StringJoiner(", ", "[", "]");
        for (String f : labels.fields()) {
            names.add("'" + f + "'");
        }
        return "concat('{', arrayStringConcat(arrayMap(kv -> concat(toJSONString(kv.1), ':', kv.2), "
                + "arrayFilter(kv -> NOT has(" + names + ", kv.1), JSONExtractKeysAndValuesRaw(" + ctx.line()
                + "))), ','), '}')";
    }

    /**
     * Prometheus' quantile (linear interpolation between closest ranks) written out, so the float
     * operations are the same as Loki's: rank = phi*(n-1), weight = rank - floor(rank).
     */
    private static String quantile(String phi) {
        String rank = "(" + phi + " * (count() - 1))";
        String sorted = "arraySort(groupArray(v))";
        String lo = "greatest(0, floor(" + rank + "))";
        String weight = "(" + rank + " - floor(" + rank + "))";
        return "arrayElement(" + sorted + ", toUInt64(" + lo + ") + 1) * (1 - " + weight + ") + arrayElement(" + sorted
                + ", toUInt64(least(toFloat64(count() - 1), " + lo + " + 1)) + 1) * " + weight;
    }

    private static String ceilDiv(String a, String b) {
        return "(intDiv(" + a + ", " + b + ") + if(modulo(" + a + ", " + b + ") > 0, 1, 0))";
    }

    private static String seconds(long ms) {
        return literal(ms / 1000.0);
    }

    private static String literal(double d) {
        return "toFloat64('" + BigDecimal.valueOf(d).toPlainString() + "')";
    }

    private static String applyOps(String expr, List<MetricPlan.Op> ops) {
        for (MetricPlan.Op op : ops) {
            expr = "(" + expr + ") " + op.op().symbol() + " " + literal(op.constant());
        }
        return expr;
    }

    /** Query parameters p0, p1, ... */
    private static final class Params {
        final Map<String, String> values = new LinkedHashMap<>();

        String add(String value, String type) {
            String name = "p" + values.size();
            values.put(name, value);
            return "{" + name + ":" + type + "}";
        }
    }
}
