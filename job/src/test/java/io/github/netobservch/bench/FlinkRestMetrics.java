package io.github.netobservch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads one job's metrics through Flink's REST API, as an operator's dashboard would: a vertex's
 * metric summed over its subtasks, and a vertex's back-pressure ratio. Values lag by up to
 * {@code metrics.fetcher.update-interval}; -1 means "not reported yet".
 */
final class FlinkRestMetrics {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI rest;
    private final String jobId;
    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, String> metricNames = new HashMap<>();

    FlinkRestMetrics(URI rest, String jobId) {
        this.rest = rest;
        this.jobId = jobId;
    }

    /** Id of the first vertex whose name contains {@code part} (e.g. "dedup", "Source"). */
    Optional<String> vertex(String part) {
        for (JsonNode v : get("/jobs/" + jobId).path("vertices")) {
            if (v.path("name").asText().contains(part)) {
                return Optional.of(v.path("id").asText());
            }
        }
        return Optional.empty();
    }

    /**
     * Sum over the vertex's subtasks of the metric whose name ends with {@code suffix} (operator
     * metrics are named {@code <operator>.<group>.<name>} there, the operator name with {@code _} for
     * spaces and colons), or -1.
     */
    long sum(String vertexId, String suffix) {
        String path = "/jobs/" + jobId + "/vertices/" + vertexId + "/subtasks/metrics";
        String name = metricNames.get(vertexId + suffix);
        if (name == null) {
            for (JsonNode m : get(path)) {
                String id = m.path("id").asText();
                if (id.endsWith(suffix)) {
                    name = id;
                    metricNames.put(vertexId + suffix, id);
                    break;
                }
            }
            if (name == null) {
                return -1;
            }
        }
        for (JsonNode m : get(path + "?agg=sum&get=" + URLEncoder.encode(name, StandardCharsets.UTF_8))) {
            if (m.has("sum")) {
                return Math.round(m.path("sum").asDouble());
            }
        }
        return -1;
    }

    /** Highest back-pressure ratio (0–1) among the vertex's subtasks, or -1. */
    double backPressure(String vertexId) {
        JsonNode bp = get("/jobs/" + jobId + "/vertices/" + vertexId + "/backpressure");
        if (!"ok".equals(bp.path("status").asText())) {
            return -1;
        }
        double max = -1;
        for (JsonNode s : bp.path("subtasks")) {
            max = Math.max(max, s.path("ratio").asDouble(-1));
        }
        return max;
    }

    private JsonNode get(String path) {
        HttpRequest request = HttpRequest.newBuilder(rest.resolve(path))
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build();
        try {
            HttpResponse<String> response =
                    client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() != 200) {
                return JSON.missingNode();
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            return JSON.missingNode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return JSON.missingNode();
        }
    }
}
