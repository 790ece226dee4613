package io.github.netobservch.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.netobservch.dashboards.Dashboards.Dashboard;
import io.github.netobservch.dashboards.Dashboards.Target;
import io.github.netobservch.enrich.FlowEnricher;
import io.github.netobservch.generate.FlowGenerator;
import io.github.netobservch.generate.GeneratedMessage;
import io.github.netobservch.generate.GeneratorConfig;
import io.github.netobservch.parse.FlowParser;
import io.github.netobservch.parse.KafkaMessage;
import io.github.netobservch.parse.ParserConfig;
import io.github.netobservch.pipeline.PipelineTestSupport;
import io.github.netobservch.rows.FlowRowEncoder;
import io.github.netobservch.sink.RowBinaryWriter;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every ClickHouse query of every shipped dashboard (panels and variables), expanded by {@link
 * GrafanaSql} as the plugin would, runs against the real engine holding three days of generated
 * NetObserv records of two clusters, loaded through the job's parser, enricher and encoder (so the
 * rollup views fill every tier as the job's INSERTs do), plus hand-written conversation records and
 * dead letters. For ranges that read each tier (1 h at 5 s and 24 h at 1 min: 1m; 3 days at 5 min:
 * 5m; at 1 h: 1h) and for "All" and one concrete selection of every variable, each answer must
 * have the shape its panel needs (the plugin's formats: a time series needs its time column first
 * and ascending, numbers and string labels; a table the columns its overrides name; a stat one
 * numeric row; a node graph {@code id}/{@code title} nodes and {@code id}/{@code source}/{@code
 * target} edges between them, as Grafana's node-graph panel requires), and the tier a panel reads
 * must not change its answer on whole hours.
 */
@org.junit.jupiter.api.Timeout(600)
@ExtendWith(EmbeddedClickHouseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardQueriesITCase {

    private static final Instant START = Instant.parse("2026-03-09T00:00:00Z");
    private static final Instant END = Instant.parse("2026-03-12T00:00:00Z");
    private static final int PER_CLUSTER = 15_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern NUMBER = Pattern.compile("(Nullable\\()?(U?Int\\d+|Float\\d+|Decimal.*)\\)?");
    private static final Pattern LABEL = Pattern.compile("(Nullable\\()?(LowCardinality\\()?String\\)?\\)?");
    private static final Pattern TIME = Pattern.compile("DateTime(64)?(\\(.*\\))?");

    /** A time range and interval, and the tier the dashboards' auto resolution reads for it. */
    record Scenario(String name, Instant from, Instant to, Duration interval) {
        GrafanaSql.Range range() {
            return new GrafanaSql.Range(from, to, interval);
        }
    }

    static final List<Scenario> SCENARIOS = List.of(
            new Scenario("last hour at 5 s (1m tier)", END.minusSeconds(3600), END, Duration.ofSeconds(5)),
            new Scenario("24 h at 1 min (1m tier)", END.minusSeconds(86_400), END, Duration.ofMinutes(1)),
            new Scenario("3 days at 5 min (5m tier)", START, END, Duration.ofMinutes(5)),
            new Scenario("3 days at 1 h (1h tier)", START, END, Duration.ofHours(1)));

    private ClickHouseTestServer server;
    private String db;
    private List<Dashboard> dashboards;

    /** A query's answer in JSONCompact: column names, ClickHouse types, rows. */
    record Answer(List<String> names, List<String> types, List<List<JsonNode>> rows) {
        int column(String name) {
            return names.indexOf(name);
        }
    }

    @BeforeAll
    void load(ClickHouseTestServer server) throws Exception {
        this.server = server;
        this.db = server.createDatabase("dashboards");
        PipelineTestSupport.applySchema(server, db);
        FlowParser parser = new FlowParser(ParserConfig.defaults());
        FlowRowEncoder encoder = new FlowRowEncoder();
        long offset = 0;
        for (String cluster : List.of("prod-eu", "prod-us")) {
            FlowGenerator generator = new FlowGenerator(GeneratorConfig.builder(cluster.hashCode())
                    .clusterName(cluster)
                    .startEpochMs(START.toEpochMilli())
                    .recordsPerSecond(
                            PER_CLUSTER / (double) Duration.between(START, END).toSeconds())
                    .build());
            RowBinaryWriter rows = new RowBinaryWriter();
            for (int i = 0; i < PER_CLUSTER; i++) {
                GeneratedMessage m = generator.next();
                if (m.valid()) {
                    encoder.encode(
                            FlowEnricher.enrich(
                                    parser.parse(new KafkaMessage("flows-export", 0, offset++, 0, m.value()))),
                            rows);
                }
            }
            insert("INSERT INTO flows FORMAT RowBinary", rows.toByteArray());
        }
        // FLP conversation records (docs/netobserv-format.md 2.6), written here in its shape
        RowBinaryWriter conversations = new RowBinaryWriter();
        long t = END.minusSeconds(1800).toEpochMilli();
        String[][] shapes = {
            {"newConnection", "1", "1040", "0"},
            {"heartbeat", "3", "2080", "28131"},
            {"endConnection", "4", "3120", "48114"}
        };
        for (int i = 0; i < shapes.length; i++) {
            String json = "{\"_RecordType\":\"" + shapes[i][0] + "\",\"_HashId\":\"c0ffee0123456789\",\"_IsFirst\":"
                    + (i == 0)
                    + ",\"numFlowLogs\":" + shapes[i][1] + ",\"Bytes_AB\":" + shapes[i][2] + ",\"Bytes_BA\":"
                    + shapes[i][3]
                    + ",\"Bytes\":" + (Long.parseLong(shapes[i][2]) + Long.parseLong(shapes[i][3]))
                    + ",\"Packets\":" + (10 * (i + 1))
                    + ",\"Proto\":6,\"SrcAddr\":\"10.128.2.14\",\"DstAddr\":\"10.129.0.7\""
                    + ",\"SrcPort\":43718,\"DstPort\":8080,\"SrcK8S_Namespace\":\"shop\",\"SrcK8S_Name\":\"frontend-5d8f7-x2x9q\""
                    + ",\"SrcK8S_OwnerName\":\"frontend\",\"DstK8S_Namespace\":\"shop\",\"DstK8S_Name\":\"checkout-6c9b4-kq7pl\""
                    + ",\"DstK8S_OwnerName\":\"checkout\",\"K8S_ClusterName\":\"prod-eu\",\"AgentIP\":\"10.0.131.7\""
                    + ",\"TimeFlowStartMs\":" + t + ",\"TimeFlowEndMs\":" + (t + 30_000L * (i + 1)) + "}";
            encoder.encode(
                    FlowEnricher.enrich(parser.parse(
                            new KafkaMessage("flows-export", 1, i, 0, json.getBytes(StandardCharsets.UTF_8)))),
                    conversations);
        }
        insert("INSERT INTO flows FORMAT RowBinary", conversations.toByteArray());
        // dead letters every 20 minutes over the three days, two reasons
        execute("INSERT INTO flows_dlq (reason, message, payload, payload_encoding, payload_size, kafka_topic,"
                + " kafka_partition, kafka_offset, processing_time) SELECT if(number % 3 = 0, 'MALFORMED_JSON',"
                + " 'MISSING_FIELD'), 'test', '{', 'utf8', 1, 'flows-export', 0, number,"
                + " fromUnixTimestamp64Milli(" + START.toEpochMilli() + " + number * 1200000) FROM numbers(216)");
        assertThat(query("SELECT count() FROM flows").rows()).isNotEmpty();
        assertThat(scalar("SELECT sum(flows) FROM rollup_namespace_1h"))
                .as("the rollup views filled the tiers")
                .isEqualTo(scalar("SELECT count() FROM flows WHERE record_type = 'flowLog' AND NOT duplicate"))
                .isGreaterThan(20_000);
        dashboards = Dashboards.load();
    }

    @Test
    void everyQueryAnswersInThePanelsShapeForEveryTierAndSelection() throws Exception {
        int answers = 0;
        int nonEmpty = 0;
        List<String> problems = new ArrayList<>();
        for (Dashboard d : dashboards) {
            for (Scenario s : SCENARIOS) {
                for (boolean all : List.of(true, false)) {
                    Map<String, List<String>> vars = selection(d, s, all);
                    for (Dashboards.Panel p : d.panels()) {
                        Map<String, Answer> byRef = new LinkedHashMap<>();
                        for (Target t : p.targets()) {
                            if (!t.clickHouse()) {
                                continue;
                            }
                            Answer a = query(GrafanaSql.expand(t.sql(), vars, s.range()));
                            byRef.put(t.refId(), a);
                            answers++;
                            nonEmpty += a.rows().isEmpty() ? 0 : 1;
                            String where = t + " — " + s.name() + (all ? ", All" : ", " + vars);
                            if (all) {
                                require(problems, !a.rows().isEmpty(), where + ": rows");
                            }
                            problems.addAll(shape(t, a, where));
                        }
                        if (p.type().equals("nodeGraph")) {
                            problems.addAll(nodeGraph(byRef.get("nodes"), byRef.get("edges"), p + " — " + s.name()));
                        }
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
        long clickHouseTargets = Dashboards.targets(dashboards).stream()
                .filter(Target::clickHouse)
                .count();
        assertThat(clickHouseTargets).isGreaterThanOrEqualTo(30);
        assertThat(answers).isEqualTo(clickHouseTargets * SCENARIOS.size() * 2);
        assertThat(nonEmpty).as("answers with rows").isGreaterThan(answers * 3 / 4);
    }

    @Test
    void theTiersAPanelReadsDoNotChangeItsAnswer() throws Exception {
        // time series: the tier that divides the bucket; on whole hours every tier gives the 1m tier's answer
        Scenario wholeHours = SCENARIOS.get(3);
        int series = 0;
        int ranged = 0;
        for (Dashboard d : dashboards) {
            Map<String, List<String>> vars = selection(d, wholeHours, true);
            if (!vars.containsKey("resolution")) {
                continue;
            }
            for (Target t : Dashboards.targets(List.of(d))) {
                if (!t.clickHouse() || !t.sql().contains("_1h")) {
                    continue;
                }
                if (t.format() == 0) {
                    for (String resolution : List.of("auto", "5m", "1h")) {
                        assertThat(sameRows(answer(t, vars, resolution, wholeHours), answer(t, vars, "1m", wholeHours)))
                                .as(t + " at resolution " + resolution + " = the 1m tier's answer")
                                .isTrue();
                    }
                    series++;
                    continue;
                }
                // panels over the whole range: whole hours, 5-minute buckets and edge minutes, exact for any range
                for (Scenario any : ODD_RANGES) {
                    for (String resolution : List.of("auto", "5m")) {
                        assertThat(sameRows(answer(t, vars, resolution, any), answer(t, vars, "1m", any)))
                                .as(t + " over " + any.name() + " at resolution " + resolution
                                        + " = the 1m tier's answer")
                                .isTrue();
                    }
                }
                ranged++;
            }
        }
        assertThat(series).isGreaterThanOrEqualTo(8);
        assertThat(ranged).isGreaterThanOrEqualTo(15);

        // and the totals equal the raw table's, for whole hours and for odd ranges
        Dashboard overview = dashboard("netobserv-ch-overview");
        Map<String, List<String>> vars = selection(overview, wholeHours, true);
        for (Scenario s : List.of(wholeHours, ODD_RANGES.get(0), ODD_RANGES.get(2))) {
            String minutes = " WHERE record_type = 'flowLog' AND NOT duplicate"
                    + " AND toStartOfMinute(time_flow_end_ms) >= toDateTime("
                    + s.from().getEpochSecond() + ")"
                    + " AND toStartOfMinute(time_flow_end_ms) <= toDateTime(" + s.to().getEpochSecond() + ")";
            assertThat(stat(overview, "Flows", vars, s))
                    .as("flows over " + s.name())
                    .isEqualTo(scalar("SELECT count() FROM flows" + minutes))
                    .isPositive();
            assertThat(stat(overview, "Bytes", vars, s))
                    .as("bytes over " + s.name())
                    .isEqualTo(scalar("SELECT sum(bytes) FROM flows" + minutes));
        }

        // negative controls: from half past, a time series' hourly buckets drop the partial first hour;
        // a range split that reads a boundary bucket from two tiers counts it twice
        Scenario halfPast = new Scenario("from 00:30", START.plusSeconds(1800), END, Duration.ofHours(1));
        Target bytesSeries = Dashboards.targets(List.of(overview)).stream()
                .filter(t -> t.panel().title().startsWith("Bytes per second by source namespace"))
                .findFirst()
                .orElseThrow();
        assertThat(sameRows(answer(bytesSeries, vars, "auto", halfPast), answer(bytesSeries, vars, "1m", halfPast)))
                .isFalse();
        Target flowsStat = Dashboards.targets(List.of(overview)).stream()
                .filter(t -> t.panel().title().equals("Flows"))
                .findFirst()
                .orElseThrow();
        String overlapping = flowsStat.sql().replace("minute < least(h0, f1)", "minute <= least(h0, f1)");
        assertThat(overlapping).isNotEqualTo(flowsStat.sql());
        Map<String, List<String>> auto = new HashMap<>(vars);
        auto.put("resolution", List.of("auto"));
        assertThat(query(GrafanaSql.expand(overlapping, auto, halfPast.range()))
                        .rows()
                        .get(0)
                        .get(0)
                        .asLong())
                .isGreaterThan(stat(overview, "Flows", vars, halfPast));
    }

    /** Ranges whose edges are not on hour or 5-minute boundaries, some shorter than a bucket. */
    private static final List<Scenario> ODD_RANGES = List.of(
            new Scenario(
                    "00:30 to the end minus 17 min",
                    START.plusSeconds(1800),
                    END.minusSeconds(17 * 60),
                    Duration.ofMinutes(5)),
            new Scenario("4 minutes", START.plusSeconds(7 * 60), START.plusSeconds(11 * 60), Duration.ofSeconds(1)),
            new Scenario(
                    "59 minutes from 03:02:23",
                    START.plusSeconds(3 * 3600 + 143),
                    START.plusSeconds(4 * 3600 + 83),
                    Duration.ofSeconds(5)),
            new Scenario(
                    "26 h from 05:55",
                    START.plusSeconds(5 * 3600 + 55 * 60),
                    START.plusSeconds(31 * 3600 + 55 * 60),
                    Duration.ofMinutes(2)));

    private List<List<JsonNode>> answer(Target t, Map<String, List<String>> vars, String resolution, Scenario s)
            throws Exception {
        Map<String, List<String>> v = new HashMap<>(vars);
        v.put("resolution", List.of(resolution));
        return query(GrafanaSql.expand(t.sql(), v, s.range())).rows();
    }

    @Test
    void aRenamedColumnOrABrokenQueryFails() throws Exception {
        Scenario s = SCENARIOS.get(1);
        Dashboard overview = dashboard("netobserv-ch-overview");
        Map<String, List<String>> vars = selection(overview, s, true);
        Target talkers = Dashboards.targets(List.of(overview)).stream()
                .filter(t -> t.panel().title().equals("Top talkers: namespace pairs"))
                .findFirst()
                .orElseThrow();
        Answer good = query(GrafanaSql.expand(talkers.sql(), vars, s.range()));
        assertThat(shape(talkers, good, "as shipped")).isEmpty();
        Answer renamed = query(GrafanaSql.expand(
                talkers.sql()
                        .replace("AS bytes,", "AS bytes_sent,")
                        .replace("ORDER BY bytes DESC", "ORDER BY bytes_sent DESC"),
                vars,
                s.range()));
        assertThat(shape(talkers, renamed, "renamed"))
                .anySatisfy(p -> assertThat(p).contains("bytes"));

        Target series = Dashboards.targets(List.of(overview)).stream()
                .filter(t -> t.panel().type().equals("timeseries"))
                .findFirst()
                .orElseThrow();
        Answer descending = query(
                GrafanaSql.expand(series.sql().replace("ORDER BY time,", "ORDER BY time DESC,"), vars, s.range()));
        assertThat(shape(series, descending, "descending"))
                .anySatisfy(p -> assertThat(p).contains("ascending"));
        Answer timeLast = query(GrafanaSql.expand(
                series.sql()
                        .replace("AS time, ", "AS t, ")
                        .replace("GROUP BY time", "GROUP BY t")
                        .replace("ORDER BY time", "ORDER BY t")
                        .replace("SELECT toStartOfInterval(minute, toIntervalSecond(step)) AS t, ", "SELECT ")
                        .replace("GROUP BY t, namespace", "GROUP BY namespace")
                        .replace("ORDER BY t, namespace", "ORDER BY namespace"),
                vars,
                s.range()));
        assertThat(shape(series, timeLast, "no time"))
                .anySatisfy(p -> assertThat(p).contains("time column first"));

        IOException broken = org.junit.jupiter.api.Assertions.assertThrows(
                IOException.class,
                () -> query(GrafanaSql.expand(
                        talkers.sql().replace("rollup_namespace_1m", "rollup_namespaces_1m"), vars, s.range())));
        assertThat(broken.getMessage()).contains("rollup_namespaces_1m");
    }

    @Test
    void aHostilePodFilterStaysAValueAndFilteringWorks() throws Exception {
        Scenario s = SCENARIOS.get(1);
        Dashboard table = dashboard("netobserv-ch-flow-table");
        Target flows = Dashboards.targets(List.of(table)).stream()
                .filter(t -> t.panel().title().startsWith("Flows"))
                .findFirst()
                .orElseThrow();
        Map<String, List<String>> vars = selection(table, s, true);
        assertThat(query(GrafanaSql.expand(flows.sql(), vars, s.range())).rows())
                .hasSize(1000);
        vars.put("pod", List.of("x') OR 1=1 OR ('"));
        assertThat(query(GrafanaSql.expand(flows.sql(), vars, s.range())).rows())
                .as("a pod name no flow has")
                .isEmpty();
        Map<String, List<String>> one = selection(table, s, false);
        Answer picked = query(GrafanaSql.expand(flows.sql(), one, s.range()));
        assertThat(picked.rows())
                .as("the row the selection was taken from, at least")
                .isNotEmpty();
        for (List<JsonNode> row : picked.rows()) {
            assertThat(row.get(picked.column("cluster")).asText())
                    .isEqualTo(one.get("cluster").get(0));
            assertThat(row.get(picked.column("protocol")).asText())
                    .isEqualTo(one.get("protocol").get(0));
            assertThat(List.of(
                            row.get(picked.column("src_ip")).asText(),
                            row.get(picked.column("dst_ip")).asText()))
                    .contains(one.get("ip").get(0));
        }
    }

    // ---- shapes ----

    /** Problems of an answer for its panel's format; empty when the panel can draw it. */
    static List<String> shape(Target t, Answer a, String where) {
        List<String> problems = new ArrayList<>();
        for (String type : a.types()) {
            require(
                    problems,
                    NUMBER.matcher(type).matches()
                            || LABEL.matcher(type).matches()
                            || TIME.matcher(type).matches(),
                    where + ": column type " + type + " (numbers, strings and times only)");
        }
        String type = t.panel().type();
        if (t.format() == 0) {
            require(
                    problems,
                    !a.types().isEmpty() && TIME.matcher(a.types().get(0)).matches(),
                    where + ": time column first");
            boolean value = false;
            for (int i = 1; i < a.types().size(); i++) {
                value |= NUMBER.matcher(a.types().get(i)).matches();
            }
            require(problems, value, where + ": a numeric value column");
            String previous = "";
            for (List<JsonNode> row : a.rows()) {
                String time = row.get(0).asText();
                require(
                        problems,
                        !row.get(0).isNull() && time.compareTo(previous) >= 0,
                        where + ": time ascending, not null");
                previous = time;
            }
        }
        if (type.equals("stat")) {
            require(problems, a.rows().size() == 1, where + ": one row");
            for (String ty : a.types()) {
                require(problems, NUMBER.matcher(ty).matches(), where + ": numeric stat value");
            }
        }
        for (JsonNode o : t.panel().json().path("fieldConfig").path("overrides")) {
            if (o.path("matcher").path("id").asText().equals("byName")) {
                String column = o.path("matcher").path("options").asText();
                require(problems, a.names().contains(column), where + ": column " + column + " its override formats");
            }
        }
        return problems;
    }

    /** Grafana's node graph: nodes need id, edges id/source/target, and every edge end must be a node. */
    static List<String> nodeGraph(Answer nodes, Answer edges, String where) {
        List<String> problems = new ArrayList<>();
        require(problems, nodes != null && edges != null, where + ": nodes and edges answers");
        if (!problems.isEmpty()) {
            return problems;
        }
        for (String c : List.of("id", "title", "mainstat")) {
            require(problems, nodes.names().contains(c), where + ": nodes." + c);
        }
        for (String c : List.of("id", "source", "target", "mainstat")) {
            require(problems, edges.names().contains(c), where + ": edges." + c);
        }
        if (!problems.isEmpty()) {
            return problems;
        }
        Set<String> ids = new HashSet<>();
        for (List<JsonNode> n : nodes.rows()) {
            require(problems, ids.add(n.get(nodes.column("id")).asText()), where + ": unique node id");
        }
        Set<String> edgeIds = new HashSet<>();
        for (List<JsonNode> e : edges.rows()) {
            require(problems, edgeIds.add(e.get(edges.column("id")).asText()), where + ": unique edge id");
            require(
                    problems,
                    ids.contains(e.get(edges.column("source")).asText())
                            && ids.contains(e.get(edges.column("target")).asText()),
                    where + ": edge ends are nodes " + e);
        }
        return problems;
    }

    // ---- variables ----

    /** All ({@link GrafanaSql#ALL}, empty text boxes) or one concrete value of every variable, taken from the data. */
    private Map<String, List<String>> selection(Dashboard d, Scenario s, boolean all) throws Exception {
        Map<String, List<String>> vars = new LinkedHashMap<>();
        JsonNode row = all ? null : pickedFlow(s);
        for (JsonNode v : d.variables()) {
            String name = v.path("name").asText();
            String type = v.path("type").asText();
            switch (type) {
                case "datasource" -> vars.put(name, List.of("ds"));
                case "textbox" -> vars.put(name, List.of(all ? "" : text(row, name)));
                case "custom" -> {
                    if (v.path("includeAll").asBoolean()) {
                        vars.put(
                                name,
                                List.of(all ? GrafanaSql.ALL : row.path(name).asText()));
                    } else {
                        vars.put(name, List.of(v.path("current").path("value").asText()));
                    }
                }
                case "query" -> {
                    if (!v.path("datasource").path("type").asText().equals(Dashboards.CLICKHOUSE)) {
                        vars.put(name, List.of(GrafanaSql.ALL));
                        continue;
                    }
                    Answer options = query(
                            GrafanaSql.expand(v.path("query").path("rawSql").asText(), vars, s.range()));
                    assertThat(options.rows())
                            .as(d + ": $" + name + " options in " + s.name())
                            .isNotEmpty();
                    assertThat(options.names()).hasSizeBetween(1, 2);
                    List<String> values = new ArrayList<>();
                    options.rows().forEach(r -> values.add(r.get(0).asText()));
                    if (all) {
                        vars.put(name, List.of(GrafanaSql.ALL));
                    } else {
                        String wanted = row.path(name).asText();
                        assertThat(values)
                                .as(d + ": $" + name + " offers " + wanted)
                                .contains(wanted);
                        vars.put(name, List.of(wanted));
                    }
                }
                default -> throw new IllegalStateException(type);
            }
        }
        return vars;
    }

    /** The newest flow in the scenario's range: the values a user would filter on to find it. */
    private JsonNode pickedFlow(Scenario s) throws Exception {
        Answer a = query(
                "SELECT k8s_cluster_name AS cluster, src_k8s_namespace AS namespace, src_k8s_owner_name AS workload,"
                        + " src_k8s_name AS pod_name, replaceRegexpOne(toString(src_addr), '^::ffff:', '') AS ip, toString(dst_port) AS port,"
                        + " proto_name AS protocol, direction FROM flows WHERE record_type = 'flowLog' AND src_k8s_namespace != ''"
                        + " AND src_k8s_owner_name != '' AND direction != '' AND proto_name IN ('TCP', 'UDP')"
                        + " AND time_flow_end_ms >= fromUnixTimestamp64Milli("
                        + s.from().toEpochMilli() + ")"
                        + " AND time_flow_end_ms <= fromUnixTimestamp64Milli(" + s.to().toEpochMilli() + ")"
                        + " ORDER BY time_flow_end_ms DESC LIMIT 1");
        assertThat(a.rows()).as("a flow to select in " + s.name()).hasSize(1);
        com.fasterxml.jackson.databind.node.ObjectNode row = JSON.createObjectNode();
        for (int i = 0; i < a.names().size(); i++) {
            row.set(a.names().get(i), a.rows().get(0).get(i));
        }
        return row;
    }

    private static String text(JsonNode row, String variable) {
        return switch (variable) {
            case "pod" ->
                row.path("pod_name")
                        .asText()
                        .substring(0, Math.min(5, row.path("pod_name").asText().length()));
            default -> row.path(variable).asText();
        };
    }

    // ---- ClickHouse ----

    private long stat(Dashboard d, String title, Map<String, List<String>> vars, Scenario s) throws Exception {
        Target t = Dashboards.targets(List.of(d)).stream()
                .filter(x -> x.panel().title().equals(title))
                .findFirst()
                .orElseThrow();
        return query(GrafanaSql.expand(t.sql(), vars, s.range()))
                .rows()
                .get(0)
                .get(0)
                .asLong();
    }

    private Dashboard dashboard(String uid) {
        return dashboards.stream().filter(d -> d.uid().equals(uid)).findFirst().orElseThrow();
    }

    private static boolean sameRows(List<List<JsonNode>> a, List<List<JsonNode>> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            for (int j = 0; j < a.get(i).size(); j++) {
                JsonNode x = a.get(i).get(j);
                JsonNode y = b.get(i).get(j);
                boolean same = x.isNumber() && y.isNumber()
                        ? Math.abs(x.asDouble() - y.asDouble()) <= 1e-9 * Math.max(1, Math.abs(y.asDouble()))
                        : x.equals(y);
                if (!same) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The first column of the first row, as a number. */
    private long scalar(String sql) throws IOException, InterruptedException {
        return query(sql).rows().get(0).get(0).asLong();
    }

    Answer query(String sql) throws IOException, InterruptedException {
        String body = post(sql + "\nFORMAT JSONCompact", new byte[0], true);
        JsonNode j = JSON.readTree(body);
        List<String> names = new ArrayList<>();
        List<String> types = new ArrayList<>();
        for (JsonNode m : j.path("meta")) {
            names.add(m.path("name").asText());
            types.add(m.path("type").asText());
        }
        List<List<JsonNode>> rows = new ArrayList<>();
        for (JsonNode r : j.path("data")) {
            List<JsonNode> row = new ArrayList<>();
            r.forEach(row::add);
            rows.add(row);
        }
        return new Answer(names, types, rows);
    }

    private void execute(String sql) throws IOException, InterruptedException {
        post(sql, new byte[0], true);
    }

    private void insert(String statement, byte[] data) throws IOException, InterruptedException {
        post(statement, data, false);
    }

    /** One HTTP call: the statement in the body (queries) or in the URL with the data in the body (inserts). */
    private String post(String statement, byte[] data, boolean statementInBody)
            throws IOException, InterruptedException {
        String url = server.httpUrl() + "/?database=" + db
                + (statementInBody ? "" : "&query=" + URLEncoder.encode(statement, StandardCharsets.UTF_8));
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofMinutes(2))
                .header("X-ClickHouse-User", server.credentials().getProperty("user"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(
                        statementInBody ? statement.getBytes(StandardCharsets.UTF_8) : data));
        String password = server.credentials().getProperty("password", "");
        if (!password.isEmpty()) {
            req.header("X-ClickHouse-Key", password);
        }
        HttpResponse<String> r = HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(r.body() + "\n" + statement);
        }
        return r.body();
    }

    private static void require(List<String> problems, boolean ok, String what) {
        if (!ok) {
            problems.add(what);
        }
    }
}
