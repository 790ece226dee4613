package io.github.netobservch.loki;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Why the API runs on Netty: the plugin's request lines carry unencoded {@code { } " | ` ^ $}.
 * The JDK's built-in server refuses them (the negative control); this server reaches routing and
 * decodes the query, {@code +or+} included (ClickHouse is absent here, so the answer is 503).
 */
class RequestLineTest {

    private static final String Q26 = "/loki/api/v1/query_range?query={app=\"netobserv-flowcollector\"}|json"
            + "|SrcAddr=ip(\"10.128.0.1\")+or+SrcAddr=ip(\"10.128.0.2\")";
    private static final String Q21 = "/loki/api/v1/query_range?query={app=\"netobserv-flowcollector\"}"
            + "|~`SrcK8S_Name\":\"(?i)[^\"]*name1.*\"|SrcK8S_Name\":\"(?i)[^\"]*name2.*\"`";

    @Test
    void theJdkServerRejectsThePluginsRequestLines() throws Exception {
        HttpServer jdk = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        jdk.createContext("/", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        jdk.start();
        try {
            assertThat(RawHttp.get(jdk.getAddress().getPort(), Q26, Map.of()).status())
                    .isEqualTo(400);
        } finally {
            jdk.stop(0);
        }
    }

    @Test
    void thisServerAcceptsThemAndDecodesTheQuery() throws Exception {
        LokiApi cmd = ApiArgs.parse(
                "--auth.anonymous",
                "--listen.host",
                "127.0.0.1",
                "--listen.port",
                "0",
                "--clickhouse.url",
                "http://127.0.0.1:1");
        try (LokiApi.Running api = LokiApi.start(cmd.config(), Clock.systemUTC())) {
            for (String target : new String[] {Q26, Q21}) {
                RawHttp.Response r = RawHttp.get(api.server().port(), target, Map.of("X-Scope-OrgID", "netobserv"));
                // parsed and planned (a parse error would be 400), then ClickHouse is unreachable
                assertThat(r.status()).as(r.body()).isEqualTo(503);
            }
            RawHttp.Response broken = RawHttp.get(
                    api.server().port(),
                    "/loki/api/v1/query_range?query={app=\"x\"}|json|a=ip(\"1.2.3.4\")+or+",
                    Map.of("X-Scope-OrgID", "netobserv"));
            assertThat(broken.status()).isEqualTo(400);
            assertThat(broken.body()).startsWith("parse error");
        }
    }
}
