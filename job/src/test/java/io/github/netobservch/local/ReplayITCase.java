package io.github.netobservch.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.generate.GeneratedMessage;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code scripts/replay}'s entry point, in this JVM, on the committed fixture {@code
 * replay/sample.jsonl} (301 generator records: cross-node pairs, re-sends, legacy {@code Duplicate}
 * copies and 3 invalid lines), with its own embedded Kafka and ClickHouse as the script runs it.
 */
@org.junit.jupiter.api.Timeout(300)
@ExtendWith(EmbeddedClickHouseExtension.class)
class ReplayITCase {

    /** Ground truth of the fixture ({@link ReplayFixture#expected()}), up to the cross-reporter/re-send split. */
    static final String EXPECTED =
            "REPLAY records=301 loaded=201 duplicates_dropped=97 invalid=3 expired_by_retention=0 same_node_copies=SAME";

    @Test
    void fixtureMatchesItsGroundTruth() throws Exception {
        Replay.Summary truth = ReplayFixture.expected();
        assertThat(truth.line()).startsWith(EXPECTED.replace("SAME", Long.toString(truth.sameNodeCopies())) + " ");
        assertThat(truth.sameNodeCopies()).isPositive();
        assertThat(truth.crossReporterCopies() + truth.resends() + truth.sameNodeCopies())
                .isEqualTo(truth.duplicatesDropped());
        assertThat(ReplayFixture.roles())
                .containsEntry(GeneratedMessage.Role.INVALID, 3)
                .containsKeys(
                        GeneratedMessage.Role.CROSS_REPORTER_COPY,
                        GeneratedMessage.Role.RESEND,
                        GeneratedMessage.Role.DUPLICATE_FLAG_COPY);
        ByteArrayOutputStream expectedFile = new ByteArrayOutputStream();
        for (GeneratedMessage m : ReplayFixture.messages()) {
            expectedFile.write(m.value());
            expectedFile.write('\n');
        }
        assertThat(Files.readAllBytes(fixture()))
                .as("sample.jsonl is what ReplayFixture generates")
                .isEqualTo(expectedFile.toByteArray());
    }

