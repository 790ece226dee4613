package io.github.netobservch.loki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.netobservch.loki.query.Results.Matrix;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closed by default, tenants, limits and the non-query endpoints, each answered with a status and
 * body the console plugin handles (docs/loki-api.md "Errors").
 */
@ExtendWith(EmbeddedClickHouseExtension.class)
class ApiSecurityITCase {

    private static final String TOKEN = "s3cr3t-token-for-tests";
    private static final String COUNT_ALL =
            "/loki/api/v1/query_range?query=sum(count_over_time({app=%22netobserv-flowcollector%22}[1h]))"
                    + "&start=1765000300&end=1765000300&step=60s";

    @TempDir
    static Path dir;

    private static LokiApiFixture api;

    @BeforeAll
    static void start(ClickHouseTestServer server) throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "\nother-token\n" + TOKEN + "\n", StandardCharsets.UTF_8);
        String db = TestFlows.createSchema(server);
        TestFlows.load(server, db, TestFlows.generate(600, 11, false));
        api = LokiApiFixture.on(
                server,
                db,
                "--auth.token-file",
                tokens.toString(),
                "--tenant",
                "us=" + db + "/prod-us",
                "--limits.max-query-length",
                "48h",
                "--limits.max-entries",
                "1000");
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    private static RawHttp.Response get(String target, Map<String, String> headers) throws Exception {
        return RawHttp.get(api.port(), target, headers);
    }

    private static Map<String, String> auth(String tenant) {
        return Map.of("Authorization", "Bearer " + TOKEN, "X-Scope-OrgID", tenant);
    }

    @Test
    void withoutAValidTokenEveryEndpointButReadyIsRefused() throws Exception {
        for (String path : new String[] {
            COUNT_ALL,
            "/loki/api/v1/label/SrcK8S_Namespace/values",
            "/metrics",
            "/config",
            "/loki/api/v1/status/buildinfo"
        }) {
            RawHttp.Response none = get(path, Map.of("X-Scope-OrgID", "netobserv"));
            assertThat(none.status()).as(path).isEqualTo(401);
            assertThat(LokiApiFixture.JSON.readTree(none.body()).get("error").isTextual())
                    .isTrue();
            RawHttp.Response wrong = get(path, Map.of("Authorization", "Bearer nope", "X-Scope-OrgID", "netobserv"));
            assertThat(wrong.status()).as(path).isEqualTo(401);
            assertThat(wrong.body()).doesNotContain(TOKEN);
        }
        RawHttp.Response ok = get(COUNT_ALL, auth("netobserv"));
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(get("/ready", Map.of()).body()).contains("ready");
    }

    @Test
    void tenantsMapToTheirDatabaseAndCluster() throws Exception {
        long all = count(get(COUNT_ALL, auth("netobserv")));
        long us = count(get(COUNT_ALL, auth("us")));
        long expectedUs = api.rows.stream()
                .filter(r -> r.tsMs() > TestFlows.NOW_MS - 3_600_000L && r.tsMs() <= TestFlows.NOW_MS)
                .filter(r -> "prod-us".equals(r.record().path("K8S_ClusterName").asText()))
                .count();
        assertThat(us).isEqualTo(expectedUs).isPositive();
        assertThat(all).isGreaterThan(us);

        RawHttp.Response noOrg = RawHttp.get(api.port(), COUNT_ALL, Map.of("Authorization", "Bearer " + TOKEN));
        assertThat(noOrg.status()).isEqualTo(401);
        assertThat(noOrg.body()).contains("no org id");
        RawHttp.Response unknown = get(COUNT_ALL, auth("someone-else"));
        assertThat(unknown.status()).isEqualTo(403);
        assertThat(unknown.body()).contains("unknown tenant");
    }

    private static long count(RawHttp.Response r) throws Exception {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        Matrix m = (Matrix) LokiApiFixture.decode(r.body());
        assertThat(m.series()).hasSize(1);
        return (long) m.series().get(0).points().get(0).value();
    }

    @Test
    void limitsAnswerWithLokisTextsThatTheConsoleRecognises() throws Exception {
        RawHttp.Response tooLong = get(
                "/loki/api/v1/query_range?query={app=\"netobserv-flowcollector\"}&start=1764000000&end=1765000000",
                auth("netobserv"));
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.body())
                .contains("the query time range exceeds the limit")
                .contains("limit: 48h0m0s");

        RawHttp.Response tooMany =
                get("/loki/api/v1/query_range?query={app=\"netobserv-flowcollector\"}&limit=5000", auth("netobserv"));
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.body())
                .contains("max entries limit per query exceeded")
                .contains("5000 > 1000");

        RawHttp.Response points = get(
                "/loki/api/v1/query_range?query=sum(count_over_time({app=%22netobserv-flowcollector%22}[1m]))"
                        + "&start=1765000000&end=1765100000&step=1s",
                auth("netobserv"));
        assertThat(points.status()).isEqualTo(400);
        assertThat(points.body()).contains("exceeded maximum resolution of 11,000 points");

        // 600 records, each its own _HashId: over the 500-series limit; by namespace: well under it
        String perRecord = "/loki/api/v1/query_range?query=sum%20by(_HashId)(count_over_time("
                + "{app=%22netobserv-flowcollector%22}|json[1h]))&start=1765000300&end=1765000300&step=60s";
        RawHttp.Response series = get(perRecord, auth("netobserv"));
        assertThat(series.status()).isEqualTo(400);
        assertThat(series.body()).isEqualTo("maximum of series (500) reached for a single query");
        RawHttp.Response fewSeries = get(perRecord.replace("_HashId", "SrcK8S_Namespace"), auth("netobserv"));
        assertThat(fewSeries.status()).as(fewSeries.body()).isEqualTo(200);

        RawHttp.Response malformed = get("/loki/api/v1/query_range?query={app=\"x\"", auth("netobserv"));
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.body()).startsWith("parse error at line 1, col");

        RawHttp.Response unsupported =
                get("/loki/api/v1/query_range?query=bytes_rate({app=%22x%22}[1m])", auth("netobserv"));
        assertThat(unsupported.status()).isEqualTo(400);
        assertThat(unsupported.body()).contains("bytes_rate is not supported");

        RawHttp.Response badTime = get("/loki/api/v1/query_range?query={app=\"x\"}&start=yesterday", auth("netobserv"));
        assertThat(badTime.status()).isEqualTo(400);
        assertThat(badTime.body()).contains("invalid parameter start");
    }

    @Test
    void pushIsAcceptedDiscardedAndCounted() throws Exception {
        byte[] body = new byte[300_000]; // a snappy protobuf batch, never decoded
        long before = api.api.server().metrics().pushBytes();
        RawHttp.Response r = RawHttp.send(
                api.port(),
                "POST",
                "/loki/api/v1/push",
                Map.of("Authorization", "Bearer " + TOKEN, "Content-Type", "application/x-protobuf"),
                body);
        assertThat(r.status()).isEqualTo(204);
        assertThat(api.api.server().metrics().pushBytes() - before).isEqualTo(300_000);
        RawHttp.Response anonymous = RawHttp.send(api.port(), "POST", "/loki/api/v1/push", Map.of(), new byte[10]);
        assertThat(anonymous.status()).isEqualTo(401);

        String metrics = get("/metrics", auth("netobserv")).body();
        assertThat(metrics).contains("netobserv_loki_api_push_bytes_total").contains("status_code=\"204\"");
    }

    @Test
    void statusEndpointsAnswerWhatThePluginReads() throws Exception {
        RawHttp.Response config = get("/config", auth("netobserv"));
        assertThat(config.status()).isEqualTo(200);
        assertThat(config.body())
                .contains("ingester:\n  max_chunk_age: 2h")
                .contains("max_entries_limit_per_query: 1000");
        JsonNode build = LokiApiFixture.JSON.readTree(
                get("/loki/api/v1/status/buildinfo", auth("netobserv")).body());
        assertThat(build.get("version").isTextual()).isTrue();
        RawHttp.Response values = get("/loki/api/v1/label/UDN/values", auth("netobserv"));
        assertThat(values.status()).isEqualTo(200);
        assertThat(LokiApiFixture.JSON.readTree(values.body()).get("data")).isEmpty(); // not a stream label
    }

    @Test
    void theServiceRefusesToStartWithoutAuthentication() {
        LokiApi cmd = ApiArgs.parse("--clickhouse.url", "http://127.0.0.1:1");
        assertThatThrownBy(cmd::config).hasMessageContaining("no authentication configured");
        LokiApi withCredentialsInUrl = ApiArgs.parse("--auth.anonymous", "--clickhouse.url", "http://u:p@host:8123");
        assertThatThrownBy(withCredentialsInUrl::config)
                .hasMessageContaining("must not hold credentials")
                .hasMessageNotContaining("u:p");
    }
}
