package io.github.netobservch.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.local.EmbeddedClickHouse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two embedded servers act as the two shards of a cluster, behind a round-robin TCP proxy that
 * stands for a Kubernetes Service spanning both (as a ClickHouse operator's cluster-wide Service
 * does). A committable is committed, then re-committed after a failover.
 *
 * <p>With {@code clickhouse.shard-urls} the committable names its shard and both attempts reach it:
 * its deduplication log drops the re-commit. Negative control: the single-URL sink pointed at the
 * Service sends the re-commit over a new connection to the other shard, which never saw the token,
 * and the batch is loaded twice.
 */
@Timeout(120)
class ShardRoutingITCase {

    private static final String JOB = "00000000000000000000000000000004";

    @TempDir
    static Path dir;

    private static EmbeddedClickHouse shard0;
    private static EmbeddedClickHouse shard1;
    private static RoundRobinProxy service;

    @BeforeAll
    static void start() throws Exception {
        shard0 = EmbeddedClickHouse.start(dir.resolve("s0"), 0);
        shard1 = EmbeddedClickHouse.start(dir.resolve("s1"), 0);
        for (EmbeddedClickHouse s : List.of(shard0, shard1)) {
            try (ClickHouseInserter admin = new ClickHouseInserter(options(s.url()))) {
                admin.query("CREATE DATABASE IF NOT EXISTS shards", Map.of());
                admin.query(TestRows.ddl("shards.t", 1000), Map.of());
            }
        }
        service = new RoundRobinProxy(port(shard0.url()), port(shard1.url()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        for (EmbeddedClickHouse s : new EmbeddedClickHouse[] {shard0, shard1}) {
            if (s != null) {
                s.stop();
            }
        }
    }

    private static int port(String url) {
        return java.net.URI.create(url).getPort();
    }

    private static ClickHouseSinkOptions options(String url) {
        return ClickHouseSinkOptions.builder()
                .url(url)
                .database("shards")
                .table("t")
                .sinkName("shards")
                .backoff(Duration.ofMillis(10), Duration.ofMillis(40))
                .build();
    }

    private static ClickHouseCommittable batch(long fromSeq, int rows, int shard) {
        return TestRows.batch("shards", "shards", JOB, fromSeq, rows, true, shard);
    }

    /** Commits {@code c} with a new committer (a new connection), as attempt {@code attempt}. */
    private static void commit(ClickHouseSinkOptions o, ClickHouseCommittable c, int attempt) throws Exception {
        try (ClickHouseCommitter committer =
                new ClickHouseCommitter(o, SinkFaultInjector.NONE, JOB, attempt, 0, new UnregisteredMetricsGroup())) {
            TestRequest request = new TestRequest(c);
            committer.commit(
                    List.<org.apache.flink.api.connector.sink2.Committer.CommitRequest<ClickHouseCommittable>>of(
                            request));
            assertThat(request.signal).isEqualTo(TestRequest.Signal.NONE);
        }
    }

    private static long rows(EmbeddedClickHouse shard, long from, long to) throws Exception {
        try (ClickHouseInserter admin = new ClickHouseInserter(options(shard.url()))) {
            return admin.query("SELECT count() AS n FROM shards.t WHERE seq >= " + from + " AND seq < " + to, Map.of())
                    .get(0)
                    .getLong("n");
        }
    }

    @Test
    void withShardUrlsARecommitReachesTheShardThatHasItsToken() throws Exception {
        ClickHouseSinkOptions sharded = options(service.url()).toBuilder()
                .shardUrls(List.of(shard0.url(), shard1.url()))
                .build();
        for (int shard = 0; shard < 2; shard++) {
            long from = 10_000L * (shard + 1);
            ClickHouseCommittable c = batch(from, 100, shard);
            commit(sharded, c, 0);
            commit(
                    sharded,
                    new ClickHouseCommittableSerializer()
                            .deserialize(
                                    ClickHouseCommittableSerializer.CURRENT_VERSION,
                                    new ClickHouseCommittableSerializer().serialize(c)),
                    1);
            commit(sharded, c, 2);
            EmbeddedClickHouse home = shard == 0 ? shard0 : shard1;
            EmbeddedClickHouse other = shard == 0 ? shard1 : shard0;
            assertThat(rows(home, from, from + 100))
                    .as("shard %d holds the batch once", shard)
                    .isEqualTo(100);
            assertThat(rows(other, from, from + 100)).isZero();
        }
    }

    /** Negative control: one URL for a Service over both shards; the re-commit lands on the other shard. */
    @Test
    void throughOneServiceOverBothShardsTheRecommitIsLoadedTwice() throws Exception {
        ClickHouseSinkOptions single = options(service.url());
        ClickHouseCommittable c = batch(50_000, 100, -1);
        int before = service.connections();
        commit(single, c, 0);
        commit(single, c, 1);
        assertThat(service.connections() - before)
                .as("two committers, two connections")
                .isGreaterThanOrEqualTo(2);
        assertThat(rows(shard0, 50_000, 50_100) + rows(shard1, 50_000, 50_100)).isEqualTo(200);
    }

    @Test
    void writersSpreadTheirBatchesOverTheShards() throws Exception {
        ClickHouseSinkOptions sharded = options(service.url()).toBuilder()
                .shardUrls(List.of(shard0.url(), shard1.url()))
                .build();
        ClickHouseSinkWriter<TestRows.Row> writer = ClickHouseSinkWriter.create(
                sharded, new TestRows.Encoder(), SinkFaultInjector.NONE, JOB, 1, 0, new UnregisteredMetricsGroup());
        int[] seen = new int[2];
        for (int checkpoint = 0; checkpoint < 4; checkpoint++) {
            writer.write(TestRows.row(60_000 + checkpoint), null);
            for (ClickHouseCommittable c : writer.prepareCommit()) {
                seen[c.shard()]++;
            }
        }
        writer.close();
        assertThat(seen).containsExactly(2, 2);
        assertThat(sharded.forShard(1).endpoint()).isEqualTo(shard1.url().replaceAll("/$", ""));
    }

    /** A TCP proxy that hands each new connection to the next backend in turn. */
    static final class RoundRobinProxy implements AutoCloseable {
        private final ServerSocket server;
        private final int[] backends;
        private final AtomicInteger next = new AtomicInteger();
        private final Thread acceptor;

        RoundRobinProxy(int... backends) throws IOException {
            this.backends = backends;
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            this.acceptor = new Thread(this::accept, "round-robin-proxy");
            this.acceptor.setDaemon(true);
            this.acceptor.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getLocalPort();
        }

        int connections() {
            return next.get();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    Socket backend = new Socket(
                            InetAddress.getLoopbackAddress(), backends[next.getAndIncrement() % backends.length]);
                    pump(client, backend);
                    pump(backend, client);
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        private static void pump(Socket from, Socket to) {
            Thread t = new Thread(
                    () -> {
                        try (InputStream in = from.getInputStream();
                                OutputStream out = to.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException e) {
                            // connection closed
                        } finally {
                            try {
                                from.close();
                                to.close();
                            } catch (IOException ignored) {
                                // best effort
                            }
                        }
                    },
                    "proxy-pump");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
