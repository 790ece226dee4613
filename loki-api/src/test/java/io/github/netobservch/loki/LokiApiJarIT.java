package io.github.netobservch.loki;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.loki.query.Results.Matrix;
import io.github.netobservch.loki.query.Results.Streams;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import java.io.File;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar as the image runs it ({@code java -jar}, nothing else on the classpath): it
 * holds the service and its libraries only, starts, answers the plugin's raw request lines from
 * the embedded ClickHouse, and never logs its token. Runs after {@code package} (Failsafe).
 */
@Timeout(180)
@ExtendWith(EmbeddedClickHouseExtension.class)
class LokiApiJarIT {

    private static final File JAR = new File("target/netobserv-clickhouse-loki-api.jar");
    private static final String TOKEN = "jar-it-token-7f3a";

    @TempDir
    Path dir;

    @Test
    void theJarHoldsOnlyTheService() throws Exception {
        try (JarFile jar = new JarFile(JAR)) {
            List<String> names = Collections.list(jar.entries()).stream()
                    .map(e -> e.getName())
                    .filter(n -> !n.endsWith("/"))
                    .collect(Collectors.toList());
            assertThat(names).contains("io/github/netobservch/loki/LokiApi.class", "log4j2.properties");
            assertThat(names)
                    .noneMatch(n -> n.startsWith("io/github/netobservch/loki/")
                            && (n.contains("Test") || n.contains("ITCase") || n.contains("/bench/")));
            assertThat(names).noneMatch(n -> n.startsWith("org/apache/flink/") || n.startsWith("org/apache/kafka/"));
            assertThat(names)
                    .noneMatch(n ->
                            n.startsWith("io/github/netobservch/") && !n.startsWith("io/github/netobservch/loki/"));
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("io.github.netobservch.loki.LokiApi");
        }
    }

    @Test
    void theJarServesThePluginFromClickHouse(ClickHouseTestServer server) throws Exception {
        String db = TestFlows.createSchema(server);
        TestFlows.load(server, db, TestFlows.generate(500, 5, false));
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, TOKEN + "\n");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = dir.resolve("loki-api.log");
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-jar",
                        JAR.getAbsolutePath(),
                        "--listen.host",
                        "127.0.0.1",
                        "--listen.port",
                        Integer.toString(port),
                        "--clickhouse.url",
                        server.httpUrl(),
                        "--clickhouse.user",
                        server.credentials().getProperty("user"),
                        "--tenant",
                        "netobserv=" + db,
                        "--auth.token-file",
                        tokens.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            Map<String, String> auth = Map.of("Authorization", "Bearer " + TOKEN, "X-Scope-OrgID", "netobserv");
            long deadline = System.nanoTime() + 60_000_000_000L;
            int ready = 0;
            while (System.nanoTime() < deadline && ready != 200) {
                try {
                    ready = RawHttp.get(port, "/ready", Map.of()).status();
                } catch (java.io.IOException e) {
                    Thread.sleep(200);
                }
            }
            assertThat(ready).as(Files.readString(log)).isEqualTo(200);
            String q26 = "/loki/api/v1/query_range?query={app=\"netobserv-flowcollector\"}|json"
                    + "|SrcAddr=ip(\"10.128.0.0/16\")+or+SrcAddr=ip(\"fd01::/16\")&start=1764996700&end=1765000300&limit=100";
            RawHttp.Response logs = RawHttp.get(port, q26, auth);
            assertThat(logs.status()).as(logs.body()).isEqualTo(200);
            assertThat(((Streams) LokiApiFixture.decode(logs.body())).entryCount())
                    .isEqualTo(100);
            String topology = "/loki/api/v1/query_range?query=topk(50,sum%20by(SrcK8S_Namespace,DstK8S_Namespace)"
                    + "(rate({app=%22netobserv-flowcollector%22,FlowDirection=~%22^0$|^2$%22}|json|unwrap%20Bytes"
                    + "|__error__=%22%22[2m])))&start=1764996700&end=1765000300&step=60s";
            RawHttp.Response matrix = RawHttp.get(port, topology, auth);
            assertThat(matrix.status()).as(matrix.body()).isEqualTo(200);
            assertThat(((Matrix) LokiApiFixture.decode(matrix.body())).series()).isNotEmpty();
            assertThat(RawHttp.get(port, topology, Map.of("X-Scope-OrgID", "netobserv"))
                            .status())
                    .isEqualTo(401);
        } finally {
            p.destroy();
            p.waitFor();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(output).contains("Loki API listening").doesNotContain(TOKEN);
    }
}