    @Test
    void replaysTheFixtureIntoEmbeddedClickHouse() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Replay.run(
                new String[] {"--input", fixture().toString(), "--checkpoint-interval", "500ms"},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String log = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as(log).isZero();
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).as(log).hasSize(1);
        Replay.Summary truth = ReplayFixture.expected();
        Map<String, Long> got = fields(lines.get(0));
        assertThat(lines.get(0))
                .as(log)
                .startsWith(EXPECTED.replace("SAME", Long.toString(truth.sameNodeCopies())) + " ");
        assertThat(got.get("cross_reporter_copies") + got.get("resends"))
                .as(log)
                .isEqualTo(truth.crossReporterCopies() + truth.resends());
        assertThat(got.get("loaded")
                        + got.get("duplicates_dropped")
                        + got.get("invalid")
                        + got.get("expired_by_retention"))
                .isEqualTo(got.get("records"));
        assertThat(log).contains("all 298 valid records are within the 3650-day retention of netobserv.flows");
    }

    /**
     * Hand-written records in the shapes of real NetObserv output ({@code replay/real-shapes.jsonl}:
     * a flow log; ARP frames of 1.5, 1.6 and the 2022 agents, one a {@code Duplicate} copy; two
     * partial reports of one flow by a 1.6 agent and an FLP re-send of one; an unmarked pre-1.4 copy
     * from another interface; a conversation's newConnection/heartbeat/endConnection from the
     * other node; a flow whose {@code Bytes} drifted to a string; a record with a redacted AgentIP)
     * through the real job into ClickHouse.
     */
    @Test
    void realRecordShapesLoadAsDocumented(ClickHouseTestServer server) throws Exception {
        String db = server.createDatabase("replay_real");
        Output r = replay(server, db, "3650", "/replay/real-shapes.jsonl");
        assertThat(r.code).as(r.err).isZero();
        assertThat(r.out)
                .as(r.err)
                .isEqualTo("REPLAY records=15 loaded=11 duplicates_dropped=3 invalid=1 expired_by_retention=0"
                        + " same_node_copies=2 cross_reporter_copies=0 resends=1");
        assertThat(server.queryColumn(
                        db,
                        "SELECT concat(scope, ' ', toString(etype), ' ', toString(src_addr), ' ', proto_name, '|')"
                                + " FROM flows WHERE scope = 'non_ip' ORDER BY time_flow_end_ms"))
                .containsExactly("non_ip 2054 :: |", "non_ip 2054 :: |", "non_ip 2054 :: |");
        assertThat(server.queryColumn(
                        db,
                        "SELECT toString(time_flow_rtt_ns) FROM flows WHERE src_port = 43718 AND record_type = 'flowLog'"
                                + " AND interfaces = ['ens5'] ORDER BY time_flow_rtt_ns"))
                .containsExactly("44000", "61000");
        assertThat(server.queryColumn(db, "SELECT record_type FROM flows WHERE hash_id != '' ORDER BY num_flow_logs"))
                .containsExactly("newConnection", "heartbeat", "endConnection");
        assertThat(server.queryColumn(
                        db,
                        "SELECT concat(arrayStringConcat(parse_warnings, ','), ' ', toString(bytes), ' ', toString(length(raw) > 0))"
                                + " FROM flows WHERE notEmpty(parse_warnings)"))
                .containsExactly("Bytes:WRONG_TYPE 0 1");
        assertThat(server.queryColumn(db, "SELECT concat(reason, ' ', field) FROM flows_dlq"))
                .containsExactly("INVALID_IP AgentIP");
        assertThat(server.queryLong(db, "SELECT count() FROM flows WHERE interfaces = ['veth4f1c02ab']"))
                .as("pre-1.4 interface copy")
                .isZero();
        assertThat(server.queryLong(db, "SELECT sum(flows) FROM rollup_namespace_1m"))
                .as("rollups: IP flow logs only")
                .isEqualTo(5);
    }

    /** Older than the table's TTL: counted as such (they used to be reported as duplicates) and announced before loading. */
    @Test
    void recordsOlderThanTheRetentionAreCountedApartAndAnnounced(ClickHouseTestServer server) throws Exception {
        String db = server.createDatabase("replay_ttl");
        Output r = replay(server, db, "30", "/replay/real-shapes.jsonl");
        assertThat(r.code).as(r.err).isZero();
        assertThat(r.out)
                .as(r.err)
                .isEqualTo("REPLAY records=15 loaded=0 duplicates_dropped=3 invalid=1 expired_by_retention=11"
                        + " same_node_copies=2 cross_reporter_copies=0 resends=1");
        // negative control: what records - invalid - loaded (the old duplicates_dropped) would have said
        Map<String, Long> f = fields(r.out);
        assertThat(f.get("records") - f.get("invalid") - f.get("loaded"))
                .isEqualTo(14)
                .isNotEqualTo(f.get("duplicates_dropped"));
        assertThat(r.err)
                .contains(
                        "14 of 14 valid records end before",
                        "older than the 30-day retention (TTL) of " + db + ".flows",
                        "--retention-days");
        assertThat(server.queryLong(
                        db, "SELECT count() FROM flows WHERE toDate(time_flow_end_ms) + toIntervalDay(30) > today()"))
                .isZero();
    }

    private record Output(int code, String out, String err) {}

    private static Output replay(ClickHouseTestServer server, String db, String retentionDays, String resource)
            throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String input = Path.of(ReplayITCase.class.getResource(resource).toURI()).toString();
        int code = Replay.run(
                new String[] {
                    "--input",
                    input,
                    "--checkpoint-interval",
                    "500ms",
                    "--clickhouse.url",
                    server.httpUrl(),
                    "--clickhouse.user",
                    server.credentials().getProperty("user"),
                    "--clickhouse.database",
                    db,
                    "--retention-days",
                    retentionDays
                },
                server.credentials().getProperty("password"),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Output(code, out.toString(StandardCharsets.UTF_8).trim(), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void usageErrorsExitWithTwo() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(Replay.run(new String[0], System.out, errStream)).isEqualTo(2);
        assertThat(Replay.run(new String[] {"--input", "/nonexistent.jsonl"}, System.out, errStream))
                .isEqualTo(2);
        assertThat(Replay.run(new String[] {"--bogus"}, System.out, errStream)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("--input is required", "no such file", "Unknown option: '--bogus'");
    }

    /** The summary line's {@code key=value} fields. */
    static Map<String, Long> fields(String line) {
        Map<String, Long> f = new LinkedHashMap<>();
        for (String kv : line.substring(Replay.SUMMARY_PREFIX.length()).split(" ")) {
            int eq = kv.indexOf('=');
            f.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
        }
        return f;
    }

    static Path fixture() throws URISyntaxException {
        return Path.of(ReplayITCase.class.getResource("/replay/sample.jsonl").toURI());
    }
}
