package io.github.netobservch.local;

import io.github.netobservch.cli.Cli;
import io.github.netobservch.cli.Cli.Opt;
import io.github.netobservch.generate.FlowGenerator;
import io.github.netobservch.generate.GeneratedMessage;
import io.github.netobservch.generate.GeneratorConfig;
import io.github.netobservch.generate.GroundTruth;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * {@code scripts/demo}: the whole path on one machine — an embedded ClickHouse, an embedded Kafka
 * broker, the realistic flow generator producing to {@code flows-export} at a steady rate, and the
 * real job (unbounded Kafka source, exactly-once ClickHouse sinks, checkpoints) on a local Flink
 * MiniCluster. Prints progress, then stops cleanly (generator first, then the job with a draining
 * savepoint so every record is committed), shows a few query-pack answers and how to query.
 */
public final class Demo {

    static final String DATABASE = "netobserv";
    static final String TOPIC = "flows-export";
    static final String GROUP = "netobserv-demo";

    private final Cli.Args cl;
    private final PrintStream out;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);

    private Demo(Cli.Args cl, PrintStream out) {
        this.cl = cl;
        this.out = out;
    }

    public static final Cli CLI = new Cli(
            "scripts/demo",
            List.of(
                    "Runs NetObserv flows → Kafka → Flink → ClickHouse on this machine: an embedded ClickHouse and",
                    "Kafka, a realistic flow generator and the real exactly-once job on a local Flink cluster.",
                    "Ctrl-C stops cleanly at any time (the job drains and commits what was produced).",
                    ""),
            List.of(
                    Opt.option("--rate", "N", "records per second to produce (default 2000)"),
                    Opt.option("--duration", "D", "how long to produce, e.g. 60s, 5min (default 60s)"),
                    Opt.option(
                            "--records",
                            "N",
                            "produce N records instead (at --rate), and the few that complete the last flow slice"),
                    Opt.option("--data-dir", "DIR", "ClickHouse data (default ./data/demo; kept between runs)"),
                    Opt.option("--clickhouse-port", "N", "HTTP port (default 8123, or a free one when 8123 is taken)"),
                    Opt.flag("--keep-running", "keep ClickHouse up after the job stopped, until Ctrl-C"),
                    Opt.option("--checkpoint-interval", "D", "default 5s (rows become visible at each checkpoint)"),
                    Opt.option("--parallelism", "N", "job parallelism (default 2)"),
                    Opt.option("--partitions", "N", "partitions of flows-export (default 3)"),
                    Opt.option("--seed", "N", "generator seed (default: the clock)"),
                    Opt.option("--progress-every", "D", "progress line interval (default 5s)")),
            List.of());

    static String usage() {
        return CLI.usage();
    }

    public static void main(String[] args) {
        PrintStream stdout = System.out;
        System.setOut(System.err); // the embedded broker prints its start-up chatter to System.out
        Cli.Args cl;
        try {
            cl = CLI.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("demo: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        if (cl.help()) {
            stdout.println(usage());
            return;
        }
        Demo demo = new Demo(cl, stdout);
        Signals.onInterrupt(demo::requestStop);
        int code;
        try {
            code = demo.run();
        } catch (IllegalArgumentException e) {
            stdout.println("demo: " + e.getMessage());
            code = 2;
        } catch (RuntimeException e) {
            stdout.println("demo: failed: " + e.getMessage());
            e.printStackTrace();
            code = 1;
        }
        stdout.flush();
        System.exit(code);
    }

    /** First Ctrl-C: stop cleanly. A second one while stopping: give up at once. */
    void requestStop() {
        if (!stopRequested.compareAndSet(false, true)) {
            out.println("\ndemo: second interrupt, exiting without waiting");
            Runtime.getRuntime().halt(130);
        }
        out.println("\ndemo: stopping (Ctrl-C again to abort)…");
        finished.countDown();
    }

    int run() {
        long rate = cl.getLong("--rate", 2000);
        Duration duration = cl.getDuration("--duration", Duration.ofSeconds(60));
        long maxRecords = cl.getLong("--records", -1);
        Path dataDir =
                Path.of(cl.get("--data-dir", "data/demo")).toAbsolutePath().normalize();
        Duration checkpoint = cl.getDuration("--checkpoint-interval", Duration.ofSeconds(5));
        Duration every = cl.getDuration("--progress-every", Duration.ofSeconds(5));
        int parallelism = (int) cl.getLong("--parallelism", 2);
        int partitions = (int) cl.getLong("--partitions", 3);
        long seed = cl.getLong("--seed", System.currentTimeMillis());
        boolean keepRunning = cl.has("--keep-running");
        if (rate < 1 || parallelism < 1 || partitions < 1 || (cl.has("--records") && maxRecords < 1)) {
            throw new IllegalArgumentException("--rate, --records, --parallelism and --partitions must be positive");
        }
        int port = (int) cl.getLong("--clickhouse-port", portFree(8123) ? 8123 : 0);

        EmbeddedClickHouse clickhouse = null;
        EmbeddedKafka kafka = null;
        LocalFlink flink = null;
        Generator generator = null;
        ConsoleApi consoleApi = null;
        try {
            out.println("NetObserv flows → Kafka → Flink → ClickHouse, on this machine");
            out.println();
            long t0 = System.nanoTime();
            Files.createDirectories(dataDir);
            clickhouse = EmbeddedClickHouse.startDetached(dataDir.resolve("clickhouse"), port);
            String url = clickhouse.url();
            step("ClickHouse", url + "  (embedded, data in " + dataDir.resolve("clickhouse") + ")");
            LocalJob.applySchema(url, DATABASE, "default", "", 0, line -> {});
            step("Schema", "database " + DATABASE + ": flows, flows_dlq, 1-minute rollups (sql/schema)");
            consoleApi = ConsoleApi.startIfBuilt(
                    url,
                    DATABASE,
                    Path.of(System.getProperty("netobservch.repo", ".")).resolve("job/target/local"));
            if (consoleApi != null) {
                step("Console API", consoleApi.url() + "  (Loki-compatible read API for NetObserv's console)");
            }
            checkStop();
            kafka = EmbeddedKafka.start();
            kafka.createTopic(TOPIC, partitions);
            step(
                    "Kafka",
                    kafka.bootstrapServers() + "  (embedded, topic " + TOPIC + ", " + partitions + " partitions)");
            checkStop();

            ClickHouseHttp ch = new ClickHouseHttp(url, DATABASE, "default", "");
            long flowsBefore = ch.queryLong("SELECT count() FROM flows");
            long dlqBefore = ch.queryLong("SELECT count() FROM flows_dlq");

            Map<String, String> options = new LinkedHashMap<>();
            options.put("kafka.bootstrap-servers", kafka.bootstrapServers());
            options.put("kafka.topics", TOPIC);
            options.put("kafka.group-id", GROUP);
            options.put("kafka.starting-offsets", "earliest");
            options.put("clickhouse.url", url);
            options.put("clickhouse.database", DATABASE);
            options.put("checkpoint.interval", Cli.flinkDuration(checkpoint));
            options.put("job.name", "netobserv-demo");
            flink = LocalFlink.start(parallelism);
            LocalFlink.Job job = LocalJob.submit(flink, LocalJob.config(options), parallelism, false);
            job.awaitRunning(Duration.ofMinutes(2));
            step(
                    "Flink",
                    "job running on a local MiniCluster (parallelism " + parallelism
                            + ", exactly-once, checkpoint every " + human(checkpoint) + "), REST "
                            + flink.restAddress());
            step("Started in", String.format("%.1f s", (System.nanoTime() - t0) / 1e9));
            out.println();

            long startMs = System.currentTimeMillis();
            generator = new Generator(
                    kafka.bootstrapServers(),
                    seed,
                    rate,
                    maxRecords > 0 ? maxRecords : Long.MAX_VALUE,
                    maxRecords > 0 ? null : duration,
                    startMs);
            generator.start();
            out.printf(
                    "Producing %s records/s to %s for %s; progress every %s (Ctrl-C stops cleanly):%n%n",
                    LocalJob.n(rate),
                    TOPIC,
                    maxRecords > 0 ? LocalJob.n(maxRecords) + " records" : human(duration),
                    human(every));
            String header = String.format(
                    "%7s %11s %13s %13s %15s %12s",
                    "elapsed", "produced", "loaded flows", "dead letters", "valid − loaded*", "checkpoints");
            out.println(header);
            long nextProgress = System.nanoTime() + every.toNanos();
            while (!stopRequested.get() && generator.isAlive()) {
                awaitStop(Math.max(1, (nextProgress - System.nanoTime()) / 1_000_000));
                if (System.nanoTime() >= nextProgress) {
                    progress(ch, job, generator, flowsBefore, dlqBefore, startMs);
                    nextProgress += every.toNanos();
                }
            }
            out.println("  * duplicates dropped + records not committed yet (rows appear when a checkpoint completes)");
            generator.stopAndJoin();
            generator.rethrow();
            out.printf(
                    "%nGenerator stopped after %s records; waiting until the job has read them all…%n",
                    LocalJob.n(generator.produced.get()));
            awaitRead(kafka.bootstrapServers(), Duration.ofMinutes(1));
            out.println("Draining the job (stop-with-savepoint, final commit)…");
            long drain0 = System.nanoTime();
            job.stopWithDrain(dataDir.resolve("savepoints").toUri().toString(), Duration.ofMinutes(3));
            job.await(Duration.ofMinutes(1));
            out.printf(
                    "Job stopped, every produced record committed (%.1f s).%n%n", (System.nanoTime() - drain0) / 1e9);
            progress(ch, job, generator, flowsBefore, dlqBefore, startMs);

            long loaded = ch.queryLong("SELECT count() FROM flows") - flowsBefore;
            long dead = ch.queryLong("SELECT count() FROM flows_dlq") - dlqBefore;
            long valid = generator.valid.get();
            out.println();
            out.println("Summary");
            out.printf(
                    "  produced            %12s  (%s valid, %s invalid)%n",
                    LocalJob.n(generator.produced.get()),
                    LocalJob.n(valid),
                    LocalJob.n(generator.produced.get() - valid));
            out.printf("  loaded into flows   %12s%n", LocalJob.n(loaded));
            out.printf("  dead-lettered       %12s  (flows_dlq)%n", LocalJob.n(dead));
            out.printf(
                    "  duplicates dropped  %12s  (valid − loaded: the other node's copies, Duplicate copies, re-sends)%n",
                    LocalJob.n(valid - loaded));
            long truth = generator.truth.result().rows();
            out.printf(
                    "  generator's truth   %12s  flows to count → %s%n",
                    LocalJob.n(truth), truth == loaded ? "exact match" : "MISMATCH");
            out.println();

            printQueries(ch, startMs);
            printHowToQuery(url);
            if (consoleApi != null) {
                consoleApi.printSetup(out);
            }

            // Ends the job's part: Flink and Kafka are no longer needed.
            flink.close();
            flink = null;
            kafka.close();
            kafka = null;
            if (keepRunning && !stopRequested.get()) {
                out.println("ClickHouse keeps running (--keep-running); Ctrl-C to stop it.");
                try {
                    finished.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return 0;
        } catch (IOException e) {
            throw new IllegalStateException(e.toString(), e);
        } catch (Stopped e) {
            out.println("demo: stopped before the job started");
            return 130;
        } finally {
            if (generator != null) {
                generator.stopAndJoin();
            }
            closeQuietly(flink);
            closeQuietly(kafka);
            closeQuietly(consoleApi);
            if (clickhouse != null) {
                clickhouse.stop();
            }
            out.println("Stopped: ClickHouse, Kafka and Flink are down.");
        }
    }

    /**
     * Waits until the job's source has committed offsets up to the end of the topic (it commits them
     * when a checkpoint completes). A stop-with-savepoint stops the source where it is, so without
     * this wait the last records produced, still unread, would not be loaded and the count against
     * the generator's truth would come out a few short.
     */
    private void awaitRead(String bootstrap, Duration timeout) {
        long end = EmbeddedKafka.totalEndOffset(bootstrap, TOPIC);
        long deadline = System.nanoTime() + timeout.toNanos();
        long read;
        while ((read = EmbeddedKafka.committedOffsets(bootstrap, GROUP, TOPIC)) < end) {
            if (System.nanoTime() > deadline) {
                out.printf(
                        "demo: the job has read %s of %s records after %s; stopping anyway%n",
                        LocalJob.n(read), LocalJob.n(end), human(timeout));
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void progress(
            ClickHouseHttp ch, LocalFlink.Job job, Generator g, long flowsBefore, long dlqBefore, long startMs) {
        long loaded = ch.queryLong("SELECT count() FROM flows") - flowsBefore;
        long dead = ch.queryLong("SELECT count() FROM flows_dlq") - dlqBefore;
        long elapsed = (System.currentTimeMillis() - startMs) / 1000;
        out.println(String.format(
                "%6ds %11s %13s %13s %15s %12s",
                elapsed,
                LocalJob.n(g.produced.get()),
                LocalJob.n(loaded),
                LocalJob.n(dead),
                LocalJob.n(g.valid.get() - loaded),
                LocalJob.n(job.completedCheckpoints())));
    }

    private void printQueries(ClickHouseHttp ch, long startMs) {
        // Rollups are whole minutes of TimeFlowEndMs: from the minute before the start to the next minute.
        Instant from =
                Instant.ofEpochMilli(startMs).truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(1));
        Instant to = Instant.now().truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(2));
        Map<String, String> params = new LinkedHashMap<>();
        params.put("from", ts(from));
        params.put("to", ts(to));
        params.put("limit", "8");
        QueryPack pack = new QueryPack(ch);
        for (String[] q : new String[][] {
            {"top_talkers_namespace", "0"}, {"traffic_matrix_namespace", "10"}, {"dns_latency_by_name", "0"}
        }) {
            out.println(pack.title(q[0]));
            out.println("  sql/queries/" + q[0] + ".sql, from " + params.get("from") + " to " + params.get("to")
                    + ("0".equals(q[1]) ? ", limit 8" : ", first " + q[1] + " rows"));
            try {
                String table = pack.table(q[0], params, Integer.parseInt(q[1]));
                out.println(table.isBlank() ? "  (no rows)" : table.stripTrailing());
            } catch (RuntimeException e) {
                out.println("  query failed: " + e.getMessage());
            }
            out.println();
        }
    }

    private void printHowToQuery(String url) {
        out.println("Query the data yourself (ClickHouse HTTP interface, database " + DATABASE + "):");
        out.println("  curl '" + url + "/?database=" + DATABASE + "' --data-binary \\");
        out.println("    \"SELECT src_k8s_namespace, dst_k8s_namespace, formatReadableSize(sum(bytes)) AS bytes"
                + " FROM flows GROUP BY ALL ORDER BY sum(bytes) DESC LIMIT 5 FORMAT PrettyCompact\"");
        out.println("  curl '" + url + "/?database=" + DATABASE
                + "&param_from=2020-01-01%2000:00:00&param_to=2100-01-01%2000:00:00&param_limit=5' \\");
        out.println("    --data-binary @" + LocalJob.sqlDir().resolve("queries/top_talkers_node.sql")
                + "   # any query-pack file, with its parameters");
        out.println("  Tables: flows (raw), flows_dlq (dead letters), rollup_*_1m (1-minute rollups).");
        out.println();
    }

    private void step(String what, String detail) {
        out.printf("  %-11s %s%n", what, detail);
    }

    private void awaitStop(long ms) {
        try {
            finished.await(ms, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopRequested.set(true);
        }
    }

    private void checkStop() {
        if (stopRequested.get()) {
            throw new Stopped();
        }
    }

    private static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    static String ts(Instant i) {
        return i.toString().replace('T', ' ').replace("Z", "");
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + " ms";
        }
        return s % 60 == 0 && s >= 60 ? (s / 60) + " min" : s + " s";
    }

    static boolean portFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new java.net.InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // shutting down anyway
        }
    }

    /** Produces generated records at a steady rate, keeping the ground truth. */
    static final class Generator extends Thread {
        final AtomicLong produced = new AtomicLong();
        final AtomicLong valid = new AtomicLong();
        final GroundTruth.Accumulator truth = new GroundTruth.Accumulator();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        private final String bootstrap;
        private final FlowGenerator generator;
        private final long rate;
        private final long maxRecords;
        private final Duration duration;

        Generator(String bootstrap, long seed, long rate, long maxRecords, Duration duration, long startMs) {
            super("demo-generator");
            setDaemon(true);
            this.bootstrap = bootstrap;
            this.rate = rate;
            this.maxRecords = maxRecords;
            this.duration = duration;
            // Now-based timestamps advancing at the production rate: event time follows the wall clock.
            this.generator = new FlowGenerator(GeneratorConfig.live(seed, startMs, rate));
        }

        @Override
        public void run() {
            try (KafkaProducer<byte[], byte[]> producer = EmbeddedKafka.bulkProducer(bootstrap)) {
                long t0 = System.nanoTime();
                long end = duration == null ? Long.MAX_VALUE : t0 + duration.toNanos();
                GeneratedMessage last = null;
                while (!stop.get() && produced.get() < maxRecords) {
                    long now = System.nanoTime();
                    if (now >= end) {
                        break;
                    }
                    long due = Math.min(maxRecords, (long) ((now - t0) / 1e9 * rate) + 1);
                    while (produced.get() < due && !stop.get()) {
                        last = send(producer, generator.next());
                    }
                    Thread.sleep(5);
                }
                // not between a slice's reports (GroundTruth.cleanCutAfter): a few more messages at most
                while (!GroundTruth.cleanCutAfter(last)) {
                    last = send(producer, generator.next());
                }
                producer.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            }
        }

        private GeneratedMessage send(KafkaProducer<byte[], byte[]> producer, GeneratedMessage m) {
            producer.send(new ProducerRecord<>(TOPIC, m.value()), (md, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                }
            });
            if (m.valid()) {
                valid.incrementAndGet();
            }
            truth.add(m);
            produced.incrementAndGet();
            return m;
        }

        void stopAndJoin() {
            stop.set(true);
            try {
                join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void rethrow() {
            if (failure.get() != null) {
                throw new IllegalStateException("producing failed: " + failure.get(), failure.get());
            }
        }
    }
}
