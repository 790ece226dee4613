package io.github.netobservch.loki;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.loki.logql.LogQL.MetricExpr;
import io.github.netobservch.loki.logql.LogQLParser;
import io.github.netobservch.loki.query.MetricPlan;
import io.github.netobservch.loki.query.Results;
import io.github.netobservch.loki.query.Results.Entry;
import io.github.netobservch.loki.query.Results.Matrix;
import io.github.netobservch.loki.query.Results.Series;
import io.github.netobservch.loki.query.Results.Streams;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The SQL path against the reference evaluator on query shapes chosen for their edges: samples
 * exactly on window boundaries, steps without samples, unwrapped fields missing or zero, topk
 * membership that changes between steps, IPv6 and CIDR filters, every range function, constant
 * arithmetic before and after ranking. Each edge is also shown to be present in the data (or a
 * deliberately wrong reference is shown to disagree), so equality is not vacuous.
 */
@ExtendWith(EmbeddedClickHouseExtension.class)
class DifferentialITCase {

    private static final String SEL = "{app=\"netobserv-flowcollector\"}";
    private static LokiApiFixture api;

    @BeforeAll
    static void load(ClickHouseTestServer server) throws Exception {
        api = LokiApiFixture.start(
                server, TestFlows.generate(4000, 23, false), "--auth.anonymous", "--limits.max-series", "5000");
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    private static String target(String query, String extra) {
        return "/loki/api/v1/query_range?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + extra;
    }

    /** Asserts API == reference and returns the answer. */
    private static Results.Result same(String query, String extra) throws Exception {
        String t = target(query, extra);
        RawHttp.Response r = api.get(t);
        assertThat(r.status()).as(query + " -> " + r.body()).isEqualTo(200);
        Results.Result got = LokiApiFixture.decode(r.body());
        assertThat(got).as(query).isEqualTo(api.expected(t));
        return got;
    }

    // steps every 5 s on the generator's grid, 10 s windows: boundary samples fall in exactly two
    private static final String GRID = "&start=1764997000&end=1765000000&step=5s";

    @Test
    void windowsAreLeftOpenRightClosedOnTheStepGrid() throws Exception {
        String q = "sum by(SrcK8S_Namespace)(count_over_time(" + SEL + "[10s]))";
        Matrix got = (Matrix) same(q, GRID);
        assertThat(got.series()).isNotEmpty();
        // samples sit exactly on evaluation times, so the other edge convention must disagree
        long onGrid = api.rows.stream()
                .filter(r -> r.tsMs() >= 1_764_997_000_000L && r.tsMs() <= 1_765_000_000_000L)
                .filter(r -> (r.tsMs() - 1_764_997_000_000L) % 5_000 == 0)
                .count();
        assertThat(onGrid).isGreaterThan(50);
        ReferenceEvaluator closedLeft = new ReferenceEvaluator(
                api.rows,
                api.config.labels().staticName(),
                api.config.labels().staticValue(),
                api.config.labels().fields(),
                true);
        Matrix wrong =
                closedLeft.metric(MetricPlan.of((MetricExpr) LogQLParser.parse(q)), 1_764_997_000_000L, 5_000, 601);
        assertThat(wrong).isNotEqualTo(got);
        // a step longer than the window: samples between windows belong to no step
        Matrix gaps = (Matrix) same(
                "sum by(DstK8S_Namespace)(sum_over_time(" + SEL + "|json|unwrap Bytes|__error__=\"\"[10s]))",
                "&start=1764997000&end=1765000000&step=60s");
        assertThat(gaps.series()).isNotEmpty();
    }

    @Test
    void stepsWithoutSamplesAreAbsentNotZero() throws Exception {
        // two hours back: the first hour has no data at all
        Matrix got = (Matrix) same(
                "sum by(DstK8S_Namespace)(rate(" + SEL + "|json|unwrap Bytes|__error__=\"\"[1m]))",
                "&start=1764993100&end=1765000300&step=60s");
        int steps = 121;
        long earliest =
                api.rows.stream().mapToLong(ReferenceEvaluator.Row::tsMs).min().orElseThrow();
        assertThat(earliest).isGreaterThan(1_764_993_100_000L + 10 * 60_000L); // ten empty steps at least
        assertThat(got.series()).allSatisfy(s -> assertThat(s.points().size()).isLessThan(steps));
        assertThat(got.series().stream()
                        .mapToLong(s -> s.points().get(0).tsMs())
                        .min()
                        .orElseThrow())
                .isGreaterThanOrEqualTo(earliest);
    }

    @Test
    void everyRangeFunctionWithMissingAndZeroUnwrapFields() throws Exception {
        long missingBytes =
                api.rows.stream().filter(r -> !r.record().has("Bytes")).count();
        long zeroDns = api.rows.stream()
                .filter(r -> r.record().has("DnsLatencyMs")
                        && r.record().get("DnsLatencyMs").asLong() == 0)
                .count();
        assertThat(missingBytes).isPositive();
        assertThat(zeroDns).isPositive();
        String range = "&start=1764996700&end=1765000300&step=120s";
        same("sum by(app)(sum_over_time(" + SEL + "|json|unwrap Bytes|__error__=\"\"[2m]))", range);
        same("avg_over_time(" + SEL + "|json|unwrap DnsLatencyMs|__error__=\"\"[2m]) by(DstK8S_Namespace)", range);
        same("min_over_time(" + SEL + "|json|unwrap PktDropBytes|__error__=\"\"[2m]) by(PktDropLatestState)", range);
        same(
                "max_over_time(" + SEL
                        + "|~`\"TimeFlowRttNs\"`|json|unwrap TimeFlowRttNs|__error__=\"\"[2m]) by(SrcK8S_Namespace)",
                range);
        same(
                "quantile_over_time(0.99," + SEL + "|json|unwrap TimeFlowRttNs|__error__=\"\"[2m]) by(K8S_FlowLayer)",
                range);
        same("quantile_over_time(0.5," + SEL + "|json|unwrap Packets|__error__=\"\"[2m]) by(FlowDirection)", range);
        same("sum by(Proto)(rate(" + SEL + "|json[2m]))", range);
    }

    @Test
    void topkMembershipChangesBetweenStepsAndIsAUnion() throws Exception {
        Matrix got = (Matrix) same(
                "topk(2,sum by(SrcK8S_Namespace,DstK8S_Namespace)(rate(" + SEL
                        + "|json|unwrap Bytes|__error__=\"\"[1m])))",
                "&start=1764996700&end=1765000300&step=60s");
        Set<SortedMap<String, String>> first = new HashSet<>();
        Set<SortedMap<String, String>> last = new HashSet<>();
        for (Series s : got.series()) {
            if (s.points().get(0).tsMs() == 1_764_996_700_000L + 60_000) {
                first.add(s.metric());
            }
            if (s.points().get(s.points().size() - 1).tsMs() == TestFlows.NOW_MS) {
                last.add(s.metric());
            }
        }
        assertThat(got.series().size()).isGreaterThan(2);
        assertThat(first).isNotEqualTo(last);
        same(
                "bottomk(3,sum by(DstK8S_Namespace)(rate(" + SEL + "|json|unwrap Bytes|__error__=\"\"[1m])))*8",
                "&start=1764996700&end=1765000300&step=60s");
        same(
                "topk(3,sum by(DstK8S_OwnerName)(count_over_time(" + SEL + "[5m]))/60)-1",
                "&start=1764996700&end=1765000300&step=300s");
    }

    @Test
    void ipv6CidrAndRangeFilters() throws Exception {
        String window = "&start=1764996700&end=1765000300&limit=2000";
        Streams v6 = (Streams) same(SEL + "|json|SrcAddr=ip(\"fd01::/16\")", window);
        assertThat(v6.entryCount()).isPositive();
        // the API reads 15 min, then 45 min more...: a limit met in the second slice, both directions
        long inFirstSlice = v6.streams().stream()
                .flatMap(st -> st.entries().stream())
                .filter(e -> e.tsMs() >= 1_765_000_300_000L - 15 * 60_000L)
                .count();
        assertThat(v6.entryCount()).isGreaterThan((int) inFirstSlice + 20);
        String crossing = "&start=1764996700&end=1765000300&limit=" + (inFirstSlice + 20);
        assertThat(((Streams) same(SEL + "|json|SrcAddr=ip(\"fd01::/16\")", crossing)).entryCount())
                .isEqualTo((int) inFirstSlice + 20);
        same(SEL + "|json|SrcAddr=ip(\"fd01::/16\")", crossing + "&direction=forward");
        Streams ext =
                (Streams) same(SEL + "|json|DstAddr=ip(\"2001:db8::/32\") or DstAddr=ip(\"203.0.113.0/24\")", window);
        assertThat(lines(ext)).anyMatch(l -> l.contains("\"DstAddr\":\"2001:db8::"));
        assertThat(lines(ext)).anyMatch(l -> l.contains("\"DstAddr\":\"203.0.113."));
        Streams notPods =
                (Streams) same(SEL + "|json|SrcAddr!=ip(\"10.128.0.0/16\")|SrcAddr!=ip(\"fd01::/16\")", window);
        assertThat(notPods.entryCount()).isPositive();
        Streams range = (Streams) same(SEL + "|json|SrcAddr=ip(\"10.128.1.1-10.128.1.6\")", window);
        assertThat(range.entryCount()).isPositive();
        same(SEL + "|json|SrcAddr=ip(\"fd01:0:0:1::a\")", window);
        // an IPv4 range never matches IPv6 addresses and the other way round
        assertThat(lines((Streams) same(SEL + "|json|SrcAddr=ip(\"0.0.0.0/0\")", window)))
                .noneMatch(l -> l.contains("\"SrcAddr\":\"fd01"));
    }

    @Test
    void logQueryEdgesDirectionAndFilters() throws Exception {
        // start inclusive, end exclusive: both ends sit on records of the 5 s grid
        List<Long> grid = api.rows.stream()
                .map(ReferenceEvaluator.Row::tsMs)
                .filter(t -> t % 5_000 == 0)
                .sorted()
                .distinct()
                .toList();
        long from = grid.get(grid.size() / 4);
        long to = grid.get(grid.size() / 4 + 40);
        String edges = "&start=" + from / 1000 + "&end=" + to / 1000 + "&limit=5000";
        Streams got = (Streams) same(SEL, edges);
        Set<Long> ts = got.streams().stream()
                .flatMap(s -> s.entries().stream())
                .map(Entry::tsMs)
                .collect(Collectors.toSet());
        assertThat(ts).contains(from).doesNotContain(to);
        same(SEL, edges + "&direction=forward");
        same(SEL, "&start=" + from / 1000 + "&end=" + to / 1000 + "&limit=37");
        same(
                "{app=\"netobserv-flowcollector\",SrcK8S_Namespace!~\"shop|payments\",DstK8S_Type=~\"^$|^Service$\"}",
                edges);
        same(SEL + "|=`\"Proto\":17`!=`\"DstPort\":53`", edges);
        same(SEL + "|json|DnsName=~\"caf.*\"", edges);
        same(SEL + "|json|foo=\"bar\" or flis!=\"flas\"", edges);
    }

    private static List<String> lines(Streams s) {
        return s.streams().stream()
                .flatMap(st -> st.entries().stream())
                .map(Entry::line)
                .toList();
    }
}
