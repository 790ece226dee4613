package io.github.netobservch.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.pipeline.PipelineTestSupport;
import io.github.netobservch.schema.Migration;
import io.github.netobservch.schema.SchemaMigrator;
import io.github.netobservch.schema.SchemaOptions;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code scripts/query} against the embedded engine: for every rollup query of the pack and random
 * minute-aligned ranges, the answer read from the tiers the plan chose equals the answer of the
 * file as written (1-minute tier only), which RollupITCase and QueryPackITCase check against the raw
 * rows. The data: 60,000 flows over three days made inside ClickHouse (namespaces, workloads, nodes,
 * zones, external peers, DNS responses, RTTs, drops), loaded through the views like the job's INSERTs.
 */
@org.junit.jupiter.api.Timeout(600)
@ExtendWith(EmbeddedClickHouseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunQueryITCase {

    static final Path QUERIES =
            Migration.locateSchemaDirectory(null).getParent().resolve("queries");
    private static final Instant START = Instant.parse("2026-03-09T00:00:00Z");
    private static final Instant NOW = Instant.parse("2026-03-12T12:00:00Z");

    private ClickHouseTestServer server;
    private String db;

    @BeforeAll
    void load(ClickHouseTestServer server) throws Exception {
        this.server = server;
        this.db = server.createDatabase("run_query");
        PipelineTestSupport.applySchema(server, db);
        // Three INSERTs, so rows of one minute sit in several parts as with the job's commits.
        for (int part = 0; part < 3; part++) {
            server.execute(
                    db,
                    "INSERT INTO flows (time_flow_start_ms, time_flow_end_ms, record_type, scope, direction, etype,"
                            + " k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace, src_k8s_owner_type,"
                            + " src_k8s_owner_name, dst_k8s_owner_type, dst_k8s_owner_name, src_k8s_host_name,"
                            + " dst_k8s_host_name, src_k8s_zone, dst_k8s_zone, dst_addr, bytes, packets, src_k8s_type, src_k8s_name,"
                            + " dst_k8s_type, dst_k8s_name, src_addr,"
                            + " bytes_estimated, packets_estimated, dns_is_response, dns_latency_ms, dns_name,"
                            + " dns_flags_response_code, time_flow_rtt_ns, pkt_drop_bytes, pkt_drop_packets,"
                            + " pkt_drop_latest_drop_cause, pkt_drop_latest_state)"
                            + " SELECT t - toIntervalMillisecond(500), t, 'flowLog',"
                            + " ['cross_node', 'same_node', 'to_external', 'from_external'][n % 4 + 1],"
                            + " ['ingress', 'egress', 'inner'][n % 3 + 1], 2048, 'c1',"
                            + " concat('ns', toString(n % 7)), concat('ns', toString(n % 5)), 'Deployment',"
                            + " concat('app', toString(n % 11)), 'Deployment', concat('app', toString(n % 13)),"
                            + " concat('node', toString(n % 3)), concat('node', toString(n % 4)),"
                            + " concat('z', toString(n % 2)), concat('z', toString(n % 3)),"
                            + " toIPv6(concat('::ffff:203.0.113.', toString(n % 9))), 100 + n % 9000, 1 + n % 40,"
                            + " if(n % 5 = 0, 'Service', 'Pod'), concat('pod', toString(n % 23)), if(n % 3 = 0, 'Node', 'Pod'),"
                            + " concat('pod', toString(n % 19)), toIPv6(concat('::ffff:10.128.0.', toString(n % 31))),"
                            + " 100 + n % 9000, 1 + n % 40, n % 4 = 0, if(n % 4 = 0, n % 50, NULL),"
                            + " concat('svc', toString(n % 17), '.example.'), ['NoError', 'NXDomain', 'ServFail'][n % 3 + 1],"
                            + " if(n % 3 = 0, 1000 * (n % 997), NULL), if(n % 29 = 0, 60 * (n % 5), 0), if(n % 29 = 0, n % 5, 0),"
                            + " if(n % 29 = 0, 'SKB_DROP_REASON_NO_SOCKET', ''), if(n % 29 = 0, 'TCP_ESTABLISHED', '')"
                            + " FROM (SELECT number AS n, toDateTime64('"
                            + START.toString().replace("T", " ").replace("Z", "")
                            + "', 3, 'UTC') + toIntervalMillisecond(intHash32(number) % (3 * 86400 * 1000)) AS t"
                            + " FROM numbers(" + (part * 20_000) + ", 20000))");
        }
        assertThat(server.queryLong(db, "SELECT count() FROM flows")).isEqualTo(60_000);
        assertThat(server.queryLong(db, "SELECT sum(flows) FROM rollup_namespace_1h"))
                .isEqualTo(60_000);
    }

    private CommandRun run(String... args) {
        List<String> all = new ArrayList<>(List.of(
                "--clickhouse.url",
                server.httpUrl(),
                "--clickhouse.user",
                server.credentials().getProperty("user"),
                "--queries",
                QUERIES.toString()));
        if (!List.of(args).contains("--clickhouse.database")) {
            all.addAll(List.of("--clickhouse.database", db));
        }
        all.addAll(List.of(args));
        return CommandRun.of(
                RunQuery::run, all, server.credentials().getProperty("password"), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private static String time(Instant t) {
        return t.toString();
    }

    @Test
    void everyRollupQueryGivesTheOneMinuteAnswerFromTheTiersItReads() {
        Random rnd = new Random(11);
        List<String> rollupQueries = PackQuery.names(QUERIES).stream()
                .filter(n -> PackQuery.load(QUERIES, n).readsRollups())
                .toList();
        assertThat(rollupQueries).hasSizeGreaterThanOrEqualTo(9);
        int coarse = 0;
        for (String name : rollupQueries) {
            PackQuery q = PackQuery.load(QUERIES, name);
            for (int i = 0; i < 4; i++) {
                Instant from = START.plusSeconds(60L * rnd.nextInt(2000));
                Instant to = from.plusSeconds(60L * (1 + rnd.nextInt(i == 0 ? 50 : 3000)));
                String step = List.of("60", "300", "600", "3600").get(rnd.nextInt(4));
                String[] range = {
                    "--from", time(from), "--to", time(to), "--limit", "1000", "--format", "csv", "--step", step
                };
                if (q.params().contains("pod")) {
                    range = concat(range, new String[] {"--namespace", "ns1", "--pod", "pod1"});
                }
                CommandRun tiers = run(concat(new String[] {name}, range));
                assertThat(tiers.code()).as(name + " " + tiers.err()).isZero();
                // the same file with its 1m table and no plan: what the pack answered before the tiers
                CommandRun oneMinute = run(concat(new String[] {name, "--explain"}, range));
                assertThat(oneMinute.code()).isZero();
                String plan = oneMinute.out().lines().findFirst().orElseThrow();
                if (plan.contains("1h ") || plan.contains("5m ")) {
                    coarse++;
                }
                assertThat(tiers.out())
                        .as(name + " " + from + " .. " + to + " (" + plan + ")")
                        .isEqualTo(csv(q, from, to, step, q.params().contains("pod")));
                assertThat(tiers.out().lines().count()).as(name).isGreaterThan(1);
            }
        }
        assertThat(coarse).as("ranges that read a coarser tier").isGreaterThan(rollupQueries.size() * 2);
    }

    /** The query file as written (1m tier) through the HTTP interface, as CSV with names. */
    private String csv(PackQuery q, Instant from, Instant to, String step, boolean pod) {
        java.util.Map<String, String> p = new java.util.LinkedHashMap<>();
        p.put("from", PackQuery.parameter(from));
        p.put("to", PackQuery.parameter(to));
        p.put("limit", "1000");
        p.put("namespace", pod ? "ns1" : "");
        p.put("pod", "pod1");
        p.put("step_seconds", step);
        p.keySet().retainAll(q.params());
        return new io.github.netobservch.local.ClickHouseHttp(
                        server.httpUrl(),
                        db,
                        server.credentials().getProperty("user"),
                        server.credentials().getProperty("password"))
                .query(q.sql(), p, "CSVWithNames");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void explainShowsThePlanAndTheUnion() {
        CommandRun o =
                run("top_talkers_namespace", "--from", "2026-03-09 10:03", "--to", "2026-03-10 09:58", "--explain");
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out())
                .startsWith("-- top_talkers_namespace: 1m 2026-03-09 10:03–2026-03-09 10:05 (2 min), 5m 2026-03-09"
                        + " 10:05–2026-03-09 11:00 (55 min), 1h 2026-03-09 11:00–2026-03-10 09:00 (1320 min), 5m"
                        + " 2026-03-10 09:00–2026-03-10 09:55 (55 min), 1m 2026-03-10 09:55–2026-03-10 09:58 (3 min)")
                .contains("SELECT * FROM rollup_namespace_1h WHERE minute >= toDateTime('2026-03-09 11:00:00', 'UTC')");
        // Negative control for the equivalence above: the hour tier alone over the hours around a
        // range that does not start or end on an hour answers differently.
        PackQuery q = PackQuery.load(QUERIES, "top_talkers_namespace");
        Instant from = Instant.parse("2026-03-09T10:03:00Z");
        Instant to = Instant.parse("2026-03-10T09:58:00Z");
        String wrong = q.render(new TierPlan(List.of(new TierPlan.Segment(
                TierPlan.Tier.H1, Instant.parse("2026-03-09T10:00:00Z"), Instant.parse("2026-03-10T10:00:00Z")))));
        java.util.Map<String, String> p = java.util.Map.of(
                "from", PackQuery.parameter(Instant.parse("2026-03-09T10:00:00Z")),
                "to", PackQuery.parameter(Instant.parse("2026-03-10T10:00:00Z")),
                "limit", "1000");
        String wrongAnswer = new io.github.netobservch.local.ClickHouseHttp(
                        server.httpUrl(),
                        db,
                        server.credentials().getProperty("user"),
                        server.credentials().getProperty("password"))
                .query(wrong, p, "CSVWithNames");
        assertThat(wrongAnswer).isNotEqualTo(csv(q, from, to, "60", false));
        CommandRun raw = run("conversation", "--from", "now-1h", "--explain");
        assertThat(raw.out()).startsWith("-- conversation: reads the raw table flows");
    }

    /** A schema made with --rollup-tiers 1h --no-pod-rollups: plans use 1m and 1h only, pod queries say why they fail. */
    @Test
    void withoutTheOptionalRollupsThePlanUsesWhatExists() throws Exception {
        String lean = server.createDatabase("run_query_lean");
        new SchemaMigrator(
                        SchemaMigrator.jdbc(
                                server.httpUrl(),
                                server.credentials().getProperty("user"),
                                server.credentials().getProperty("password")),
                        SchemaOptions.defaults()
                                .withDatabase(lean)
                                .withRetention(3650, 3650, 3650)
                                .withRollupParts(java.util.Set.of("1h")),
                        Migration.loadDirectory(Migration.locateSchemaDirectory(null)))
                .migrate();
        CommandRun o = run(
                "top_talkers_namespace",
                "--clickhouse.database",
                lean,
                "--from",
                "2026-03-09 10:03",
                "--to",
                "2026-03-10 09:58",
                "--explain");
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out().lines().findFirst().orElseThrow())
                .isEqualTo("-- top_talkers_namespace: 1m 2026-03-09 10:03–2026-03-09 11:00 (57 min), 1h 2026-03-09"
                        + " 11:00–2026-03-10 09:00 (1320 min), 1m 2026-03-10 09:00–2026-03-10 09:58 (58 min)");
        CommandRun pods = run("top_talkers_pod", "--clickhouse.database", lean, "--from", "2026-03-09");
        assertThat(pods.code()).isEqualTo(2);
        assertThat(pods.err()).contains("has no rollup_pod_1m").contains("--no-pod-rollups");
    }

    @Test
    void outputFormatsAndMistakes() throws Exception {
        CommandRun table = run("traffic_by_direction", "--from", "2026-03-09", "--to", "2026-03-10");
        assertThat(table.code()).as(table.err()).isZero();
        assertThat(table.out()).contains("direction").contains("ingress").contains("┌");
        CommandRun json = run("traffic_by_direction", "--from", "2026-03-09", "--to", "2026-03-10", "--format", "json");
        assertThat(json.out().lines()).hasSize(3).allMatch(l -> l.startsWith("{\"direction\":"));
        CommandRun list = run("--list");
        assertThat(list.out()).contains("top_talkers_namespace\ttiers of rollup_namespace\t");

        assertThat(run("traffic_by_direction", "--from", "2026-03-09 10:00:30").err())
                .contains("from must be a whole minute");
        assertThat(run("no_such_query").err()).contains("no query no_such_query");
        assertThat(run("traffic_by_direction", "--from", "yesterday").code()).isEqualTo(2);
        assertThat(run("traffic_by_direction", "--format", "xml").err())
                .contains("--format must be table, csv or json");
        assertThat(run("pod_flows_over_time").err()).contains("needs --pod");
        assertThat(run("traffic_by_direction", "--clickhouse.password", "x").err())
                .contains("passwords are not taken on the command line");
        // a server error is exit status 1, with ClickHouse's message
        CommandRun bad = run("conversation", "--clickhouse.database", "no_such_db", "--from", "2026-03-09");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("conversation failed").contains("UNKNOWN_DATABASE");
        String empty = server.createDatabase("run_query_empty");
        CommandRun noSchema = run("traffic_by_direction", "--clickhouse.database", empty, "--from", "2026-03-09");
        assertThat(noSchema.code()).isEqualTo(2);
        assertThat(noSchema.err())
                .contains("database " + empty + " has no rollup_namespace_1m: apply the schema first");
    }
}
