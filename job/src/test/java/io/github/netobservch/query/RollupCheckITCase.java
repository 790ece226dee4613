package io.github.netobservch.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.pipeline.PipelineTestSupport;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code scripts/rollup-check} against the real engine: with every rollup fed by the views it reports
 * agreement; after one rollup's hour is counted twice (what a ClickHouse crash mid-INSERT can leave) it
 * names exactly that table and hour, with the count difference, and the statements it prints, run as
 * printed, make the rollup agree again.
 */
@org.junit.jupiter.api.Timeout(300)
@ExtendWith(EmbeddedClickHouseExtension.class)
class RollupCheckITCase {

    private static final Instant START = Instant.parse("2026-03-09T00:00:00Z");

    @Test
    void findsTheHourARollupCountsTwiceAndItsPrintedRepairFixesIt(ClickHouseTestServer server) throws Exception {
        String db = server.createDatabase("rollup_check");
        PipelineTestSupport.applySchema(server, db);
        server.execute(
                db,
                "INSERT INTO flows (time_flow_start_ms, time_flow_end_ms, record_type, scope, direction, etype,"
                        + " k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace, src_k8s_owner_name, dst_k8s_owner_name,"
                        + " src_k8s_type, src_k8s_name, dst_k8s_type, dst_k8s_name, src_addr, dst_addr, bytes, packets,"
                        + " dns_is_response, dns_latency_ms, dns_name, time_flow_rtt_ns, pkt_drop_bytes, pkt_drop_packets)"
                        + " SELECT t - toIntervalMillisecond(500), t, 'flowLog', ['cross_node', 'to_external'][n % 2 + 1],"
                        + " ['ingress', 'egress'][n % 2 + 1], 2048, 'c1', concat('ns', toString(n % 5)),"
                        + " concat('ns', toString(n % 3)), concat('app', toString(n % 7)), concat('app', toString(n % 4)),"
                        + " 'Pod', concat('pod', toString(n % 11)), 'Pod', concat('pod', toString(n % 13)),"
                        + " toIPv6(concat('::ffff:10.0.0.', toString(n % 9))), toIPv6(concat('::ffff:203.0.113.', toString(n % 7))),"
                        + " 100 + n % 900, 1 + n % 9, n % 4 = 0, if(n % 4 = 0, n % 30, NULL), 'svc.example.',"
                        + " if(n % 3 = 0, 1000 * (n % 97), NULL), if(n % 17 = 0, 60, 0), if(n % 17 = 0, 1, 0)"
                        + " FROM (SELECT number AS n, toDateTime64('2026-03-09 00:00:00', 3, 'UTC')"
                        + " + toIntervalMillisecond(intHash32(number) % (6 * 3600 * 1000)) AS t FROM numbers(6000))");
        String[] range = {"--from", "2026-03-09", "--to", "2026-03-09 06:00"};

        CommandRun clean = run(server, db, range);
        assertThat(clean.code()).as(clean.all()).isZero();
        assertThat(clean.out()).contains("all 27 rollup tables agree with flows");

        // a batch counted twice in one hour of one tier, as a crash between its part and its dedup log can leave
        server.execute(
                db,
                "INSERT INTO rollup_workload_5m SELECT * FROM rollup_workload_5m"
                        + " WHERE minute >= '2026-03-09 02:00:00' AND minute < '2026-03-09 02:10:00'"
                        + " SETTINGS insert_deduplicate = 0");
        long doubled = server.queryLong(
                        db,
                        "SELECT sum(flows) FROM rollup_workload_5m WHERE minute >= '2026-03-09 02:00:00'"
                                + " AND minute < '2026-03-09 02:10:00'")
                / 2;
        CommandRun broken = run(server, db, range);
        assertThat(broken.code()).as(broken.all()).isEqualTo(1);
        List<String> reported =
                broken.out().lines().filter(l -> l.startsWith("rollup_")).toList();
        long expected = server.queryLong(
                db,
                "SELECT count() FROM flows WHERE record_type = 'flowLog' AND NOT duplicate"
                        + " AND toStartOfHour(time_flow_end_ms) = '2026-03-09 02:00:00'");
        assertThat(reported)
                .containsExactly("rollup_workload_5m 2026-03-09 02:00:00: " + expected + " from flows, "
                        + (expected + doubled) + " in the rollup (+" + doubled + ")");

        // the printed repair, run as printed, restores agreement
        List<String> statements = new ArrayList<>();
        for (String l : broken.out().lines().toList()) {
            if (l.startsWith("ALTER TABLE") || l.startsWith("INSERT INTO")) {
                statements.add(l.substring(0, l.length() - 1));
            }
        }
        assertThat(statements).hasSize(2);
        for (String s : statements) {
            server.execute(db, s);
        }
        CommandRun repaired = run(server, db, range);
        assertThat(repaired.code()).as(repaired.all()).isZero();

        // outside the range the check does not look; a range without a whole hour is a mistake
        CommandRun before = run(server, db, "--from", "2026-03-08", "--to", "2026-03-08 12:00");
        assertThat(before.code()).isZero();
        CommandRun empty = run(server, db, "--from", "2026-03-09 01:10", "--to", "2026-03-09 01:50");
        assertThat(empty.code()).isEqualTo(2);
        assertThat(empty.err()).contains("no whole hour");
    }

    private static CommandRun run(ClickHouseTestServer server, String db, String... range) {
        List<String> args = new ArrayList<>(List.of(
                "--clickhouse.url",
                server.httpUrl(),
                "--clickhouse.user",
                server.credentials().getProperty("user"),
                "--clickhouse.database",
                db));
        args.addAll(List.of(range));
        return CommandRun.of(
                RollupCheck::run,
                args,
                server.credentials().getProperty("password"),
                Clock.fixed(START.plusSeconds(86_400), ZoneOffset.UTC));
    }
}
