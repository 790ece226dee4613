package io.github.netobservch.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.netobservch.local.EmbeddedClickHouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink under a least-privilege ClickHouse user, on the embedded endpoint with users and grants
 * ({@code --users-file}, which checks privileges as ClickHouse documents them; see its README).
 *
 * <p>An INSERT-only user — what the deployment docs used to prescribe — can load rows, but after a
 * failover the presence probe's {@code SELECT} is refused (497), a permanent error, and every restore
 * fails the same way. The preflight now runs each statement shape once and stops the job at start
 * with the {@code GRANT} that is missing; with the documented grants it passes and a restore's probe
 * runs.
 */
@Timeout(120)
class ClickHousePrivilegesITCase {

    private static final String JOB = "00000000000000000000000000000003";

    @TempDir
    static Path dir;

    private static EmbeddedClickHouse server;

    @BeforeAll
    static void start() throws Exception {
        Path users = dir.resolve("users.json");
        Files.writeString(users, """
                {"admin": {"password": "a", "grants": ["ALL"]},
                 "insert_only": {"password": "i", "grants": ["INSERT ON priv.t"]},
                 "writer": {"password": "w", "grants": ["INSERT ON priv.t", "SELECT(seq) ON priv.t"]},
                 "reader": {"password": "r", "grants": ["SELECT(seq) ON priv.t"]}}
                """);
        server = EmbeddedClickHouse.start(dir.resolve("data"), 0, List.of("--users-file", users.toString()));
        try (ClickHouseInserter admin = new ClickHouseInserter(options("admin", "a"))) {
            admin.query("CREATE DATABASE priv", java.util.Map.of());
            admin.query(TestRows.ddl("priv.t", 1000), java.util.Map.of());
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private static ClickHouseSinkOptions options(String user, String password) {
        return ClickHouseSinkOptions.builder()
                .url(server.url())
                .database("priv")
                .table("t")
                .sinkName("priv")
                .user(user)
                .password(password)
                .backoff(Duration.ofMillis(10), Duration.ofMillis(40))
                .build();
    }

    private static ClickHouseCommittable batch(long fromSeq, int rows) {
        return TestRows.batch("priv", "priv", JOB, fromSeq, rows, true, -1);
    }

    private static TestRequest commit(ClickHouseSinkOptions o, ClickHouseCommittable c, int attempt) throws Exception {
        try (ClickHouseCommitter committer =
                new ClickHouseCommitter(o, SinkFaultInjector.NONE, JOB, attempt, 0, new UnregisteredMetricsGroup())) {
            TestRequest request = new TestRequest(c);
            committer.commit(
                    List.<org.apache.flink.api.connector.sink2.Committer.CommitRequest<ClickHouseCommittable>>of(
                            request));
            request.metrics = committer.metrics();
            return request;
        }
    }

    @Test
    void anInsertOnlyUserIsStoppedAtStartWithTheMissingGrant() {
        assertThatThrownBy(() -> ClickHousePreflight.check(options("insert_only", "i"), new TestRows.Encoder()))
                .isInstanceOf(ClickHousePreflightException.class)
                .hasMessageContaining("the ClickHouse user may not run the presence probe on priv.t")
                .hasMessageContaining("the server asks for SELECT(seq) ON priv.t")
                .hasMessageContaining("run GRANT SELECT(seq) ON priv.t TO insert_only");
    }

    /** Negative control: what the INSERT-only user does without the preflight — loads rows, then fails every restore. */
    @Test
    void withoutThePreflightAnInsertOnlyUserFailsEveryRestore() throws Exception {
        ClickHouseCommittable c = batch(1, 20);
        assertThat(commit(options("insert_only", "i"), c, 0).signal)
                .as("a clean first commit needs no SELECT")
                .isEqualTo(TestRequest.Signal.NONE);
        for (int attempt = 1; attempt <= 2; attempt++) {
            TestRequest restored = commit(options("insert_only", "i"), c, attempt);
            assertThat(restored.signal).isEqualTo(TestRequest.Signal.FAILED_UNKNOWN);
            assertThat(restored.failure)
                    .hasMessageContaining("497 (ACCESS_DENIED)")
                    .hasMessageContaining("lacks a privilege")
                    .hasMessageContaining("not a connectivity problem")
                    .hasMessageNotContaining("unreachable");
        }
    }

    @Test
    void theDocumentedGrantsPassThePreflightAndARestoreIsChecked() throws Exception {
        ClickHousePreflight.Report report = ClickHousePreflight.check(options("writer", "w"), new TestRows.Encoder());
        assertThat(report.engine()).isEqualTo("MergeTree");
        ClickHouseCommittable c = batch(1_001, 30);
        assertThat(commit(options("writer", "w"), c, 0).signal).isEqualTo(TestRequest.Signal.NONE);
        TestRequest restored = commit(options("writer", "w"), c, 1);
        assertThat(restored.signal).isEqualTo(TestRequest.Signal.NONE);
        assertThat(restored.metrics.inDoubtChecks.getCount())
                .as("the probe ran under the sink's user")
                .isEqualTo(1);
        try (ClickHouseInserter admin = new ClickHouseInserter(options("admin", "a"))) {
            assertThat(admin.query(
                                    "SELECT count() AS n FROM priv.t WHERE seq >= 1001 AND seq < 2000",
                                    java.util.Map.of())
                            .get(0)
                            .getLong("n"))
                    .isEqualTo(30);
        }
    }

    @Test
    void aUserThatMayNotInsertIsStoppedAtStart() {
        assertThatThrownBy(() -> ClickHousePreflight.check(options("reader", "r"), new TestRows.Encoder()))
                .isInstanceOf(ClickHousePreflightException.class)
                .hasMessageContaining("the ClickHouse user may not insert into priv.t")
                .hasMessageContaining("run GRANT INSERT ON priv.t TO reader");
    }
}
