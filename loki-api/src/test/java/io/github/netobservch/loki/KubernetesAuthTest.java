package io.github.netobservch.loki;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --auth.kubernetes} against a stand-in API server that answers TokenReviews the way
 * Kubernetes documents them: the plugin's service account is allowed, another authenticated
 * identity is forbidden, an unknown token is unauthenticated, answers are cached by digest, and the
 * API server sees this pod's own token, never the reviewed one in a header.
 */
class KubernetesAuthTest {

    private static final String PLUGIN_SA = "system:serviceaccount:netobserv:netobserv-plugin";

    @TempDir
    Path dir;

    private HttpServer apiServer;
    private LokiApi.Running api;
    private final List<String> reviewed = new CopyOnWriteArrayList<>();
    private final List<String> callers = new CopyOnWriteArrayList<>();
    private final List<JsonNode> accessReviews = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        apiServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        apiServer.createContext("/apis/authentication.k8s.io/v1/tokenreviews", ex -> {
            JsonNode req = LokiApiFixture.JSON.readTree(ex.getRequestBody());
            String token = req.path("spec").path("token").asText();
            reviewed.add(token);
            callers.add(ex.getRequestHeaders().getFirst("Authorization"));
            String status =
                    switch (token) {
                        case "plugin-token" ->
                            "{\"authenticated\":true,\"user\":{\"username\":\"" + PLUGIN_SA
                                    + "\",\"groups\":[\"system:serviceaccounts\",\"system:authenticated\"]}}";
                        case "alice-token" ->
                            "{\"authenticated\":true,\"user\":{\"username\":\"alice\","
                                    + "\"groups\":[\"system:authenticated\"]}}";
                        case "carol-token" ->
                            "{\"authenticated\":true,\"user\":{\"username\":\"carol\","
                                    + "\"uid\":\"u-1\",\"groups\":[\"system:authenticated\"]}}";
                        case "admin-token" ->
                            "{\"authenticated\":true,\"user\":{\"username\":\"bob\","
                                    + "\"groups\":[\"netobserv-admins\",\"system:authenticated\"]}}";
                        default -> "{\"authenticated\":false,\"error\":\"invalid bearer token\"}";
                    };
            byte[] body = ("{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\",\"status\":" + status
                            + "}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(201, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        // SubjectAccessReview: carol holds NetObserv's reader role (get loki.grafana.com/network "logs")
        apiServer.createContext("/apis/authorization.k8s.io/v1/subjectaccessreviews", ex -> {
            JsonNode req = LokiApiFixture.JSON.readTree(ex.getRequestBody());
            accessReviews.add(req);
            JsonNode attrs = req.path("spec").path("resourceAttributes");
            boolean allowed = req.path("spec").path("user").asText().equals("carol")
                    && attrs.path("group").asText().equals("loki.grafana.com")
                    && attrs.path("resource").asText().equals("network")
                    && attrs.path("name").asText().equals("logs")
                    && attrs.path("verb").asText().equals("get");
            byte[] body = ("{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SubjectAccessReview\","
                            + "\"status\":{\"allowed\":" + allowed + "}}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(201, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        apiServer.start();
        Path own = dir.resolve("token");
        Files.writeString(own, "own-service-account-token\n");
        LokiApi cmd = ApiArgs.parse(
                "--listen.host",
                "127.0.0.1",
                "--listen.port",
                "0",
                "--clickhouse.url",
                "http://127.0.0.1:1",
                "--auth.kubernetes",
                "--auth.kubernetes.allow",
                PLUGIN_SA + ",group:netobserv-admins",
                "--auth.kubernetes.api-url",
                "http://127.0.0.1:" + apiServer.getAddress().getPort(),
                "--auth.kubernetes.token-file",
                own.toString(),
                "--auth.kubernetes.ca-file",
                dir.resolve("absent-ca.crt").toString());
        api = LokiApi.start(cmd.config(), Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        api.close();
        apiServer.stop(0);
    }

    private int status(String token) throws Exception {
        Map<String, String> h = token == null ? Map.of() : Map.of("Authorization", "Bearer " + token);
        return RawHttp.get(api.server().port(), "/config", h).status();
    }

    @Test
    void identitiesAreCheckedWithTheApiServer() throws Exception {
        assertThat(status("plugin-token")).isEqualTo(200);
        assertThat(status("admin-token")).isEqualTo(200); // allowed by group
        assertThat(status("alice-token")).isEqualTo(403); // authenticated, not allowed
        assertThat(status("forged")).isEqualTo(401);
        assertThat(status(null)).isEqualTo(401);
        assertThat(callers).allMatch("Bearer own-service-account-token"::equals);
    }

    @Test
    void withAuthorizeTheApiServerDecidesWhoMayReadFlows() throws Exception {
        // the allow-listed API of @BeforeEach does not ask: carol is authenticated but not listed
        assertThat(status("carol-token")).isEqualTo(403);
        assertThat(accessReviews).isEmpty();
        api.close();
        LokiApi cmd = ApiArgs.parse(
                "--listen.host",
                "127.0.0.1",
                "--listen.port",
                "0",
                "--clickhouse.url",
                "http://127.0.0.1:1",
                "--auth.kubernetes",
                "--auth.kubernetes.authorize",
                "--auth.kubernetes.api-url",
                "http://127.0.0.1:" + apiServer.getAddress().getPort(),
                "--auth.kubernetes.token-file",
                dir.resolve("token").toString(),
                "--auth.kubernetes.ca-file",
                dir.resolve("absent-ca.crt").toString());
        api = LokiApi.start(cmd.config(), Clock.systemUTC());
        assertThat(status("carol-token")).isEqualTo(200);
        assertThat(status("alice-token")).isEqualTo(403);
        assertThat(status("forged")).isEqualTo(401);
        JsonNode carol = accessReviews.stream()
                .filter(r -> r.path("spec").path("user").asText().equals("carol"))
                .findFirst()
                .orElseThrow();
        assertThat(carol.path("spec").path("uid").asText()).isEqualTo("u-1");
        assertThat(carol.path("spec").path("groups").get(0).asText()).isEqualTo("system:authenticated");
        assertThat(accessReviews).noneMatch(r -> r.toString().contains("carol-token"));
    }

    @Test
    void answersAreCachedByTokenDigest() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(status("plugin-token")).isEqualTo(200);
            assertThat(status("forged")).isEqualTo(401);
        }
        assertThat(reviewed).containsExactlyInAnyOrder("plugin-token", "forged");
    }

    @Test
    void flowlogsPipelinePushIsCheckedTheSameWay() throws Exception {
        int port = api.server().port();
        assertThat(RawHttp.send(
                                port,
                                "POST",
                                "/loki/api/v1/push",
                                Map.of("Authorization", "Bearer plugin-token"),
                                new byte[64])
                        .status())
                .isEqualTo(204);
        assertThat(RawHttp.send(port, "POST", "/loki/api/v1/push", Map.of(), new byte[64])
                        .status())
                .isEqualTo(401);
    }
}
