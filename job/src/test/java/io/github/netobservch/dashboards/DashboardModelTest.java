package io.github.netobservch.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.netobservch.dashboards.Dashboards.Dashboard;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Every shipped dashboard passes {@link DashboardRules} (Grafana's dashboard model, the plugin's query
 * model, the project's rules), covers what the deployment guide promises, and each rule can fail:
 * mutated copies of a shipped dashboard are refused with the broken rule named.
 */
class DashboardModelTest {

    private static final List<Dashboard> DASHBOARDS = Dashboards.load();

    @Test
    void everyDashboardFollowsTheModel() {
        assertThat(DASHBOARDS).hasSize(5);
        Set<String> uids = new HashSet<>();
        Set<String> titles = new HashSet<>();
        for (Dashboard d : DASHBOARDS) {
            assertThat(DashboardRules.check(d)).as(d.toString()).isEmpty();
            assertThat(uids.add(d.uid())).as("unique uid " + d.uid()).isTrue();
            assertThat(titles.add(d.json().path("title").asText())).isTrue();
            assertThat(d.json().path("tags").toString()).contains("\"netobserv\"");
        }
    }

    @Test
    void theDashboardsShowWhatTheGuidePromises() {
        Set<String> types = new HashSet<>();
        Set<String> sql = new HashSet<>();
        StringBuilder promql = new StringBuilder();
        for (Dashboards.Target t : Dashboards.targets(DASHBOARDS)) {
            types.add(t.panel().type());
            if (t.clickHouse()) {
                sql.add(t.sql());
            } else {
                promql.append(t.promql()).append('\n');
            }
        }
        assertThat(types).contains("timeseries", "table", "stat", "nodeGraph");
        String allSql = String.join("\n", sql);
        // rollups first: every tier of the rollups the panels read, raw flows only for per-flow detail
        for (String rollup : List.of(
                "rollup_namespace",
                "rollup_workload",
                "rollup_pod",
                "rollup_node",
                "rollup_external",
                "rollup_dns",
                "rollup_rtt",
                "rollup_drops")) {
            for (String tier : List.of("_1m ", "_5m ", "_1h ")) {
                assertThat(allSql).as(rollup + tier).contains(rollup + tier);
            }
        }
        assertThat(allSql).contains("FROM flows\n", "FROM flows_dlq", "ARRAY JOIN network_events");
        assertThat(promql.toString())
                .contains(
                        "flowParse_recordsParsed",
                        "flowParse_reason_deadLetters",
                        "flowDedup_kept",
                        "rowsCommitted",
                        "commitLatencyMs",
                        "commitFailures",
                        "lostInsertsRepaired",
                        "records_lag_max",
                        "lastCheckpointDuration");
    }

    @Test
    void eachRuleRefusesABrokenCopy() {
        Dashboard overview = DASHBOARDS.stream()
                .filter(d -> d.uid().equals("netobserv-ch-overview"))
                .findFirst()
                .orElseThrow();
        Dashboard topology = DASHBOARDS.stream()
                .filter(d -> d.uid().equals("netobserv-ch-topology"))
                .findFirst()
                .orElseThrow();
        assertBroken(overview, j -> panel(j, 2).with("gridPos").put("x", 2), "overlaps");
        assertBroken(overview, j -> panel(j, 2).with("gridPos").put("w", 30), "24-column grid");
        assertBroken(
                overview,
                j -> rawSql(j, 2, "SELECT sum(bytes) AS value FROM flows WHERE src_k8s_namespace IN ($namespace)"),
                "singlequote");
        assertBroken(overview, j -> rawSql(j, 2, "SELECT 1 AS value WHERE $__timeGroup(minute, 5m)"), "$__timeGroup");
        assertBroken(overview, j -> rawSql(j, 2, "SELECT 1 AS value WHERE c IN (${nope:singlequote})"), "not defined");
        assertBroken(
                overview,
                j -> rawSql(j, 2, "SELECT 1 AS value WHERE k8s_cluster_name IN (${cluster:singlequote})"),
                "$__conditionalAll");
        assertBroken(overview, j -> target(j, 2).put("format", 0), "format 0");
        assertBroken(
                overview, j -> target(j, 2).with("datasource").put("uid", "P1809F7CD0C75ACF3"), "data-source variable");
        assertBroken(overview, j -> panel(j, 2).put("type", "graph"), "panel type graph");
        assertBroken(
                overview, j -> panel(j, 2).with("fieldConfig").with("defaults").put("unit", "megabytes"), "unit");
        assertBroken(overview, j -> panel(j, 2).remove("description"), "description");
        assertBroken(topology, j -> ((ArrayNode) nodeGraph(j).path("targets")).remove(1), "'nodes' and 'edges'");
    }

    private static void assertBroken(Dashboard d, Consumer<ObjectNode> mutation, String expected) {
        ObjectNode copy = d.json().deepCopy();
        mutation.accept(copy);
        List<String> problems = DashboardRules.check(new Dashboard(d.file(), copy));
        assertThat(problems)
                .as("a copy of " + d + " broken for '" + expected + "'")
                .isNotEmpty();
        assertThat(String.join("\n", problems)).contains(expected);
    }

    private static ObjectNode panel(ObjectNode dashboard, int index) {
        return (ObjectNode) dashboard.path("panels").get(index);
    }

    private static ObjectNode target(ObjectNode dashboard, int index) {
        return (ObjectNode) panel(dashboard, index).path("targets").get(0);
    }

    private static void rawSql(ObjectNode dashboard, int index, String sql) {
        target(dashboard, index).put("rawSql", sql);
    }

    private static ObjectNode nodeGraph(ObjectNode dashboard) {
        for (var p : dashboard.path("panels")) {
            if (p.path("type").asText().equals("nodeGraph")) {
                return (ObjectNode) p;
            }
        }
        throw new IllegalStateException("no node graph");
    }
}
