package io.github.netobservch.schema;

import static io.github.netobservch.schema.SchemaTestSupport.insertJson;
import static io.github.netobservch.schema.SchemaTestSupport.query;
import static io.github.netobservch.schema.SchemaTestSupport.resource;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The materialized-view rollups against the raw table on the hand-built fixture
 * ({@code schema/fixture-flows.jsonl}), and insert deduplication through the views.
 */
@org.junit.jupiter.api.Timeout(300)
@ExtendWith(EmbeddedClickHouseExtension.class)
class RollupITCase {

    /** What the views count: flow-log rows that are not legacy Duplicate copies. */
    static final String COUNTED = "record_type = 'flowLog' AND NOT duplicate";

    private static final String SUMS =
            "sum(flows), sum(bytes), sum(packets), sum(bytes_estimated), sum(packets_estimated),"
                    + " sum(drop_bytes), sum(drop_packets)";
    private static final String RAW_SUMS =
            "count(), sum(bytes), sum(packets), sum(bytes_estimated), sum(packets_estimated),"
                    + " sum(pkt_drop_bytes), sum(pkt_drop_packets)";

    private ClickHouseTestServer server;
    private String db;

    @BeforeEach
    void migrate(ClickHouseTestServer server) throws SQLException {
        this.server = server;
        this.db = server.createDatabase("schema_rollup");
        SchemaTestSupport.migrator(server, SchemaTestSupport.testOptions(db), SchemaTestSupport.migrations())
                .migrate();
    }

