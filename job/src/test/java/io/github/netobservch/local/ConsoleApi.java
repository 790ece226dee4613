package io.github.netobservch.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's NetObserv console read API (loki-api/, docs/loki-api.md): started as a separate
 * process from its jar (scripts/demo builds it and passes {@code -Dnetobservch.lokiApiJar}) on the
 * embedded ClickHouse, anonymous and on loopback only. A separate process because the job module
 * cannot depend on loki-api (loki-api's tests depend on the job).
 */
final class ConsoleApi implements AutoCloseable {

    static final String JAR_PROPERTY = "netobservch.lokiApiJar";
    static final String TOPOLOGY = "topk(5,sum by(SrcK8S_Namespace,DstK8S_Namespace)(rate("
            + "{app=\"netobserv-flowcollector\",FlowDirection=~\"^0$|^2$\"}|json|unwrap Bytes|__error__=\"\"[1m])))";

    private final Process process;
    private final String url;

    private ConsoleApi(Process process, String url) {
        this.process = process;
        this.url = url;
    }

    /** Starts the API when its jar was built; null otherwise. */
    static ConsoleApi startIfBuilt(String clickhouseUrl, String database, Path logDir) throws IOException {
        String jar = System.getProperty(JAR_PROPERTY);
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            return null;
        }
        int port = Demo.portFree(3100) ? 3100 : freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-Xmx256m",
                "-jar",
                jar,
                "--auth.anonymous",
                "--listen.host",
                "127.0.0.1",
                "--listen.port",
                Integer.toString(port),
                "--clickhouse.url",
                clickhouseUrl,
                "--clickhouse.user",
                "default",
                "--tenant",
                "netobserv=" + database));
        Files.createDirectories(logDir);
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(logDir.resolve("loki-api.log").toFile())
                .start();
        ConsoleApi api = new ConsoleApi(p, "http://127.0.0.1:" + port);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("the read API exited; see " + logDir.resolve("loki-api.log"));
            }
            try {
                if (api.get("/ready").statusCode() == 200) {
                    return api;
                }
            } catch (IOException e) {
                // not listening yet
            }
            sleep(200);
        }
        api.close();
        throw new IOException("the read API did not become ready; see " + logDir.resolve("loki-api.log"));
    }

    String url() {
        return url;
    }

    /** Prints the FlowCollector patch and one topology query with its answer. */
    void printSetup(PrintStream out) {
        out.println("NetObserv's console on these flows (Loki-compatible read API at " + url + ", docs/loki-api.md):");
        out.println("  FlowCollector patch on a cluster (there: the Service URL, TLS and authToken: Host):");
        out.println("    spec:");
        out.println("      loki:");
        out.println("        enable: true");
        out.println("        mode: Manual");
        out.println("        manual:");
        out.println("          querierUrl: " + url + "/");
        out.println("          ingesterUrl: " + url + "/");
        out.println("          tenantID: netobserv");
        out.println("      processor:");
        out.println("        filters:");
        out.println("          - query: 'without(TimeFlowEndMs)'   # keeps flowlogs-pipeline from pushing");
        out.println("            outputTarget: Loki");
        long end = System.currentTimeMillis() / 1000;
        String query = "/loki/api/v1/query_range?query=" + URLEncoder.encode(TOPOLOGY, StandardCharsets.UTF_8)
                + "&start=" + (end - 300) + "&end=" + end + "&step=15s";
        out.println("  The topology view's query (bytes/s by namespace pair, last 5 minutes):");
        out.println("    curl -s -H 'X-Scope-OrgID: netobserv' '" + url + query + "'");
        try {
            HttpResponse<String> r = get(query);
            JsonNode result = new ObjectMapper().readTree(r.body()).path("data").path("result");
            out.println("  answer: HTTP " + r.statusCode() + ", " + result.size() + " series; last value of each:");
            for (JsonNode s : result) {
                JsonNode values = s.path("values");
                JsonNode last = values.get(values.size() - 1);
                out.println(String.format(
                        "    %-20s -> %-20s %12s B/s",
                        s.path("metric").path("SrcK8S_Namespace").asText("(external)"),
                        s.path("metric").path("DstK8S_Namespace").asText("(external)"),
                        last.get(1).asText()));
            }
        } catch (IOException | RuntimeException e) {
            out.println("  query failed: " + e.getMessage());
        }
        out.println();
    }

    private HttpResponse<String> get(String pathAndQuery) throws IOException {
        try {
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(url + pathAndQuery))
                                    .header("X-Scope-OrgID", "netobserv")
                                    .timeout(Duration.ofSeconds(30))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
