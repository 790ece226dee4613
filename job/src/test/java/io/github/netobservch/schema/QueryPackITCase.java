package io.github.netobservch.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every query of {@code sql/queries/} on the hand-built fixture {@code schema/fixture-flows.jsonl}
 * (16 rows, 2026-03-10 10:00–10:10 UTC; the notes in its {@code _note} field say what each row is),
 * over the range [10:00, 10:05), with the answer worked out by hand. Rows outside the range (R16),
 * the endConnection record (R14) and the legacy Duplicate copy (R15) must never count as traffic.
 */
@org.junit.jupiter.api.Timeout(300)
@ExtendWith(EmbeddedClickHouseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryPackITCase {

    private static final String FROM = "2026-03-10 10:00:00.000";
    private static final String TO = "2026-03-10 10:05:00.000";

    private ClickHouseTestServer server;
    private String db;
    private final Set<String> tested = new HashSet<>();

    @BeforeAll
    void load(ClickHouseTestServer server) throws SQLException {
        this.server = server;
        this.db = server.createDatabase("schema_queries");
        SchemaTestSupport.migrator(server, SchemaTestSupport.testOptions(db), SchemaTestSupport.migrations())
                .migrate();
        SchemaTestSupport.insertJson(server, db, "flows", SchemaTestSupport.resource("fixture-flows.jsonl"), "fixture");
    }

    private List<String> run(String file, String... params) {
        tested.add(file);
        Map<String, String> p = new HashMap<>();
        p.put("from", FROM);
        p.put("to", TO);
        for (int i = 0; i < params.length; i += 2) {
            p.put(params[i], params[i + 1]);
        }
        try {
            String sql = Files.readString(SchemaTestSupport.QUERIES_DIR.resolve(file), StandardCharsets.UTF_8);
            return SchemaTestSupport.query(server, db, sql, p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String row(Object... cells) {
        java.util.StringJoiner j = new java.util.StringJoiner("\t");
        for (Object c : cells) {
            j.add(String.valueOf(c));
        }
        return j.toString();
    }

    @Test
    void topTalkersByNamespace() {
        assertThat(run("top_talkers_namespace.sql", "limit", "3"))
                .containsExactly(
                        row("shop", "", 7300, 33, 7300, 2),
                        row("shop", "payments", 5500, 25, 5500, 2),
                        row("payments", "shop", 3000, 15, 3000, 1));
    }

    @Test
    void topTalkersByWorkload() {
        assertThat(run("top_talkers_workload.sql", "limit", "3"))
                .containsExactly(
                        row("shop", "Deployment", "cart", "", "", "", 7300, 33, 2),
                        row("shop", "Deployment", "frontend", "payments", "Deployment", "api", 5500, 25, 2),
                        row("payments", "Deployment", "api", "shop", "Deployment", "cart", 3000, 15, 1));
    }

    @Test
    void topTalkersByPod() {
        assertThat(run("top_talkers_pod.sql", "namespace", "", "limit", "10"))
                .containsExactly(
                        row("shop", "cart-1", 7300, 33, 2, 1),
                        row("shop", "frontend-1", 6580, 36, 4, 3),
                        row("payments", "api-1", 5000, 23, 2, 2));
        assertThat(run("top_talkers_pod.sql", "namespace", "payments", "limit", "10"))
                .containsExactly(row("payments", "api-1", 5000, 23, 2, 2));
    }

    @Test
    void topTalkersByNode() {
        assertThat(run("top_talkers_node.sql", "limit", "3"))
                .containsExactly(
                        row("node-a", "", 7380, 34, 3),
                        row("node-a", "node-b", 5500, 25, 2),
                        row("node-b", "node-a", 3000, 15, 1));
    }

    @Test
    void trafficMatrixBetweenNamespaces() {
        assertThat(run("traffic_matrix_namespace.sql"))
                .containsExactly(
                        row("", "shop", 400, 4, 1, 0),
                        row("openshift-dns", "payments", 100, 1, 1, 0),
                        row("openshift-dns", "shop", 320, 3, 3, 0),
                        row("payments", "", 2000, 8, 1, 0),
                        row("payments", "shop", 3000, 15, 1, 0),
                        row("shop", "", 7300, 33, 2, 3),
                        row("shop", "openshift-dns", 80, 1, 1, 0),
                        row("shop", "payments", 5500, 25, 2, 2),
                        row("shop", "shop", 1000, 10, 1, 0));
    }

    @Test
    void trafficOverTimeByNamespacePair() {
        // 2-minute buckets, the two busiest pairs: shop -> '' (7000 + 300) and shop -> payments (5000 + 500;
        // the Duplicate copy and the endConnection record are not traffic)
        assertThat(run("traffic_over_time_namespace.sql", "step_seconds", "120", "limit", "2", "namespace", ""))
                .containsExactly(
                        row("2026-03-10 10:00:00", "shop", "payments", 5000, 20, 1),
                        row("2026-03-10 10:02:00", "shop", "", 7000, 30, 1),
                        row("2026-03-10 10:04:00", "shop", "payments", 500, 5, 1),
                        row("2026-03-10 10:04:00", "shop", "", 300, 3, 1));
        // pairs with payments at either end: shop -> payments (5500) and payments -> shop (3000)
        assertThat(run("traffic_over_time_namespace.sql", "step_seconds", "300", "limit", "2", "namespace", "payments"))
                .containsExactly(
                        row("2026-03-10 10:00:00", "shop", "payments", 5500, 25, 2),
                        row("2026-03-10 10:00:00", "payments", "shop", 3000, 15, 1));
        assertThatThrownBy(() ->
                        run("traffic_over_time_namespace.sql", "step_seconds", "90", "limit", "2", "namespace", ""))
                .hasMessageContaining("step_seconds must be a positive multiple of 60");
    }

    @Test
    void ingressVsEgressVsInner() {
        assertThat(run("traffic_by_direction.sql", "namespace", ""))
                .containsExactly(row("egress", 9380, 42, 4), row("ingress", 9320, 48, 8), row("inner", 1000, 10, 1));
        assertThat(run("traffic_by_direction.sql", "namespace", "payments"))
                .containsExactly(row("egress", 2000, 8, 1), row("ingress", 8600, 41, 4));
    }

    @Test
    void externalEgressByDestination() {
        assertThat(run("external_egress_by_destination.sql", "limit", "10"))
                .containsExactly(
                        row("::ffff:140.82.121.4", "", 7300, 33, 2, 1), row("::ffff:52.95.110.1", "", 2000, 8, 1, 1));
    }

    @Test
    void dnsLatencyAndErrorsByName() {
        // api.github.com: responses of 4 ms (NoError) and 30 ms (ServFail); unknown.example.org: 10 and 20 ms
        // (NXDomain).
        // Names with the most NXDOMAIN + SERVFAIL first. The 10:03:19 query (not a response) is not counted. Quantiles
        // interpolate linearly between the two samples.
        assertThat(run("dns_latency_by_name.sql", "limit", "10"))
                .containsExactly(
                        row("unknown.example.org", 2, 2, 0, 15, "[15,19,19.9]", 20),
                        row("api.github.com", 2, 0, 1, 17, "[17,27.4,29.74]", 30));
    }

    @Test
    void rttPercentilesByWorkload() {
        // frontend -> api: 4 and 8 ms; api -> cart: 6 ms; frontend -> cart: 2 ms.
        assertThat(run("rtt_by_workload.sql", "limit", "10"))
                .containsExactly(
                        row("shop", "frontend", "payments", "api", 2, "[6,7.6,7.96]", 8),
                        row("payments", "api", "shop", "cart", 1, "[6,6,6]", 6),
                        row("shop", "frontend", "shop", "cart", 1, "[2,2,2]", 2));
    }

    @Test
    void packetDropsByCauseAndState() {
        assertThat(run("drops_by_cause.sql"))
                .containsExactly(
                        row("OVS_DROP_EXPLICIT", "TCP_SYN_SENT", 3, 300, 1),
                        row("SKB_DROP_REASON_NETFILTER_DROP", "TCP_ESTABLISHED", 2, 200, 1));
    }

    @Test
    void networkPolicyDenies() {
        // R13 also carries an AdminNetworkPolicy "allow" event, which is not a deny.
        assertThat(run("network_policy_denies.sql", "limit", "10"))
                .containsExactly(
                        row("EgressFirewall", "shop", "default", "Egress", "shop", "cart-1", "", "", 1, 3),
                        row(
                                "NetworkPolicy",
                                "payments",
                                "deny-frontend",
                                "Ingress",
                                "shop",
                                "frontend-1",
                                "payments",
                                "api-1",
                                1,
                                5));
    }

    @Test
    void flowsOfOnePodOverTime() {
        assertThat(run("pod_flows_over_time.sql", "namespace", "shop", "pod", "frontend-1", "step_seconds", "60"))
                .containsExactly(
                        row("2026-03-10 10:00:00", 6000, 0, 2, 2),
                        row("2026-03-10 10:03:00", 80, 620, 4, 2),
                        row("2026-03-10 10:04:00", 500, 0, 1, 1));
    }

    @Test
    void conversationByHashId() {
        // agent_ip is absent in the fixture: the tracker is ::
        assertThat(run("conversation.sql", "hash_id", "9f3c2a7be4d10c55", "limit", "10"))
                .containsExactly(row(
                        "9f3c2a7be4d10c55",
                        "::",
                        "ended",
                        "2026-03-10 10:00:30.000",
                        "2026-03-10 10:04:50.000",
                        "shop/frontend-1:43210",
                        "payments/api-1:8080",
                        "TCP",
                        2,
                        5000,
                        500,
                        25,
                        5));
        assertThat(run("conversation.sql", "hash_id", "no-such-conversation", "limit", "10"))
                .isEmpty();
    }

    /**
     * Conversation records are cumulative: each heartbeat repeats the running totals. Two nodes'
     * trackers (Direct deployment model) each report the conversation; the flow logs of the
     * conversation ({@code logTypes: All}) carry its hash too. Own database, so the other questions'
     * answers stay those of the shared fixture.
     */
    @Test
    void conversationTotalsComeFromTheLatestRecordOfEachTracker() throws SQLException {
        String own = server.createDatabase("schema_conversations");
        SchemaTestSupport.migrator(server, SchemaTestSupport.testOptions(own), SchemaTestSupport.migrations())
                .migrate();
        String h = "e41d0c9a77b2f3";
        String common = "\"hash_id\":\"" + h
                + "\",\"src_addr\":\"::ffff:10.128.4.17\",\"dst_addr\":\"::ffff:10.129.2.34\",\"proto\":6,"
                + "\"proto_name\":\"TCP\",\"src_port\":43718,\"dst_port\":8080,\"src_k8s_namespace\":\"shop\",\"src_k8s_name\":\"frontend-x\","
                + "\"dst_k8s_namespace\":\"shop\",\"dst_k8s_name\":\"checkout-y\",\"time_flow_start_ms\":\"2026-03-10 10:00:01.000\"";
        String rows = String.join(
                        "\n",
                        conv(common, "10.0.131.7", "newConnection", "10:00:02", 1, 1040, 0, 14, 0),
                        conv(common, "10.0.131.7", "heartbeat", "10:00:32", 3, 2080, 28131, 27, 23),
                        conv(common, "10.0.131.7", "endConnection", "10:00:41", 4, 3120, 48114, 41, 37),
                        conv(common, "10.0.142.18", "newConnection", "10:00:03", 1, 0, 900, 0, 3),
                        conv(common, "10.0.142.18", "heartbeat", "10:00:33", 2, 2000, 20000, 20, 15),
                        // flow logs of the conversation (logTypes All): slices, not totals
                        "{" + common
                                + ",\"agent_ip\":\"::ffff:10.0.142.18\",\"record_type\":\"flowLog\",\"time_flow_end_ms\":\"2026-03-10 10:00:15.000\",\"bytes\":777}",
                        // another conversation, later
                        conv(common.replace(h, "77aa01"), "10.0.131.7", "newConnection", "10:02:00", 1, 60, 0, 1, 0))
                + "\n";
        SchemaTestSupport.insertJson(server, own, "flows", rows, "conversations");
        Map<String, String> p = new HashMap<>(Map.of("from", FROM, "to", TO, "hash_id", h, "limit", "10"));
        List<String> got = query(own, "conversation.sql", p);
        assertThat(got)
                .containsExactly(
                        row(
                                h,
                                "10.0.131.7",
                                "ended",
                                "2026-03-10 10:00:01.000",
                                "2026-03-10 10:00:41.000",
                                "shop/frontend-x:43718",
                                "shop/checkout-y:8080",
                                "TCP",
                                4,
                                3120,
                                48114,
                                41,
                                37),
                        row(
                                h,
                                "10.0.142.18",
                                "open",
                                "2026-03-10 10:00:01.000",
                                "2026-03-10 10:00:33.000",
                                "shop/frontend-x:43718",
                                "shop/checkout-y:8080",
                                "TCP",
                                2,
                                2000,
                                20000,
                                20,
                                15));
        // negative control: adding the records up, as for flow logs, counts the running totals again and again
        assertThat(server.queryLong(
                        own,
                        "SELECT sum(bytes_ab) FROM flows WHERE hash_id = '" + h
                                + "' AND agent_ip = toIPv6('10.0.131.7')"))
                .isEqualTo(1040 + 2080 + 3120)
                .isNotEqualTo(3120);
        // every conversation of the range, newest first, limited
        p.put("hash_id", "");
        assertThat(query(own, "conversation.sql", p))
                .hasSize(3)
                .first()
                .asString()
                .startsWith("77aa01\t");
        p.put("limit", "1");
        assertThat(query(own, "conversation.sql", p)).hasSize(1);
    }

    private static String conv(
            String common, String agent, String type, String end, int logs, long bab, long bba, long pab, long pba) {
        return "{" + common + ",\"agent_ip\":\"::ffff:" + agent + "\",\"record_type\":\"" + type
                + "\",\"time_flow_end_ms\":\"2026-03-10 "
                + end + ".000\",\"num_flow_logs\":" + logs + ",\"bytes\":" + (bab + bba) + ",\"bytes_ab\":" + bab
                + ",\"bytes_ba\":" + bba
                + ",\"packets_ab\":" + pab + ",\"packets_ba\":" + pba + "}";
    }

    private List<String> query(String database, String file, Map<String, String> params) {
        tested.add(file);
        try {
            String sql = Files.readString(SchemaTestSupport.QUERIES_DIR.resolve(file), StandardCharsets.UTF_8);
            return SchemaTestSupport.query(server, database, sql, params);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Every query refuses an empty or inverted range with its own message instead of returning
     * nothing, and the queries over the raw table refuse more than 31 days instead of scanning every
     * partition (a 30-day scan of the raw table is what took the embedded endpoint down, issue #20).
     * Parameters that are not dates fail in ClickHouse's own parameter parsing.
     */
    @Test
    void queriesRefuseEmptyInvertedAndOverlongRanges() throws IOException {
        try (Stream<Path> files = Files.list(SchemaTestSupport.QUERIES_DIR)) {
            for (Path f :
                    files.filter(p -> p.toString().endsWith(".sql")).sorted().toList()) {
                String file = f.getFileName().toString();
                Map<String, String> base = new HashMap<>(Map.of(
                        "limit", "10", "hash_id", "", "namespace", "shop", "pod", "frontend-1", "step_seconds", "60"));
                Map<String, String> inverted = new HashMap<>(base);
                inverted.putAll(Map.of("from", TO, "to", FROM));
                assertThatThrownBy(() -> query(db, file, inverted))
                        .as(file)
                        .hasMessageContaining("to must be after from");
                Map<String, String> empty = new HashMap<>(base);
                empty.putAll(Map.of("from", FROM, "to", FROM));
                assertThatThrownBy(() -> query(db, file, empty)).as(file).hasMessageContaining("to must be after from");
                Map<String, String> months = new HashMap<>(base);
                months.putAll(Map.of("from", "2026-01-01 00:00:00.000", "to", "2026-03-31 00:00:00.000"));
                if (Files.readString(f).lines().findFirst().orElse("").contains("(reads the raw table flows")) {
                    assertThatThrownBy(() -> query(db, file, months)).as(file).hasMessageContaining("at most 31 days");
                } else {
                    assertThat(query(db, file, months))
                            .as(file + " (a rollup: months are fine)")
                            .isNotNull();
                }
            }
        }
    }

    @Test
    void everyQueryFileStartsWithItsQuestionAndSource() throws IOException {
        try (Stream<Path> files = Files.list(SchemaTestSupport.QUERIES_DIR)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".sql")).toList()) {
                String first = Files.readAllLines(f, StandardCharsets.UTF_8).get(0);
                assertThat(first)
                        .as(f.getFileName().toString())
                        .startsWith("-- ")
                        .containsPattern(
                                "\\(reads (the rollup rollup_\\w+_1m; scripts/query reads its 5m/1h tiers|the raw table flows)");
                assertThat(Files.readString(f))
                        .as(f.getFileName().toString())
                        .contains("{from:DateTime64(3, 'UTC')}", "{to:DateTime64(3, 'UTC')}");
            }
        }
    }

    @AfterAll
    void everyQueryFileHasAKnownAnswerTest() throws IOException {
        try (Stream<Path> files = Files.list(SchemaTestSupport.QUERIES_DIR)) {
            Set<String> all = new HashSet<>(files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".sql"))
                    .toList());
            if (tested.size() >= 13) { // only when the whole class ran
                assertThat(tested).containsExactlyInAnyOrderElementsOf(all);
            }
        }
    }
}
