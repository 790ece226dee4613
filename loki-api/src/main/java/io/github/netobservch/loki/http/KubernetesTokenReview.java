package io.github.netobservch.loki.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.netobservch.loki.http.Authenticator.Decision;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks bearer tokens with the Kubernetes API server ({@code authentication.k8s.io/v1}
 * TokenReview), so the console plugin can authenticate with what the NetObserv operator gives it:
 * its service account token ({@code spec.loki.manual.authToken: Host}) or the console user's token
 * ({@code Forward}); flowlogs-pipeline's push carries its service account token the same way. An
 * authenticated identity is allowed when its user name or one of its groups is listed. Results
 * are cached for {@code ttl} by token digest (never by the token itself). The service account needs
 * the {@code system:auth-delegator} cluster role (the manifests bind it).
 */
public final class KubernetesTokenReview {

    private static final Logger LOG = LoggerFactory.getLogger(KubernetesTokenReview.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_CACHE = 10_000;

    private record Cached(Decision decision, long expiresMs) {}

    private final URI apiServer;
    private final Path ownTokenFile;
    private final Set<String> allowedUsers = new HashSet<>();
    private final Set<String> allowedGroups = new HashSet<>();
    private final boolean authorize;
    private final Duration ttl;
    private final Clock clock;
    private final HttpClient http;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    /**
     * @param allow user names, or {@code group:<name>} for groups
     * @param authorize also allow identities the API server authorizes to read NetObserv's flows in
     *     Loki (a SubjectAccessReview of {@code get} on {@code loki.grafana.com/network}, name
     *     {@code logs}: what NetObserv's reader role grants and LokiStack's gateway checks)
     * @param caFile the API server's CA bundle (PEM), or null for the JVM's trust store
     */
    public KubernetesTokenReview(
            URI apiServer,
            Path ownTokenFile,
            Path caFile,
            List<String> allow,
            boolean authorize,
            Duration ttl,
            Clock clock) {
        this.authorize = authorize;
        this.apiServer = apiServer;
        this.ownTokenFile = ownTokenFile;
        for (String a : allow) {
            if (a.startsWith("group:")) {
                allowedGroups.add(a.substring(6));
            } else {
                allowedUsers.add(a);
            }
        }
        if (allowedUsers.isEmpty() && allowedGroups.isEmpty() && !authorize) {
            throw new IllegalArgumentException("--auth.kubernetes needs --auth.kubernetes.allow (user or "
                    + "group:<name>) or --auth.kubernetes.authorize");
        }
        this.ttl = ttl;
        this.clock = clock;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (caFile != null && Files.exists(caFile)) {
            b.sslContext(trusting(caFile));
        }
        this.http = b.build();
    }

    Decision review(String token, byte[] digest) {
        String key = Base64.getEncoder().encodeToString(digest);
        long now = clock.millis();
        Cached c = cache.get(key);
        if (c != null && c.expiresMs() > now) {
            return c.decision();
        }
        Decision d = ask(token);
        if (cache.size() >= MAX_CACHE) {
            cache.clear();
        }
        cache.put(key, new Cached(d, now + ttl.toMillis()));
        return d;
    }

    private JsonNode post(String path, ObjectNode body) throws IOException, InterruptedException {
        String own = Files.readString(ownTokenFile, StandardCharsets.UTF_8).strip(); // rotates: read each time
        HttpRequest req = HttpRequest.newBuilder(apiServer.resolve(path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + own)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                .build();
        HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200 && r.statusCode() != 201) {
            LOG.warn("{} answered HTTP {}: is system:auth-delegator bound?", path, r.statusCode());
            return null;
        }
        return JSON.readTree(r.body()).path("status");
    }

    private Decision ask(String token) {
        try {
            ObjectNode body = JSON.createObjectNode();
            body.put("apiVersion", "authentication.k8s.io/v1");
            body.put("kind", "TokenReview");
            body.putObject("spec").put("token", token);
            JsonNode status = post("/apis/authentication.k8s.io/v1/tokenreviews", body);
            if (status == null) {
                return Decision.UNAUTHENTICATED;
            }
            if (!status.path("authenticated").asBoolean(false)) {
                return Decision.UNAUTHENTICATED;
            }
            JsonNode user = status.path("user");
            if (allowedUsers.contains(user.path("username").asText())) {
                return Decision.ALLOW;
            }
            for (JsonNode g : user.path("groups")) {
                if (allowedGroups.contains(g.asText())) {
                    return Decision.ALLOW;
                }
            }
            return authorize && mayReadFlows(user) ? Decision.ALLOW : Decision.FORBIDDEN;
        } catch (IOException e) {
            LOG.warn("TokenReview failed: {}", e.getMessage());
            return Decision.UNAUTHENTICATED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Decision.UNAUTHENTICATED;
        }
    }

    /** SubjectAccessReview: may this user {@code get} {@code loki.grafana.com/network} named {@code logs}? */
    private boolean mayReadFlows(JsonNode user) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("apiVersion", "authorization.k8s.io/v1");
        body.put("kind", "SubjectAccessReview");
        ObjectNode spec = body.putObject("spec");
        spec.put("user", user.path("username").asText());
        if (user.has("uid")) {
            spec.put("uid", user.path("uid").asText());
        }
        spec.set("groups", user.path("groups").deepCopy());
        if (user.has("extra")) {
            spec.set("extra", user.path("extra").deepCopy());
        }
        spec.putObject("resourceAttributes")
                .put("group", "loki.grafana.com")
                .put("resource", "network")
                .put("name", "logs")
                .put("verb", "get");
        JsonNode status = post("/apis/authorization.k8s.io/v1/subjectaccessreviews", body);
        return status != null && status.path("allowed").asBoolean(false);
    }

    private static SSLContext trusting(Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca-" + i++, cert);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot load the API server CA " + caFile + ": " + e.getMessage(), e);
        }
    }
}
