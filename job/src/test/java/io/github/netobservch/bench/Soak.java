package io.github.netobservch.bench;

import io.github.netobservch.cli.Cli;
import io.github.netobservch.cli.Cli.Opt;
import io.github.netobservch.config.JobConfig;
import io.github.netobservch.dedup.DedupMetrics;
import io.github.netobservch.generate.FlowGenerator;
import io.github.netobservch.generate.GeneratedMessage;
import io.github.netobservch.generate.GeneratorConfig;
import io.github.netobservch.generate.GroundTruth;
import io.github.netobservch.local.ClickHouseHttp;
import io.github.netobservch.local.EmbeddedClickHouse;
import io.github.netobservch.local.EmbeddedKafka;
import io.github.netobservch.local.LocalFlink;
import io.github.netobservch.local.LocalJob;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * {@code scripts/soak}: sustained load on the real job (embedded Kafka and ClickHouse, exactly-once
 * sink, parallelism 2), bounded in time, ending with the line {@code SOAK ok}, {@code SOAK unbounded:
 * <figures>}, {@code SOAK inconclusive: <why>} (too short to compare) or {@code SOAK failed: <why>}.
 *
 * <ol>
 *   <li>Rate: {@code --rate N}, or {@code --rate-share} (0.8) of the maximum sustainable rate, probed
 *       first with a separate job on its own topic and database: the producer keeps a backlog, and
 *       the rate is what the job commits to ClickHouse per second after a warm-up, in input records.
 *   <li>Soak: a paced producer at that rate into {@code flows-export}; every {@code --sample-every}
 *       a table row: produced, loaded rows, consumer lag (end offsets − committed offsets), live heap
 *       (used right after {@code System.gc()}: every component runs in this JVM), the latest
 *       checkpoint's size and duration, live dedup keys ({@code flowDedup.liveKeys} through the REST
 *       API), active ClickHouse parts and the source's back-pressure.
 *   <li>Slow ClickHouse: for {@code --slow-clickhouse-phase}, starting at 30 % of the run, each
 *       INSERT into {@code flows} takes {@code --slow-insert-delay} longer (a materialized view
 *       that sleeps on every inserted block: the server itself is slow). Input stays at the rate, so
 *       lag grows while the sink's slow commits back-pressure the job; afterwards the job catches up.
 *   <li>Drain: production stops, the job reads everything, stops with a draining savepoint; rows,
 *       unique offsets, byte/packet sums and dead letters must equal the generator's ground truth.
 *   <li>Verdict ({@link SoakVerdict}): steady samples of the first half (after a warm-up of 15 % of the
 *       run, while the dedup state fills) against the second half.
 * </ol>
 */
public final class Soak {

    public static final String SOAK_PREFIX = "SOAK ";
    static final String TOPIC = "flows-export";
    static final String DATABASE = "netobserv";
    static final String GROUP = "soak";
    /** The Kafka source's output count in the REST API (operator "Source: kafka: flows"). */
    static final String SOURCE_RECORDS_OUT = "Source__kafka__flows.numRecordsOut";

    static final String SLOW_SINK = "soak_slow_sink";
    static final String SLOW_VIEW = "soak_slow_insert_";
    /** ClickHouse's sleep() stops at 3 s per block and call ({@code function_sleep_max_microseconds_per_block}). */
    static final double MAX_SLEEP_PER_VIEW_S = 3.0;

    private final PrintStream out;
    private final StringBuilder report = new StringBuilder();

    private Soak(PrintStream out) {
        this.out = out;
    }

    public static final Cli CLI = new Cli(
            "scripts/soak",
            List.of(
                    "Sustained load on the real job (embedded Kafka and ClickHouse, exactly-once sink), bounded in",
                    "time, ending with SOAK ok | unbounded: <figures> | inconclusive: <why> | failed: <why>.",
                    ""),
            List.of(
                    Opt.option("--duration", "D", "how long to produce at the soak rate (default 10m)"),
                    Opt.option("--rate", "N", "records/s to produce (skips the probe)"),
                    Opt.option("--rate-share", "F", "share of the probed maximum rate (default 0.8)"),
                    Opt.option("--max-rate-probe", "D", "length of the maximum-rate probe (default 60s)"),
                    Opt.option(
                            "--slow-clickhouse-phase",
                            "D",
                            "how long ClickHouse is slow, from 30 % of the run" + " (default 2m; 0 = none)"),
                    Opt.option(
                            "--slow-insert-delay",
                            "D",
                            "added to every INSERT into flows meanwhile (default 0.2 ×" + " checkpoint interval)"),
                    Opt.option("--sample-every", "D", "table row interval (default 10s)"),
                    Opt.option("--checkpoint-interval", "D", "job checkpoint interval (default 5s)"),
                    Opt.option("--parallelism", "N", "job parallelism (default 2)"),
                    Opt.option("--partitions", "N", "partitions of flows-export (default 4)"),
                    Opt.option("--seed", "N", "generator seed (default 42)"),
                    Opt.option(
                            "--drain-timeout",
                            "D",
                            "how long to wait for the job to read everything at the end" + " (default 10m)"),
                    Opt.option("--out", "FILE", "results file (default job/target/soak/results-<timestamp>.txt)"),
                    Opt.option(
                            "--backlog",
                            "N",
                            "catch-up run instead: produce N records first, then start the job"
                                    + " and let it read them (no probe, no paced or slow phase); exact totals and peak heap")),
            List.of("", "The heap limit is the JVM's (scripts/soak --heap, default 1g)."));

