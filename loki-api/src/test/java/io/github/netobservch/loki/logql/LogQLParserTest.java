package io.github.netobservch.loki.logql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.netobservch.loki.logql.LogQL.IpMatch;
import io.github.netobservch.loki.logql.LogQL.LabelFilterStage;
import io.github.netobservch.loki.logql.LogQL.LineFilter;
import io.github.netobservch.loki.logql.LogQL.LogExpr;
import io.github.netobservch.loki.logql.LogQL.MatchOp;
import io.github.netobservch.loki.logql.LogQL.Matcher;
import io.github.netobservch.loki.logql.LogQL.RangeAggregation;
import io.github.netobservch.loki.logql.LogQL.RangeFunction;
import io.github.netobservch.loki.query.MetricPlan;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LogQLParserTest {

    /** The decoded query parameter of every plugin request target in plugin-queries.tsv. */
    static List<String> pluginQueries() throws Exception {
        List<String> out = new ArrayList<>();
        try (InputStream in = LogQLParserTest.class.getResourceAsStream("/plugin-queries.tsv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#") || !line.contains("query=")) {
                    continue;
                }
                String q = line.substring(line.indexOf("query=") + 6);
                int amp = q.indexOf("&start=");
                q = amp < 0 ? q : q.substring(0, amp);
                out.add(URLDecoder.decode(q, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    @Test
    void everyPluginQueryParsesAndMetricQueriesHaveAPlan() throws Exception {
        List<String> queries = pluginQueries();
        assertThat(queries).hasSize(63); // 64 targets, one is a label-values call
        for (String q : queries) {
            LogQL.Expr e = LogQLParser.parse(q);
            if (e instanceof LogQL.MetricExpr m) {
                assertThat(MetricPlan.of(m).groupBy()).as(q).isNotNull();
            }
        }
    }

    @Test
    void ipFiltersJoinedByOrAreOneStage() {
        LogExpr e = (LogExpr) LogQLParser.parse(
                "{app=\"netobserv-flowcollector\"}|json|SrcAddr=ip(\"10.128.0.1\") or SrcAddr=ip(\"10.128.0.0/16\")");
        LabelFilterStage stage = (LabelFilterStage) e.stages().get(1);
        assertThat(stage.anyOf())
                .containsExactly(
                        new IpMatch("SrcAddr", false, "10.128.0.1"), new IpMatch("SrcAddr", false, "10.128.0.0/16"));
    }

    @Test
    void backtickStringsAreRawAndDoubleQuotedOnesUnescaped() {
        LogExpr e = (LogExpr) LogQLParser.parse(
                "{app=\"a\\\"b\",x=~\"^0$|^2$\"}|~`Interfaces\":\\[(?i)[^]]*br-ex[^]]*]`!~`\"PktDropPackets\"`");
        assertThat(e.selector())
                .containsExactly(new Matcher("app", MatchOp.EQ, "a\"b"), new Matcher("x", MatchOp.RE, "^0$|^2$"));
        assertThat(e.stages())
                .containsExactly(
                        new LineFilter(false, true, "Interfaces\":\\[(?i)[^]]*br-ex[^]]*]"),
                        new LineFilter(true, true, "\"PktDropPackets\""));
    }

    @Test
    void quantileWithGroupingAndAConstantFactor() {
        MetricPlan plan = MetricPlan.of(
                (LogQL.MetricExpr)
                        LogQLParser.parse(
                                "topk(5,(quantile_over_time(0.9,{app=\"netobserv-flowcollector\"}|~`\"TimeFlowRttNs\"`|json"
                                        + "|unwrap TimeFlowRttNs|__error__=\"\"[15s]) by(SrcK8S_Namespace,DstK8S_Namespace))/1000000)"));
        RangeAggregation r = plan.range();
        assertThat(r.function()).isEqualTo(RangeFunction.QUANTILE_OVER_TIME);
        assertThat(r.phi()).isEqualTo(0.9);
        assertThat(r.windowMs()).isEqualTo(15_000);
        assertThat(r.log().unwrap()).isEqualTo("TimeFlowRttNs");
        assertThat(plan.groupBy()).containsExactly("SrcK8S_Namespace", "DstK8S_Namespace");
        assertThat(plan.k()).isEqualTo(5);
        assertThat(plan.applyBefore(2_000_000)).isEqualTo(2.0); // the division ranks, topk picks
        assertThat(plan.afterRank()).isEmpty();
    }

    @Test
    void durationsCombineUnits() {
        RangeAggregation r = (RangeAggregation) LogQLParser.parse("count_over_time({a=\"b\"}[1m30s])");
        assertThat(r.windowMs()).isEqualTo(90_000);
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", textBlock = """
            {app="x" => col 9: syntax error
            {} => at least one regexp or equality matcher
            app="x" => unexpected IDENTIFIER app
            {app="x"} |~ `unterminated => unterminated raw string
            {app="x"} |~ `(unclosed` => invalid regex
            rate({app="x"}[5x]) => invalid duration 5x
            rate({app="x"}) => expected '['
            topk(a,rate({app="x"}[1m])) => expected a number
            sum_over_time({app="x"}[1m]) => without unwrap
            {app="x"} | json | Bytes > 10 => a numeric label filter is not supported
            {app="x"} | logfmt => the logfmt stage is not supported
            bytes_rate({app="x"}[1m]) => the function bytes_rate is not supported
            sum without(a)(rate({app="x"}[1m])) => without(...) is not supported
            rate({app="x"}[1m] offset 1h) => offset is not supported
            count(rate({app="x"}[1m])) => the function count is not supported
            rate({app="x"}[1m]) / rate({app="x"}[1m]) => binary operation between two vectors is not supported
            {app="x"} | json | unwrap Bytes => unwrap without | __error__
            {app="x"} | json | a=ip("10.0.0.300") => invalid ip
            """)
    void malformedOrUnsupportedQueriesAreRefusedWithLokisWording(String query, String message) {
        assertThatThrownBy(() -> LogQLParser.parse(query.strip()))
                .isInstanceOf(LogQLException.class)
                .hasMessageStartingWith("parse error")
                .hasMessageContaining(message.strip());
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", textBlock = """
            rate({app="x"}[1m]) => without by(...)
            sum(avg_over_time({app="x"}|json|unwrap B|__error__=""[1m])) => sum over avg_over_time is not supported
            topk(2,topk(3,sum(rate({app="x"}[1m])))) => only one topk
            """)
    void shapesWhoseSeriesWouldBeEveryRecordAreRefused(String query, String message) {
        LogQL.MetricExpr e = (LogQL.MetricExpr) LogQLParser.parse(query.strip());
        assertThatThrownBy(() -> MetricPlan.of(e))
                .isInstanceOf(LogQLException.class)
                .hasMessageContaining(message.strip());
    }
}