    /** Every rollup's totals, as one line per rollup (named by its 1m table), from one tier of the rollups or from the raw table. */
    private Map<String, List<String>> totals(String tier) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        rollupSql(tier != null)
                .forEach((k, v) -> out.put(k, query(server, db, tier == null ? v : v.replace("_1m", "_" + tier))));
        return out;
    }

    private static Map<String, String> rollupSql(boolean fromRollups) {
        Map<String, String> sql = new LinkedHashMap<>();
        if (fromRollups) {
            for (String t : List.of("rollup_namespace_1m", "rollup_workload_1m", "rollup_node_1m", "rollup_zone_1m")) {
                sql.put(t, "SELECT " + SUMS + " FROM " + t);
            }
            sql.put(
                    "rollup_external_1m",
                    "SELECT scope, " + SUMS + " FROM rollup_external_1m GROUP BY scope ORDER BY scope");
            sql.put(
                    "rollup_dns_1m",
                    "SELECT sum(responses), sum(latency_ms_sum), max(latency_ms_max),"
                            + " quantilesMerge(0.5, 0.9, 0.99)(latency_ms_quantiles) FROM rollup_dns_1m");
            sql.put(
                    "rollup_rtt_1m",
                    "SELECT sum(samples), sum(rtt_ns_sum), max(rtt_ns_max),"
                            + " quantilesMerge(0.5, 0.9, 0.99)(rtt_ns_quantiles) FROM rollup_rtt_1m");
            sql.put("rollup_drops_1m", "SELECT sum(flows), sum(drop_bytes), sum(drop_packets) FROM rollup_drops_1m");
            sql.put(
                    "rollup_pod_1m",
                    "SELECT role, sum(flows), sum(bytes), sum(packets), sum(self_flows), uniqExactMerge(peers)"
                            + " FROM rollup_pod_1m GROUP BY role ORDER BY role");
        } else {
            for (String t : List.of("rollup_namespace_1m", "rollup_workload_1m", "rollup_node_1m", "rollup_zone_1m")) {
                sql.put(t, "SELECT " + RAW_SUMS + " FROM flows WHERE " + COUNTED);
            }
            sql.put(
                    "rollup_external_1m",
                    "SELECT scope, " + RAW_SUMS + " FROM flows WHERE " + COUNTED
                            + " AND scope IN ('to_external', 'from_external') GROUP BY scope ORDER BY scope");
            sql.put(
                    "rollup_dns_1m",
                    "SELECT count(), sum(dns_latency_ms), max(dns_latency_ms),"
                            + " quantiles(0.5, 0.9, 0.99)(dns_latency_ms) FROM flows WHERE " + COUNTED
                            + " AND dns_is_response AND dns_latency_ms IS NOT NULL");
            sql.put(
                    "rollup_rtt_1m",
                    "SELECT count(), sum(time_flow_rtt_ns), max(time_flow_rtt_ns),"
                            + " quantiles(0.5, 0.9, 0.99)(time_flow_rtt_ns) FROM flows WHERE " + COUNTED
                            + " AND time_flow_rtt_ns IS NOT NULL");
            sql.put(
                    "rollup_drops_1m",
                    "SELECT count(), sum(pkt_drop_bytes), sum(pkt_drop_packets) FROM flows WHERE " + COUNTED
                            + " AND pkt_drop_packets > 0");
            sql.put(
                    "rollup_pod_1m",
                    "SELECT * FROM (SELECT 'dst', count(), sum(bytes), sum(packets), 0, uniqExact(src_addr) FROM flows"
                            + " WHERE " + COUNTED
                            + " AND dst_k8s_type = 'Pod' UNION ALL SELECT 'src', count(), sum(bytes),"
                            + " sum(packets), countIf(dst_k8s_type = 'Pod' AND dst_k8s_namespace = src_k8s_namespace AND"
                            + " dst_k8s_name = src_k8s_name), uniqExact(dst_addr) FROM flows WHERE " + COUNTED
                            + " AND src_k8s_type = 'Pod') ORDER BY 1");
        }
        return sql;
    }

    @Test
    void rollupTotalsEqualRawTableTotals() {
        insertJson(server, db, "flows", resource("fixture-flows.jsonl"), "fixture-1");

        Map<String, List<String>> rollups = totals("1m");
        assertThat(rollups).isEqualTo(totals(null));
        assertThat(SchemaTables.ROLLUPS).containsExactlyInAnyOrderElementsOf(rollups.keySet());
        // the 5m and 1h tiers, fed by views on the 1m and 5m tiers, hold the same totals
        assertThat(totals("5m")).isEqualTo(rollups);
        assertThat(totals("1h")).isEqualTo(rollups);
        // and the known answer: 14 counted rows of the 16 (an endConnection and a Duplicate copy are not traffic)
        assertThat(rollups.get("rollup_namespace_1m")).containsExactly("14\t119699\t199\t119699\t199\t500\t5");
        assertThat(rollups.get("rollup_external_1m"))
                .containsExactly(
                        "from_external\t1\t400\t4\t400\t4\t0\t0", "to_external\t3\t9300\t41\t9300\t41\t300\t3");
        assertThat(rollups.get("rollup_dns_1m")).containsExactly("4\t64\t30\t[15,27.000000000000004,29.7]");
        assertThat(rollups.get("rollup_drops_1m")).containsExactly("2\t500\t5");

        // Per group too, not only in total: namespace pairs per minute.
        String byGroup =
                "SELECT minute, src_k8s_namespace, dst_k8s_namespace, direction, sum(bytes) FROM rollup_namespace_1m"
                        + " GROUP BY ALL ORDER BY ALL";
        String rawByGroup = "SELECT toStartOfMinute(toDateTime(time_flow_end_ms, 'UTC')) AS minute, src_k8s_namespace,"
                + " dst_k8s_namespace, direction, sum(bytes) FROM flows WHERE " + COUNTED
                + " GROUP BY ALL ORDER BY ALL";
        assertThat(query(server, db, byGroup)).hasSize(12).isEqualTo(query(server, db, rawByGroup));
        // and per 5-minute and per hour bucket (the fixture's 10:00-10:10 spans two 5-minute buckets)
        for (String[] tier : new String[][] {{"5m", "toStartOfFiveMinutes"}, {"1h", "toStartOfHour"}}) {
            assertThat(query(server, db, byGroup.replace("_1m", "_" + tier[0])))
                    .as(tier[0])
                    .isEqualTo(query(server, db, rawByGroup.replace("toStartOfMinute(", tier[1] + "(")));
        }
        assertThat(query(server, db, "SELECT count(DISTINCT minute) FROM rollup_namespace_5m"))
                .containsExactly("2");
    }

    @Test
    void theSameBlockInsertedTwiceWithTheSameTokenLeavesRawAndRollupTotalsUnchanged() {
        String fixture = resource("fixture-flows.jsonl");
        insertJson(server, db, "flows", fixture, "commit-token-1");
        List<String> raw = query(server, db, "SELECT count(), sum(bytes) FROM flows");
        Map<String, List<String>> rollups = totals("1m");

        // A re-commit after a failure: same token, same rows.
        insertJson(server, db, "flows", fixture, "commit-token-1");
        insertJson(server, db, "flows", fixture, "commit-token-1");
        assertThat(query(server, db, "SELECT count(), sum(bytes) FROM flows"))
                .isEqualTo(raw)
                .containsExactly("16\t130199");
        for (String tier : SchemaTables.TIERS) {
            assertThat(totals(tier)).as(tier).isEqualTo(rollups);
        }

        // Control: another token is another batch, and every view counts it.
        insertJson(server, db, "flows", fixture, "commit-token-2");
        assertThat(query(server, db, "SELECT count(), sum(bytes) FROM flows")).containsExactly("32\t260398");
        assertThat(query(server, db, "SELECT sum(flows) FROM rollup_namespace_1m"))
                .containsExactly("28");
        assertThat(query(server, db, "SELECT sum(responses) FROM rollup_dns_1m"))
                .containsExactly("8");
        for (String tier : SchemaTables.TIERS) {
            assertThat(totals(tier)).as(tier).isEqualTo(totals(null));
        }
        assertThat(query(server, db, "SELECT sum(flows) FROM rollup_namespace_1h"))
                .containsExactly("28");
    }
}
