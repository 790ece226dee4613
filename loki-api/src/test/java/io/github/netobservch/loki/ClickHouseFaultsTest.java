package io.github.netobservch.loki;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Injected ClickHouse faults: a query over ClickHouse's time limit, ClickHouse gone, and more
 * queries than the pool and queue hold. A stand-in HTTP server plays ClickHouse: it answers with
 * ClickHouse's own error text, or blocks until released.
 */
class ClickHouseFaultsTest {

    private static final String QUERY =
            "/loki/api/v1/query_range?query={app=\"netobserv-flowcollector\"}&start=1765000000&end=1765000300";
    private static final Map<String, String> ORG = Map.of("X-Scope-OrgID", "netobserv");

    private HttpServer fake;
    private LokiApi.Running api;

    @AfterEach
    void stop() {
        if (api != null) {
            api.close();
        }
        if (fake != null) {
            fake.stop(0);
        }
    }

    private LokiApi.Running start(String url, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "--auth.anonymous", "--listen.host", "127.0.0.1", "--listen.port", "0", "--clickhouse.url", url));
        args.addAll(List.of(extra));
        api = ApiArgs.start(Clock.systemUTC(), args.toArray(String[]::new));
        return api;
    }

    private String fakeClickHouse(int status, String body, CountDownLatch hold, AtomicInteger calls) throws Exception {
        fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        fake.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        fake.createContext("/", ex -> {
            calls.incrementAndGet();
            ex.getRequestBody().readAllBytes();
            try {
                if (hold != null) {
                    hold.await(30, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        });
        fake.start();
        return "http://127.0.0.1:" + fake.getAddress().getPort();
    }

    @Test
    void aQueryOverClickHousesTimeLimitIsADeadlineExceeded() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        String url = fakeClickHouse(
                500,
                "Code: 159. DB::Exception: Timeout exceeded: elapsed 25.0 seconds, maximum: 25. (TIMEOUT_EXCEEDED)",
                null,
                calls);
        RawHttp.Response r = RawHttp.get(start(url).server().port(), QUERY, ORG);
        assertThat(r.status()).isEqualTo(504);
        // the console recognises "deadline exceeded"; the body is a flat object of strings
        assertThat(LokiApiFixture.JSON.readTree(r.body()).get("error").asText()).contains("deadline exceeded");
        assertThat(calls.get()).isEqualTo(1);
    }

    @Test
    void clickHouseGoneIsAServiceUnavailableAndReadyFails() throws Exception {
        LokiApi.Running running = start("http://127.0.0.1:1");
        RawHttp.Response r = RawHttp.get(running.server().port(), QUERY, ORG);
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.body()).contains("ClickHouse unreachable");
        RawHttp.Response ready = RawHttp.get(running.server().port(), "/ready", Map.of());
        assertThat(ready.status()).isEqualTo(503);
        assertThat(ready.body()).doesNotContain("ready\n");
    }

    @Test
    void moreQueriesThanPoolAndQueueAreRefusedWithTooManyOutstandingRequests() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        String url = fakeClickHouse(200, "", hold, calls);
        int port = start(url, "--limits.workers", "1", "--limits.queue", "1")
                .server()
                .port();
        List<CompletableFuture<RawHttp.Response>> inFlight = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            inFlight.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return RawHttp.get(port, QUERY, ORG);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (calls.get() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(10); // wait until the one worker is inside ClickHouse
        }
        Thread.sleep(200); // and the second query sits in the queue
        RawHttp.Response third = RawHttp.get(port, QUERY, ORG);
        assertThat(third.status()).isEqualTo(429);
        assertThat(third.body()).contains("too many outstanding requests");
        hold.countDown();
        for (CompletableFuture<RawHttp.Response> f : inFlight) {
            assertThat(f.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
        }
    }
}