    static String usage() {
        return CLI.usage();
    }

    public static void main(String[] args) throws Exception {
        PrintStream stdout = System.out;
        System.setOut(System.err); // the embedded broker prints its start-up chatter to System.out
        int code = run(args, stdout);
        stdout.flush();
        System.exit(code);
    }

    /** Runs the soak; the report goes to {@code out}. Returns 0 for {@code SOAK ok}, 1 otherwise, 2 for bad usage. */
    public static int run(String[] args, PrintStream out) throws Exception {
        Cli.Args cl;
        try {
            cl = CLI.parse(args);
        } catch (IllegalArgumentException e) {
            out.println("soak: " + e.getMessage());
            out.println(usage());
            return 2;
        }
        if (cl.help()) {
            out.println(usage());
            return 0;
        }
        Settings s;
        try {
            s = Settings.of(cl);
        } catch (IllegalArgumentException e) {
            out.println("soak: " + e.getMessage());
            return 2;
        }
        return new Soak(out).execute(s);
    }

    /** The run's parameters. */
    record Settings(
            Duration duration,
            long rate,
            double rateShare,
            Duration probe,
            Duration slowPhase,
            Duration slowDelay,
            Duration sampleEvery,
            Duration checkpoint,
            int parallelism,
            int partitions,
            long seed,
            Duration drainTimeout,
            Path out,
            long backlog) {

        static Settings of(Cli.Args cl) {
            Duration checkpoint = cl.getDuration("--checkpoint-interval", Duration.ofSeconds(5));
            Settings s = new Settings(
                    cl.getDuration("--duration", Duration.ofMinutes(10)),
                    cl.getLong("--rate", -1),
                    share(cl.get("--rate-share", "0.8")),
                    cl.getDuration("--max-rate-probe", Duration.ofSeconds(60)),
                    cl.getDuration("--slow-clickhouse-phase", Duration.ofMinutes(2)),
                    cl.getDuration("--slow-insert-delay", Duration.ofMillis(checkpoint.toMillis() / 5)),
                    cl.getDuration("--sample-every", Duration.ofSeconds(10)),
                    checkpoint,
                    (int) cl.getLong("--parallelism", 2),
                    (int) cl.getLong("--partitions", 4),
                    cl.getLong("--seed", 42),
                    cl.getDuration("--drain-timeout", Duration.ofMinutes(10)),
                    Path.of(cl.get(
                            "--out",
                            "job/target/soak/results-"
                                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                                    + ".txt")),
                    cl.getLong("--backlog", 0));
            if (cl.has("--backlog") && s.backlog < 1) {
                throw new IllegalArgumentException("--backlog must be positive");
            }
            if (cl.has("--backlog")
                    && (cl.has("--rate")
                            || cl.has("--rate-share")
                            || cl.has("--duration")
                            || cl.has("--slow-clickhouse-phase"))) {
                throw new IllegalArgumentException("--backlog runs without --rate, --rate-share, --duration and"
                        + " --slow-clickhouse-phase: the job reads a backlog produced before it starts");
            }
            if (cl.has("--rate") && cl.has("--rate-share")) {
                throw new IllegalArgumentException("give --rate or --rate-share, not both");
            }
            if (cl.has("--rate") && s.rate < 1
                    || s.rateShare <= 0
                    || s.parallelism < 1
                    || s.partitions < 1
                    || s.duration.isZero()
                    || s.sampleEvery.isZero()
                    || s.checkpoint.isZero()) {
                throw new IllegalArgumentException("--rate, --rate-share, --parallelism, --partitions, --duration,"
                        + " --sample-every and --checkpoint-interval must be positive");
            }
            if (s.slowPhase.compareTo(s.duration.dividedBy(2)) > 0) {
                throw new IllegalArgumentException(
                        "--slow-clickhouse-phase must be at most half of --duration (it starts"
                                + " at 30 % and the job needs time to catch up afterwards)");
            }
            return s;
        }

        /** The first samples are not compared: the dedup state fills for a few minutes (flows, window, waits). */
        long warmUpMs() {
            return duration.toMillis() * 15 / 100;
        }

        private static double share(String v) {
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--rate-share: not a number: " + v);
            }
        }

        long slowStartMs() {
            return duration.toMillis() * 30 / 100;
        }

