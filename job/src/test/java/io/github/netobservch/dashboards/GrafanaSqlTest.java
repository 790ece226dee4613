package io.github.netobservch.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The macro model against the plugin's documented examples (grafana/clickhouse-datasource
 * docs/sources/query-editor.md, "Macros", and docs/sources/template-variables.md), and its refusals.
 */
class GrafanaSqlTest {

    /** The documentation's example range: 1415792726 .. 1447328726 (seconds), 20 s interval. */
    private static final GrafanaSql.Range DOC_RANGE = new GrafanaSql.Range(
            Instant.ofEpochMilli(1415792726123L), Instant.ofEpochMilli(1447328726456L), Duration.ofSeconds(20));

    @Test
    void backendMacrosExpandAsTheirDocumentedExamples() {
        assertThat(GrafanaSql.macros("WHERE $__timeFilter(time)", DOC_RANGE))
                .isEqualTo("WHERE time >= toDateTime(1415792726) AND time <= toDateTime(1447328726)");
        assertThat(GrafanaSql.macros("$__timeFilter_ms(time)", DOC_RANGE))
                .isEqualTo(
                        "time >= fromUnixTimestamp64Milli(1415792726123) AND time <= fromUnixTimestamp64Milli(1447328726456)");
        assertThat(GrafanaSql.macros("$__fromTime, $__toTime, $__fromTime_ms, $__toTime_ms", DOC_RANGE))
                .isEqualTo("toDateTime(1415792726), toDateTime(1447328726), fromUnixTimestamp64Milli(1415792726123),"
                        + " fromUnixTimestamp64Milli(1447328726456)");
        assertThat(GrafanaSql.macros("$__interval_s", DOC_RANGE)).isEqualTo("20");
        assertThat(GrafanaSql.macros("$__timeInterval(column)", DOC_RANGE))
                .isEqualTo("toStartOfInterval(toDateTime(column), INTERVAL 20 second)");
        assertThat(GrafanaSql.macros("$__dateFilter(date)", DOC_RANGE))
                .isEqualTo("date >= toDate('2014-11-12') AND date <= toDate('2015-11-12')");
        // a sub-second interval still buckets by at least one second
        assertThat(GrafanaSql.macros(
                        "$__interval_s",
                        new GrafanaSql.Range(DOC_RANGE.from(), DOC_RANGE.to(), Duration.ofMillis(200))))
                .isEqualTo("1");
    }

    @Test
    void conditionalAllIsTheConditionUnlessTheVariableIsAllOrEmpty() {
        String sql = "WHERE $__conditionalAll(database IN (${database:singlequote}), $database)";
        assertThat(GrafanaSql.expand(sql, Map.of("database", List.of(GrafanaSql.ALL)), DOC_RANGE))
                .isEqualTo("WHERE 1=1");
        assertThat(GrafanaSql.expand(sql, Map.of("database", List.of("")), DOC_RANGE))
                .isEqualTo("WHERE 1=1");
        assertThat(GrafanaSql.expand(sql, Map.of("database", List.of("db1", "db2")), DOC_RANGE))
                .isEqualTo("WHERE database IN ('db1','db2')");
        // nested calls and ${var} in the second argument, as the plugin accepts them
        assertThat(GrafanaSql.expand(
                        "$__conditionalAll((f(a, ${x:singlequote}) > 0 OR b = 1), ${x}) AND $__conditionalAll(c = 2, $y)",
                        Map.of("x", List.of("v"), "y", List.of(GrafanaSql.ALL)),
                        DOC_RANGE))
                .isEqualTo("(f(a, 'v') > 0 OR b = 1) AND 1=1");
    }

    @Test
    void singleQuotedValuesCannotEndTheirString() {
        String sql = GrafanaSql.expand(
                "positionCaseInsensitive(name, ${pod:singlequote}) > 0",
                Map.of("pod", List.of("x') OR 1=1 OR ('")),
                DOC_RANGE);
        assertThat(sql).isEqualTo("positionCaseInsensitive(name, 'x\\') OR 1=1 OR (\\'') > 0");
    }

    @Test
    void unquotedVariablesUnknownVariablesAndUnknownMacrosAreRefused() {
        Map<String, List<String>> vars = Map.of("ns", List.of("a"));
        assertThatThrownBy(() -> GrafanaSql.expand("x IN ($ns)", vars, DOC_RANGE))
                .hasMessageContaining("singlequote");
        assertThatThrownBy(() -> GrafanaSql.expand("x IN (${other:singlequote})", vars, DOC_RANGE))
                .hasMessageContaining("not defined");
        assertThatThrownBy(() ->
                        GrafanaSql.expand("x = ${ns:singlequote}", Map.of("ns", List.of(GrafanaSql.ALL)), DOC_RANGE))
                .hasMessageContaining("$__conditionalAll");
        assertThatThrownBy(() -> GrafanaSql.expand("WHERE $__timeGroup(t, 5m)", vars, DOC_RANGE))
                .hasMessageContaining("$__timeGroup");
        assertThatThrownBy(() -> GrafanaSql.expand("$__conditionalAll(a = 1)", vars, DOC_RANGE))
                .hasMessageContaining("2 arguments");
    }
}