        long slowEndMs() {
            return slowStartMs() + slowPhase.toMillis();
        }
    }

    // ------------------------------------------------------------------ run

    private int execute(Settings s) throws Exception {
        long maxHeap = Runtime.getRuntime().maxMemory();
        line("soak: " + Benchmark.machine().replace("\n", "; "));
        Path tmp = Files.createTempDirectory("netobserv-soak");
        EmbeddedClickHouse clickhouse = null;
        EmbeddedKafka kafka = null;
        LocalFlink flink = null;
        Admin admin = null;
        String verdict;
        try {
            clickhouse = EmbeddedClickHouse.start(tmp.resolve("clickhouse"), 0);
            kafka = EmbeddedKafka.start();
            admin = Admin.create(kafka.clientProperties());
            Configuration cluster = new Configuration();
            // The REST metrics (dedup keys, back-pressure) refresh at least twice per sample.
            cluster.set(
                    MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL,
                    Duration.ofMillis(
                            Math.max(500, Math.min(2_000, s.sampleEvery().toMillis() / 2))));
            flink = LocalFlink.start(s.parallelism(), cluster);

            if (s.backlog() > 0) {
                verdict = catchUp(s, clickhouse.url(), kafka, admin, flink, tmp, maxHeap);
            } else {
                long rate = s.rate();
                if (rate < 0) {
                    double max = probe(s, clickhouse.url(), kafka, admin, flink);
                    rate = Math.max(1, Math.round(max * s.rateShare()));
                    line(String.format(
                            "soak: rate %,d records/s = %.0f %% of the probed maximum", rate, s.rateShare() * 100));
                } else {
                    line(String.format("soak: rate %,d records/s (given)", rate));
                }
                verdict = soak(s, rate, clickhouse.url(), kafka, admin, flink, tmp, maxHeap);
            }
        } catch (RuntimeException e) {
            verdict = SOAK_PREFIX + "failed: " + (e.getMessage() != null ? e.getMessage() : e.toString());
            e.printStackTrace();
        } finally {
            if (admin != null) {
                admin.close();
            }
            closeQuietly(flink);
            closeQuietly(kafka);
            if (clickhouse != null) {
                clickhouse.stop();
            }
            LocalJob.deleteRecursively(tmp);
        }
        return finish(s, verdict);
    }

    private int finish(Settings s, String verdict) throws java.io.IOException {
        Path outFile = s.out();
        Files.createDirectories(outFile.toAbsolutePath().getParent());
        Files.writeString(outFile, report + verdict + "\n", StandardCharsets.UTF_8);
        out.println("soak: results written to " + outFile.toAbsolutePath());
        out.println(verdict);
        return verdict.equals(SOAK_PREFIX + "ok") ? 0 : 1;
    }

    /**
     * The maximum sustainable rate in records/s, with a separate job reading a backlog: rows committed
     * to ClickHouse per second between the first and the last commit seen in the probe's second half
     * (whole checkpoint cycles, so the writer's buffering between checkpoints cannot inflate it; the
     * first half lets the dedup state grow, an empty one is faster), times the generator's records per
     * row. An estimate: other load on the machine moves it.
     */
    private double probe(Settings s, String url, EmbeddedKafka kafka, Admin admin, LocalFlink flink) {
        String topic = "soak-probe";
        String database = "soak_probe";
        String group = "soak-probe";
        line(String.format("soak: probing the maximum rate for %s (own topic, database and job)…", human(s.probe())));
        kafka.createTopic(topic, s.partitions());
        LocalJob.applySchema(url, database, "default", "", 3650, l -> {});
        ClickHouseHttp ch = new ClickHouseHttp(url, database, "default", "");
        AtomicLong read = new AtomicLong();
        // Unread records for a few checkpoints of a fast job, never an unbounded pile. Produced before the
        // job starts, so the measured job does not share the CPU with the generator's first burst;
        // afterwards the producer only tops the backlog up, at the job's own pace.
        long backlog = Math.max(30_000, 3 * ((s.checkpoint().toMillis() + 999) / 1000) * 10_000);
        Producer producer = new Producer(kafka.bootstrapServers(), topic, s.seed() + 1, -1, () -> read.get() + backlog);
        producer.start();
        long fillDeadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (producer.produced.get() < backlog && System.nanoTime() < fillDeadline) {
            producer.rethrow();
            sleep(100);
        }
        LocalFlink.Job job = LocalJob.submit(
                flink, jobConfig(s, kafka.bootstrapServers(), url, topic, database, group), s.parallelism(), false);
        job.awaitRunning(Duration.ofMinutes(2));
        FlinkRestMetrics rest =
                new FlinkRestMetrics(flink.restAddress(), job.id().toHexString());
        String source =
                rest.vertex("Source").orElseThrow(() -> new IllegalStateException("no source vertex in the probe job"));
        long t0 = System.nanoTime();
        long warmUp = t0 + s.probe().toNanos() / 2;
        long end = t0 + s.probe().toNanos();
        long firstT = -1;
        long firstRows = -1;
        long lastT = -1;
        long lastRows = -1;
        long previous = 0;
        int nextRead = 0;
        while (System.nanoTime() < end) {
            sleep(100);
            producer.rethrow();
            if (++nextRead % 5 == 0) {
                read.set(Math.max(read.get(), rest.sum(source, SOURCE_RECORDS_OUT)));
                failIfJobBroken(job);
            }
            long now = System.nanoTime();
            long rows = ch.queryLong("SELECT count() FROM flows");
            if (rows != previous && now >= warmUp) {
                if (firstT < 0) {
                    firstT = now;
                    firstRows = rows;
                } else {
                    lastT = now;
                    lastRows = rows;
                }
            }
            previous = rows;
        }
        producer.stopAndJoin();
        job.cancel();
        GroundTruth truth = producer.truth();
        double recordsPerRow = (double) producer.produced.get() / Math.max(1, truth.rows());
        try {
            admin.deleteTopics(List.of(topic)).all().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // a leftover topic only costs disk in the temporary directory
        }
        new ClickHouseHttp(url, null, "default", "").execute("DROP DATABASE IF EXISTS " + database + " SYNC");
        if (lastT < 0 || lastT - firstT < s.probe().toNanos() / 4) {
            throw new IllegalStateException("the probe saw too few commits after its warm-up; use a longer"
                    + " --max-rate-probe or give --rate");
        }
        double rowsPerSecond = (lastRows - firstRows) / ((lastT - firstT) / 1e9);
        double rate = rowsPerSecond * recordsPerRow;
        line(String.format(
                "soak: probe: %,.0f records/s (%,.0f rows/s committed over %.1f s after a %.0f s warm-up,"
                        + " %.2f records per row after dedup, backlog %,d records)",
                rate, rowsPerSecond, (lastT - firstT) / 1e9, s.probe().toSeconds() / 2.0, recordsPerRow, backlog));
        return rate;
    }

    private String soak(
            Settings s,
            long rate,
            String url,
            EmbeddedKafka kafka,
            Admin admin,
            LocalFlink flink,
            Path tmp,
            long maxHeap) {
        kafka.createTopic(TOPIC, s.partitions());
        LocalJob.applySchema(url, DATABASE, "default", "", 3650, l -> {});
        ClickHouseHttp ch = new ClickHouseHttp(url, DATABASE, "default", "");
        LocalFlink.Job job = LocalJob.submit(
                flink, jobConfig(s, kafka.bootstrapServers(), url, TOPIC, DATABASE, GROUP), s.parallelism(), false);
        job.awaitRunning(Duration.ofMinutes(2));
        FlinkRestMetrics rest =
                new FlinkRestMetrics(flink.restAddress(), job.id().toHexString());
        String dedupVertex = rest.vertex("dedup").orElse(null);
        String sourceVertex = rest.vertex("Source").orElse(null);

        line(String.format(
                "soak: %s at %,d records/s into %s (%d partitions), job parallelism %d, checkpoint every %s,"
                        + " max heap %,d MB",
                human(s.duration()),
                rate,
                TOPIC,
                s.partitions(),
                s.parallelism(),
                human(s.checkpoint()),
                maxHeap >> 20));
        if (!s.slowPhase().isZero()) {
            line(String.format(
                    "soak: slow ClickHouse from %s to %s: every INSERT into flows takes %s longer",
                    human(Duration.ofMillis(s.slowStartMs())),
                    human(Duration.ofMillis(s.slowEndMs())),
                    human(s.slowDelay())));
        }
        line("soak: lag = records in Kafka not yet committed by the job (the connector commits every few seconds);"
                + " heap = in use right after a full GC (Kafka, Flink, producer and job share this JVM); ckpt = latest"
                + " completed checkpoint (offsets, dedup state, pending inserts); dedup keys = flowDedup.liveKeys;"
                + " parts = active parts of database " + DATABASE
                + "; bp = share of time the source was back-pressured");
        line("");
        header();

        Producer producer = new Producer(kafka.bootstrapServers(), TOPIC, s.seed(), rate, null);
        List<SoakVerdict.Sample> samples = new ArrayList<>();
        long steadyLagMax = 0;
        long steadyLagFirst = -1;
        long steadyLagLast = -1;
        long recoveredAtMs = -1;
        long slowLagMax = 0;
        long slowHeapMax = 0;
        double slowBpMax = 0;
        boolean slowOn = false;
        int views = 0;
        long t0 = System.nanoTime();
        producer.start();
        long nextSample = s.sampleEvery().toMillis();
        long durationMs = s.duration().toMillis();
        while (true) {
            long elapsed = (System.nanoTime() - t0) / 1_000_000;
            if (!s.slowPhase().isZero() && !slowOn && elapsed >= s.slowStartMs() && elapsed < s.slowEndMs()) {
                views = slowDown(ch, s.slowDelay());
                slowOn = true;
            }
            if (slowOn && elapsed >= s.slowEndMs()) {
                speedUp(ch, views);
                slowOn = false;
            }
            if (elapsed >= nextSample || elapsed >= durationMs) {
                SoakVerdict.Phase phase = phaseAt(s, elapsed, recoveredAtMs);
                SoakVerdict.Sample sample =
                        sample(elapsed, phase, producer, ch, admin, job, rest, dedupVertex, sourceVertex);
                if (phase == SoakVerdict.Phase.STEADY && elapsed < s.slowStartMs()) {
                    steadyLagMax = Math.max(steadyLagMax, sample.lag());
                    steadyLagFirst = steadyLagFirst < 0 ? sample.lag() : steadyLagFirst;
                    steadyLagLast = sample.lag();
                }
                if (phase == SoakVerdict.Phase.SLOW || phase == SoakVerdict.Phase.RECOVERING) {
                    slowLagMax = Math.max(slowLagMax, sample.lag());
                    slowHeapMax = Math.max(slowHeapMax, sample.heapBytes());
                    slowBpMax = Math.max(slowBpMax, sample.backPressure());
                }
                if (phase == SoakVerdict.Phase.RECOVERING
                        && recoveredAtMs < 0
                        && sample.lag() <= recoveredLag(s, rate, steadyLagMax)) {
                    recoveredAtMs = elapsed;
                }
                samples.add(sample);
                print(sample);
                failIfJobBroken(job);
                while (nextSample <= elapsed) {
                    nextSample += s.sampleEvery().toMillis();
                }
            }
            if (elapsed >= durationMs) {
                break;
            }
            producer.rethrow();
            sleep(Math.min(200, Math.max(1, Math.min(nextSample, durationMs) - elapsed)));
        }
        if (slowOn) {
            speedUp(ch, views);
        }
        producer.stopAndJoin();
        producer.rethrow();
        boolean slowPhaseRan = !s.slowPhase().isZero();
        boolean lagRecovered = !slowPhaseRan || recoveredAtMs >= 0;

        // Drain: the job reads everything produced, then stops with a draining savepoint (which commits the
        // rest). "Read" is the source's record count; the committed offsets would do too, but the connector
        // commits them to Kafka only every few seconds.
        long drainStart = System.nanoTime();
        long drainDeadline = drainStart + s.drainTimeout().toNanos();
        long endOffsets = EmbeddedKafka.totalEndOffset(admin, TOPIC);
        LongSupplier read = () -> Math.max(
                EmbeddedKafka.committedOffsets(admin, GROUP, TOPIC),
                sourceVertex == null ? -1 : rest.sum(sourceVertex, SOURCE_RECORDS_OUT));
        while (read.getAsLong() < endOffsets) {
            if (System.nanoTime() > drainDeadline) {
                throw new IllegalStateException("the job had not read everything " + human(s.drainTimeout())
                        + " after production ended (" + (endOffsets - read.getAsLong()) + " records unread)");
            }
            long elapsed = (System.nanoTime() - t0) / 1_000_000;
            if (elapsed >= nextSample) {
                print(sample(
                        elapsed,
                        SoakVerdict.Phase.DRAINING,
                        producer,
                        ch,
                        admin,
                        job,
                        rest,
                        dedupVertex,
                        sourceVertex));
                failIfJobBroken(job);
                nextSample += s.sampleEvery().toMillis();
            }
            sleep(200);
        }
        double readAllS = (System.nanoTime() - drainStart) / 1e9;
        LocalFlink.CheckpointFigures cp = job.checkpoints(); // before the stop, which declines the one in flight
        job.stopWithDrain(tmp.resolve("savepoints").toUri().toString(), Duration.ofMinutes(5));
        job.await(Duration.ofMinutes(1));
        line(String.format(
                "soak: production ended; the job read the rest in %.1f s and stopped with a draining savepoint",
                readAllS));

        boolean exact = exact(producer, ch, durationMs);
        line(String.format(
                "soak: checkpoints: %,d completed, %,d failed or declined; task restarts: %d",
                cp.completed(), cp.failed(), job.restarts()));
        if (slowPhaseRan) {
            line(String.format(
                    "soak: slow ClickHouse phase and catch-up: lag up to %,d records (steady before: up to %,d),"
                            + " live heap up to %,d MB of %,d MB, source back-pressured up to %.0f %%; %s",
                    slowLagMax,
                    steadyLagMax,
                    slowHeapMax >> 20,
                    maxHeap >> 20,
                    slowBpMax * 100,
                    recoveredAtMs >= 0
                            ? String.format("caught up %.0f s after it ended", (recoveredAtMs - s.slowEndMs()) / 1000.0)
                            : "had not caught up when production ended"));
        }

        if (steadyLagFirst >= 0
                && steadyLagLast > 2 * steadyLagFirst + rate * s.checkpoint().toMillis() / 1000) {
            line(String.format(
                    "soak: the lag grew from %,d to %,d before the slow phase: %,d records/s is more than the"
                            + " job sustains here (give a lower --rate)",
                    steadyLagFirst, steadyLagLast, rate));
        }
        SoakVerdict.Result result = SoakVerdict.judge(samples, durationMs / 2, maxHeap, lagRecovered);
        line("");
        line(String.format(
                "%-16s %16s %17s  %s",
                "figure", "first half max", "second half max", "(steady samples; slow phase and catch-up excluded)"));
        for (SoakVerdict.Comparison c : result.comparisons()) {
            String unit = c.figure().unit().isEmpty() ? "" : " " + c.figure().unit();
            line(String.format(
                    "%-16s %16s %17s  %s",
                    c.figure().name(),
                    scaled(c.firstMax(), c.figure().scale(), unit),
                    scaled(c.secondMax(), c.figure().scale(), unit),
                    c.status()));
        }
        result.notes().forEach(n -> line("note: " + n));

        if (job.restarts() > 0) {
            return SOAK_PREFIX + "failed: the job restarted " + job.restarts() + " time(s); see the log";
        }
        if (!exact) {
            return SOAK_PREFIX + "failed: ClickHouse rows differ from the ground truth";
        }
        if (!result.unbounded().isEmpty()) {
            return SOAK_PREFIX + "unbounded: " + String.join(", ", result.unbounded());
        }
        if (!result.notCompared().isEmpty()) {
            return SOAK_PREFIX + "inconclusive: no steady samples to compare for "
                    + String.join(", ", result.notCompared()) + " (run longer)";
        }
        return SOAK_PREFIX + "ok";
    }

    /** Compares ClickHouse with the producer's ground truth and says so; true when exact. */
    private boolean exact(Producer producer, ClickHouseHttp ch, long productionMs) {
        GroundTruth truth = producer.truth();
        long rows = ch.queryLong("SELECT count() FROM flows");
        long distinct = ch.queryLong("SELECT uniqExact(kafka_partition, kafka_offset) FROM flows");
        long bytes = ch.queryLong("SELECT sum(bytes) FROM flows");
        long packets = ch.queryLong("SELECT sum(packets) FROM flows");
        long dead = ch.queryLong("SELECT count() FROM flows_dlq");
        boolean exact = rows == truth.rows()
                && distinct == rows
                && bytes == truth.bytes()
                && packets == truth.packets()
                && dead == truth.invalid();
        line(String.format(
                "soak: produced %,d records (%,.0f/s); loaded %,d rows (%,d unique offsets), %,d dead letters;"
                        + " ground truth %,d rows, %,d dead letters → %s",
                producer.produced.get(),
                producer.produced.get() * 1000.0 / Math.max(1, productionMs),
                rows,
                distinct,
                dead,
                truth.rows(),
                truth.invalid(),
                exact ? "exact (rows, offsets, byte and packet sums, dead letters)" : "NOT EXACT"));
        if (!exact) {
            // (Counting re-sends by identical raw values no longer works: raw.policy unmapped leaves raw
            // empty for most rows. A re-send loaded twice shows in the ledger as a slice with several rows.)
            line(String.format("soak: rows − ground truth = %+,d", rows - truth.rows()));
            producer.ledger().explain(ch, this::line);
        }
        return exact;
    }

    /**
     * Catch-up run ({@code --backlog N}): N records are in Kafka before the job starts; the job reads
     * them as fast as it can, so each checkpoint interval seals as many rows as the job parses in it.
     * Samples as in the soak; ends when everything is read, with a draining savepoint, the exactness
     * check, and the heap: the largest live heap sampled and the largest heap in use after any
     * collection ({@link HeapWatch}).
     */
    private String catchUp(
            Settings s, String url, EmbeddedKafka kafka, Admin admin, LocalFlink flink, Path tmp, long maxHeap) {
        kafka.createTopic(TOPIC, s.partitions());
        LocalJob.applySchema(url, DATABASE, "default", "", 3650, l -> {});
        ClickHouseHttp ch = new ClickHouseHttp(url, DATABASE, "default", "");
        long n = s.backlog();
        line(String.format(
                "soak: catch-up: producing a backlog of %,d records into %s (%d partitions) before the job" + " starts",
                n, TOPIC, s.partitions()));
        // Event time ends now: the generator's clock runs at 10k records/s, so it starts n/10k s ago and no
        // record lies ahead of its Kafka timestamp.
        long eventRate = 10_000;
        Producer producer = new Producer(
                kafka.bootstrapServers(),
                TOPIC,
                s.seed(),
                -1,
                () -> n,
                System.currentTimeMillis() - n * 1000 / eventRate,
                eventRate);
        long p0 = System.nanoTime();
        producer.start();
        while (producer.produced.get() < n) {
            producer.rethrow();
            sleep(200);
        }
        producer.stopAndJoin();
        producer.rethrow();
        long productionMs = (System.nanoTime() - p0) / 1_000_000;
        line(String.format(
                "soak: backlog of %,d records produced in %.1f s", producer.produced.get(), productionMs / 1000.0));

        HeapWatch heap = HeapWatch.start();
        LocalFlink.Job job = LocalJob.submit(
                flink, jobConfig(s, kafka.bootstrapServers(), url, TOPIC, DATABASE, GROUP), s.parallelism(), false);
        job.awaitRunning(Duration.ofMinutes(2));
        FlinkRestMetrics rest =
                new FlinkRestMetrics(flink.restAddress(), job.id().toHexString());
        String dedupVertex = rest.vertex("dedup").orElse(null);
        String sourceVertex = rest.vertex("Source").orElse(null);
        line(String.format(
                "soak: job parallelism %d, checkpoint every %s, max heap %,d MB",
                s.parallelism(), human(s.checkpoint()), maxHeap >> 20));
        line("");
        header();
        long t0 = System.nanoTime();
        long deadline = t0 + s.drainTimeout().toNanos();
        long endOffsets = EmbeddedKafka.totalEndOffset(admin, TOPIC);
        LongSupplier read = () -> Math.max(
                EmbeddedKafka.committedOffsets(admin, GROUP, TOPIC),
                sourceVertex == null ? -1 : rest.sum(sourceVertex, SOURCE_RECORDS_OUT));
        long nextSample = 0;
        long liveMax = 0;
        long checkpointMax = 0;
        while (true) {
            long elapsed = (System.nanoTime() - t0) / 1_000_000;
            boolean done = read.getAsLong() >= endOffsets;
            if (elapsed >= nextSample || done) {
                SoakVerdict.Sample x = sample(
                        elapsed,
                        SoakVerdict.Phase.RECOVERING,
                        producer,
                        ch,
                        admin,
                        job,
                        rest,
                        dedupVertex,
                        sourceVertex);
                print(x);
                liveMax = Math.max(liveMax, x.heapBytes());
                checkpointMax = Math.max(checkpointMax, x.checkpointBytes());
                failIfJobBroken(job);
                nextSample += s.sampleEvery().toMillis();
            }
            if (done) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the job had not read the backlog after " + human(s.drainTimeout())
                        + " (" + (endOffsets - read.getAsLong()) + " records unread)");
            }
            sleep(200);
        }
        double readAllS = (System.nanoTime() - t0) / 1e9;
        LocalFlink.CheckpointFigures cp = job.checkpoints();
        job.stopWithDrain(tmp.resolve("savepoints").toUri().toString(), Duration.ofMinutes(5));
        job.await(Duration.ofMinutes(1));
        heap.stop();
        line(String.format(
                "soak: the job read the backlog in %.1f s (%,.0f records/s) and stopped with a draining" + " savepoint",
                readAllS, n / readAllS));
        boolean exact = exact(producer, ch, productionMs);
        line(String.format(
                "soak: checkpoints: %,d completed, %,d failed or declined; task restarts: %d; largest"
                        + " checkpoint %.1f MB",
                cp.completed(), cp.failed(), job.restarts(), checkpointMax / 1048576.0));
        line(String.format(
                "soak: peak heap: live (after System.gc() at each sample) %,d MB; in use after any collection"
                        + " %,d MB (%d collections); max heap %,d MB",
                liveMax >> 20, heap.maxAfterGc() >> 20, heap.collections(), maxHeap >> 20));
        if (job.restarts() > 0) {
            return SOAK_PREFIX + "failed: the job restarted " + job.restarts() + " time(s); see the log";
        }
        return exact ? SOAK_PREFIX + "ok" : SOAK_PREFIX + "failed: ClickHouse rows differ from the ground truth";
    }

    private static SoakVerdict.Phase phaseAt(Settings s, long elapsed, long recoveredAtMs) {
        if (elapsed < s.warmUpMs()) {
            return SoakVerdict.Phase.WARM_UP;
        }
        if (s.slowPhase().isZero() || elapsed < s.slowStartMs()) {
            return SoakVerdict.Phase.STEADY;
        }
        if (elapsed < s.slowEndMs()) {
            return SoakVerdict.Phase.SLOW;
        }
        // A few checkpoints more before samples count as steady again: the cycles right after a catch-up are larger.
        return recoveredAtMs >= 0
                        && elapsed >= recoveredAtMs + 3 * s.checkpoint().toMillis()
                ? SoakVerdict.Phase.STEADY
                : SoakVerdict.Phase.RECOVERING;
    }

    /** Lag counted as caught up: the steady level before the slow phase, at least two checkpoints' worth. */
    static long recoveredLag(Settings s, long rate, long steadyLagMax) {
        return Math.max(steadyLagMax * 3 / 2, rate * 2 * s.checkpoint().toMillis() / 1000);
    }

    private SoakVerdict.Sample sample(
            long elapsed,
            SoakVerdict.Phase phase,
            Producer producer,
            ClickHouseHttp ch,
            Admin admin,
            LocalFlink.Job job,
            FlinkRestMetrics rest,
            String dedupVertex,
            String sourceVertex) {
        long lag = EmbeddedKafka.totalEndOffset(admin, TOPIC) - EmbeddedKafka.committedOffsets(admin, GROUP, TOPIC);
        long loaded = ch.queryLong("SELECT count() FROM flows");
        long parts = ch.queryLong("SELECT count() FROM system.parts WHERE database = currentDatabase() AND active");
        LocalFlink.CheckpointFigures cp = job.checkpoints();
        long keys = dedupVertex == null
                ? -1
                : rest.sum(dedupVertex, "." + DedupMetrics.GROUP + "." + DedupMetrics.LIVE_KEYS);
        double bp = sourceVertex == null ? -1 : rest.backPressure(sourceVertex);
        return new SoakVerdict.Sample(
                elapsed,
                phase,
                producer.produced.get(),
                loaded,
                lag,
                liveHeap(),
                cp.lastId() < 0 ? -1 : cp.lastStateSizeBytes(),
                cp.lastId() < 0 ? -1 : cp.lastDurationMs(),
                keys,
                parts,
                bp);
    }

    /** The column titles of the sample rows {@link #print} writes. */
    private void header() {
        line(String.format(
                "%7s %-8s %11s %11s %9s %7s %7s %7s %10s %6s %5s",
                "elapsed",
                "phase",
                "produced",
                "loaded",
                "lag",
                "heap MB",
                "ckpt MB",
                "ckpt ms",
                "dedup keys",
                "parts",
                "bp %"));
    }

    private void print(SoakVerdict.Sample x) {
        line(String.format(
                "%6ds %-8s %,11d %,11d %,9d %7s %7s %7s %10s %6d %5s",
                x.elapsedMs() / 1000,
                x.phase().label,
                x.produced(),
                x.loaded(),
                x.lag(),
                x.heapBytes() >> 20,
                x.checkpointBytes() < 0 ? "-" : String.format("%.1f", x.checkpointBytes() / 1048576.0),
                x.checkpointMs() < 0 ? "-" : Long.toString(x.checkpointMs()),
                x.dedupKeys() < 0 ? "-" : String.format("%,d", x.dedupKeys()),
                x.parts(),
                x.backPressure() < 0 ? "-" : String.format("%.0f", x.backPressure() * 100)));
    }

    /** Heap in use right after a full collection: what the run really keeps (all components share this JVM). */
    static long liveHeap() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void failIfJobBroken(LocalFlink.Job job) {
        var status = job.status();
        if (status.isGloballyTerminalState()) {
            job.await(Duration.ofSeconds(10)); // throws the failure cause
            throw new IllegalStateException("the job ended (" + status + ") while it should run");
        }
    }

    // ------------------------------------------------------------------ slow ClickHouse

    /** Makes every INSERT into flows sleep {@code delay} more (on each inserted block); returns the views made. */
    static int slowDown(ClickHouseHttp ch, Duration delay) {
        double seconds = delay.toMillis() / 1000.0;
        int views = (int) Math.ceil(seconds / MAX_SLEEP_PER_VIEW_S);
        if (views == 0) {
            return 0;
        }
        ch.execute("CREATE TABLE IF NOT EXISTS " + SLOW_SINK + " (s UInt8) ENGINE = Null");
        for (int i = 0; i < views; i++) {
            ch.execute(String.format(
                    Locale.ROOT,
                    "CREATE MATERIALIZED VIEW IF NOT EXISTS %s%d TO %s AS SELECT sleep(%.3f) AS s FROM flows",
                    SLOW_VIEW,
                    i,
                    SLOW_SINK,
                    seconds / views));
        }
        return views;
    }

    static void speedUp(ClickHouseHttp ch, int views) {
        for (int i = 0; i < views; i++) {
            ch.execute("DROP VIEW IF EXISTS " + SLOW_VIEW + i);
        }
    }

    // ------------------------------------------------------------------ Kafka and job

    private static JobConfig jobConfig(
            Settings s, String bootstrap, String url, String topic, String database, String group) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("kafka.bootstrap-servers", bootstrap);
        options.put("kafka.topics", topic);
        options.put("kafka.group-id", group);
        options.put("kafka.starting-offsets", "earliest");
        options.put("clickhouse.url", url);
        options.put("clickhouse.database", database);
        options.put("checkpoint.interval", Cli.flinkDuration(s.checkpoint()));
        options.put("sink.tolerated-outage", "5 min");
        options.put("job.name", "soak-" + database);
        return LocalJob.config(options);
    }

    /**
     * Produces generated records, paced at {@code rate} records/s, or (rate -1) as fast as the
     * {@code limit} (an absolute record count) allows; keeps the ground truth as it goes.
     */
    static final class Producer extends Thread {
        final AtomicLong produced = new AtomicLong();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        private final GroundTruth.Accumulator truth = new GroundTruth.Accumulator();
        private final SoakLedger ledger;
        private final String bootstrap;
        private final String topic;
        private final long rate;
        private final LongSupplier limit;
        private final FlowGenerator generator;

        Producer(String bootstrap, String topic, long seed, long rate, LongSupplier limit) {
            this(bootstrap, topic, seed, rate, limit, System.currentTimeMillis(), rate > 0 ? rate : 10_000);
        }

        /** Event time starts at {@code startEpochMs} and advances {@code eventRate} records per second. */
        Producer(
                String bootstrap,
                String topic,
                long seed,
                long rate,
                LongSupplier limit,
                long startEpochMs,
                long eventRate) {
            super("soak-producer-" + topic);
            setDaemon(true);
            this.bootstrap = bootstrap;
            this.topic = topic;
            this.rate = rate;
            this.limit = limit;
            // Event time follows the wall clock at the soak rate, as with a live NetObserv export.
            this.generator = new FlowGenerator(GeneratorConfig.live(seed, startEpochMs, eventRate));
            this.ledger = SoakLedger.create(topic);
        }

        private GeneratedMessage send(KafkaProducer<byte[], byte[]> producer, GeneratedMessage m) {
            producer.send(new ProducerRecord<>(topic, m.value()), (md, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                } else {
                    ledger.add(md.partition(), md.offset(), m);
                }
            });
            truth.add(m);
            produced.incrementAndGet();
            return m;
        }

        @Override
        public void run() {
            try (KafkaProducer<byte[], byte[]> producer = EmbeddedKafka.bulkProducer(bootstrap)) {
                GeneratedMessage last = null;
                long t0 = System.nanoTime();
                long nextLimitCheck = 0;
                long allowed = 0;
                while (!stop.get()) {
                    long due;
                    if (rate > 0) {
                        due = (long) ((System.nanoTime() - t0) / 1e9 * rate) + 1;
                    } else {
                        if (System.nanoTime() >= nextLimitCheck) {
                            allowed = limit.getAsLong();
                            nextLimitCheck = System.nanoTime() + 100_000_000L;
                        }
                        due = allowed;
                    }
                    while (produced.get() < due && !stop.get()) {
                        last = send(producer, generator.next());
                        if (rate < 0 && produced.get() % 1000 == 0) {
                            break; // look at the limit again
                        }
                    }
                    Thread.sleep(rate > 0 || produced.get() >= due ? 5 : 0);
                }
                while (!GroundTruth.cleanCutAfter(last)) {
                    last = send(producer, generator.next()); // the slice's counted report, a few messages on
                }
                producer.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            }
        }

        GroundTruth truth() {
            return truth.result();
        }

        SoakLedger ledger() {
            return ledger;
        }

        void stopAndJoin() {
            stop.set(true);
            try {
                join(60_000);
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

    // ------------------------------------------------------------------ output

    private void line(String text) {
        out.println(text);
        report.append(text).append('\n');
    }

    static String scaled(long v, double scale, String unit) {
        if (v < 0) {
            return "-";
        }
        return (scale == 1 ? String.format("%,d", v) : String.format("%,.1f", v / scale)) + unit;
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + " ms";
        }
        return s % 60 == 0 && s >= 60 ? (s / 60) + " min" : s + " s";
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
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
}
