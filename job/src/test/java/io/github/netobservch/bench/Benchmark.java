package io.github.netobservch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.netobservch.FlowsJob;
import io.github.netobservch.cli.Cli;
import io.github.netobservch.cli.Cli.Opt;
import io.github.netobservch.config.JobConfig;
import io.github.netobservch.generate.FlowGenerator;
import io.github.netobservch.generate.GeneratedMessage;
import io.github.netobservch.generate.GeneratorConfig;
import io.github.netobservch.generate.GroundTruth;
import io.github.netobservch.local.ClickHouseHttp;
import io.github.netobservch.local.EmbeddedClickHouse;
import io.github.netobservch.local.EmbeddedKafka;
import io.github.netobservch.local.LocalFlink;
import io.github.netobservch.local.LocalJob;
import io.github.netobservch.pipeline.FlowPipeline;
import io.github.netobservch.pipeline.FlowSources;
import io.github.netobservch.rows.FlowRow;
import io.github.netobservch.rows.FlowRowLayout;
import io.github.netobservch.security.TestPki;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code scripts/bench}: one run on this machine and one generated input (~1 KB NetObserv records),
 * ending with the line
 *
 * <pre>BENCH e2e_exactly_once_fps=… e2e_at_least_once_fps=… job_us_per_record=… job_task_us_per_record=… ch_us_per_row=… job_pinned_task_us_per_record=… floor_source_us_per_record=… floor_shuffle_us_per_record=… baseline_per_row_fps=… baseline_jdbcsink_fps=… parse_rps_per_core=… p99_latency_ms=…</pre>
 *
 * <ol>
 *   <li>parse + enrich records/s on one thread ({@link ParseBenchmark}); dedup records/s and heap
 *       per 1M keys ({@link DedupBenchmark});
 *   <li>end to end, Kafka → the real job → ClickHouse (embedded), parallelism 2, exactly-once and
 *       at-least-once: the input is produced to a topic first, then a bounded job runs; the time
 *       is from submission to the job's end (its final checkpoint committed: every row visible);
 *   <li>baselines on the same topic: (a) the naive per-row consumer (KafkaConsumer, Jackson, 12
 *       fields, one JDBC INSERT per flow), bounded by time; (b) the same pipeline with
 *       flink-connector-jdbc's at-least-once {@code JdbcSink} (batched {@code INSERT … VALUES} of the
 *       same full rows into the same {@code flows} table, through clickhouse-jdbc) instead of the
 *       project's sink;
 *   <li>latency: records produced at a steady rate while the unbounded exactly-once job runs; the
 *       poller reads {@code max(kafka_offset)} per partition every 200 ms, and a record counts as
 *       visible when its partition's max offset reaches it: latency = that poll time − the record's
 *       Kafka timestamp (p50, p99).
 * </ol>
 */
public final class Benchmark {

    public static final String BENCH_PREFIX = "BENCH ";
    static final String TOPIC = "bench-flows";
    static final int PARTITIONS = 4;
    static final int PARALLELISM = 2;
    static final List<String> PHASES = List.of("micro", "e2e", "pinned", "floor", "baselines", "latency");

    /** Naive baseline table: the 12 fields the original NetObserv example's per-row consumer writes. */
    static final String NAIVE_TABLE_DDL = "CREATE TABLE IF NOT EXISTS %s (src_addr String, dst_addr String,"
            + " src_port UInt16, dst_port UInt16, proto UInt8, bytes UInt64, packets UInt32,"
            + " time_flow_start_ms DateTime64(3, 'UTC'), time_flow_end_ms DateTime64(3, 'UTC'),"
            + " src_namespace LowCardinality(String), dst_namespace LowCardinality(String), flow_direction UInt8)"
            + " ENGINE = MergeTree ORDER BY (time_flow_end_ms)";

    static final String NAIVE_INSERT = "INSERT INTO %s (src_addr, dst_addr, src_port, dst_port, proto, bytes, packets,"
            + " time_flow_start_ms, time_flow_end_ms, src_namespace, dst_namespace, flow_direction)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private final PrintStream out;
    private final Map<String, String> jobOverrides;
    /** Flink cluster options ({@code --flink-set}) for every local cluster the benchmark starts. */
    private final Map<String, String> clusterOverrides;

    /** {@code --kafka-mtls}: the jobs read over the broker's mutual-TLS listener with {@link #mtlsPki}. */
    private boolean kafkaMtls;

    private TestPki mtlsPki;
    private String mtlsBootstrap;

    private final Map<String, String> results = new LinkedHashMap<>();
    private final List<String[]> table = new ArrayList<>();

    private Benchmark(PrintStream out, Map<String, String> jobOverrides, Map<String, String> clusterOverrides) {
        this.out = out;
        this.jobOverrides = Map.copyOf(jobOverrides);
        this.clusterOverrides = Map.copyOf(clusterOverrides);
    }

    public static void main(String[] args) throws Exception {
        PrintStream stdout = System.out;
        int code = run(args, stdout);
        System.exit(code);
    }

    public static final Cli CLI = new Cli(
            "scripts/bench",
            List.of(
                    "Throughput, latency and cost of the job on this machine: micro benchmarks, end-to-end runs against",
                    "the embedded Kafka and ClickHouse, baselines and an end-to-end latency run; ends with a BENCH line.",
                    ""),
            List.of(
                    Opt.option("--records", "N", "input size for the end-to-end runs (default 300000)"),
                    Opt.flag("--quick", "tiny input and short phases (seconds; a smoke test, not a measurement)"),
                    Opt.option("--out", "FILE", "results file (default job/target/bench/results-<timestamp>.txt)"),
                    Opt.option(
                            "--checkpoint-interval",
                            "D",
                            "job checkpoint interval in the e2e and latency runs" + " (default 5s)"),
                    Opt.option("--baseline-seconds", "N", "time bound of the per-row baseline (default 20)"),
                    Opt.option(
                            "--latency-rate",
                            "N",
                            "records/s produced during the latency run (default: half the"
                                    + " input rate the exactly-once e2e run sustained, so the latency is not that of a growing"
                                    + " backlog; 2000 when the e2e phase is skipped)"),
                    Opt.flag("--skip-heap", "skip the dedup heap-per-key measurement"),
                    Opt.flag(
                            "--kafka-mtls",
                            "every job reads Kafka over mutual TLS, as the Kubernetes manifests deploy it (the"
                                    + " broker's client-certificate listener; producing and the baselines stay on"
                                    + " plaintext)"),
                    Opt.option(
                            "--pinned-runs",
                            "N",
                            "measured runs of the pinned phase, the median reported (default 3; 1 with --quick)"),
                    Opt.repeatable(
                            "--set",
                            "KEY=VALUE",
                            "a job option for every job the benchmark runs (repeatable),"
                                    + " e.g. --set sink.max-bytes-per-insert=32mb; shown in the results"),
                    Opt.repeatable(
                            "--flink-set",
                            "KEY=VALUE",
                            "a Flink cluster option for every local cluster the benchmark starts (repeatable),"
                                    + " e.g. --flink-set taskmanager.memory.segment-size=64kb; shown in the results"),
                    Opt.option(
                            "--phases",
                            "LIST",
                            "comma-separated subset of micro,e2e,pinned,floor,baselines,latency (default all;"
                                    + " for profiling one part — the BENCH line then shows n/a for the others)")),
            List.of());

    static String usage() {
        return CLI.usage();
    }

    /** Runs the benchmark; the table and the BENCH line go to {@code out}. Returns the exit code. */
    public static int run(String[] args, PrintStream out) throws Exception {
        Cli.Args cl;
        try {
            cl = CLI.parse(args);
        } catch (IllegalArgumentException e) {
            out.println("bench: " + e.getMessage());
            out.println(usage());
            return 2;
        }
        if (cl.help()) {
            out.println(usage());
            return 0;
        }
        Map<String, String> overrides = new LinkedHashMap<>();
        Map<String, String> clusterOverrides = new LinkedHashMap<>();
        for (String option : List.of("--set", "--flink-set")) {
            for (String kv : cl.getAll(option)) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    out.println("bench: " + option + " needs KEY=VALUE");
                    return 2;
                }
                (option.equals("--set") ? overrides : clusterOverrides).put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        Map<String, String> opts = cl.values();
        boolean quick = opts.containsKey("--quick");
        int records = Integer.parseInt(opts.getOrDefault("--records", quick ? "2000" : "300000"));
        Duration checkpoint = org.apache.flink.util.TimeUtils.parseDuration(
                opts.getOrDefault("--checkpoint-interval", quick ? "1s" : "5s"));
        int baselineSeconds = Integer.parseInt(opts.getOrDefault("--baseline-seconds", quick ? "2" : "20"));
        int pinnedRuns = Integer.parseInt(opts.getOrDefault("--pinned-runs", quick ? "1" : "3"));
        if (pinnedRuns < 1) {
            out.println("bench: --pinned-runs needs at least 1");
            return 2;
        }
        int latencyRate = Integer.parseInt(opts.getOrDefault("--latency-rate", quick ? "1000" : "0"));
        Path outFile = Path.of(opts.getOrDefault(
                "--out",
                "job/target/bench/results-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                        + ".txt"));
        Set<String> phases = new LinkedHashSet<>(
                List.of(opts.getOrDefault("--phases", String.join(",", PHASES)).split(",")));
        if (!PHASES.containsAll(phases)) {
            out.println("bench: --phases takes a subset of " + String.join(",", PHASES));
            return 2;
        }
        Benchmark bench = new Benchmark(out, overrides, clusterOverrides);
        bench.kafkaMtls = opts.containsKey("--kafka-mtls");
        bench.execute(
                quick,
                records,
                checkpoint,
                baselineSeconds,
                latencyRate,
                pinnedRuns,
                opts.containsKey("--skip-heap") || quick,
                phases,
                outFile);
        return 0;
    }

    private void execute(
            boolean quick,
            int records,
            Duration checkpoint,
            int baselineSeconds,
            int latencyRate,
            int pinnedRuns,
            boolean skipHeap,
            Set<String> phases,
            Path outFile)
            throws Exception {
        String machine = machine();
        out.println("bench: " + machine.replace("\n", "; "));
        out.printf(
                "bench: %,d records, checkpoint interval %s%s, phases %s%s%n",
                records,
                checkpoint,
                quick ? " (quick)" : "",
                String.join(",", phases),
                (jobOverrides.isEmpty() ? "" : ", job options " + jobOverrides)
                        + (clusterOverrides.isEmpty() ? "" : ", Flink cluster options " + clusterOverrides));
        if (!jobOverrides.isEmpty()) {
            row("job options (--set)", "", jobOverrides.toString());
        }
        if (!clusterOverrides.isEmpty()) {
            row("Flink cluster options (--flink-set)", "", clusterOverrides.toString());
        }
        if (kafkaMtls) {
            row("Kafka to the job (--kafka-mtls)", "", "mutual TLS (client certificate), as the manifests deploy it");
        }
        for (String key : List.of(
                "e2e_exactly_once_fps",
                "e2e_at_least_once_fps",
                "job_us_per_record",
                "job_task_us_per_record",
                "ch_us_per_row",
                "job_pinned_task_us_per_record",
                "floor_source_us_per_record",
                "floor_shuffle_us_per_record",
                "baseline_per_row_fps",
                "baseline_jdbcsink_fps",
                "parse_rps_per_core",
                "p99_latency_ms")) {
            results.put(key, "n/a");
        }

        // 1. Micro: parse + enrich, dedup.
        double parse = Double.NaN;
        if (phases.contains("micro")) {
            parse = ParseBenchmark.measure(quick ? 5_000 : 200_000, quick ? 1 : 5);
            row("parse + enrich, 1 thread", fmt(parse) + " records/s", "ParseBenchmark, generated ~1 KB records");
            double dedup = DedupBenchmark.throughput(quick ? 5_000 : 300_000, quick ? 1 : 3);
            row(
                    "dedup operator, 1 thread",
                    fmt(dedup) + " records/s",
                    "DedupBenchmark, keyed harness, HashMap backend");
            if (!skipHeap) {
                double perKey = DedupBenchmark.heapPerKey(1_000_000, true, false);
                row("dedup heap per 1M keys", String.format("%.0f MB", perKey), "HashMap backend, state TTL on");
            }
            results.put("parse_rps_per_core", fmtPlain(parse));
        }
        if (phases.equals(Set.of("micro"))) {
            report(machine, outFile);
            return;
        }

        Path tmp = Files.createTempDirectory("netobserv-bench");
        EmbeddedClickHouse clickhouse = EmbeddedClickHouse.start(tmp.resolve("clickhouse"), 0);
        // The broker runs in its own JVM, so the job's CPU is measured without it (and reported beside it).
        Path pkiDir = kafkaMtls ? tmp.resolve("pki") : null;
        if (pkiDir != null) {
            mtlsPki = TestPki.create(pkiDir);
        }
        ForkedKafka kafka = ForkedKafka.start(tmp.resolve("kafka.log"), pkiDir);
        broker = kafka;
        mtlsBootstrap = kafka.mtlsBootstrapServers();
        try {
            String url = clickhouse.url();
            String bootstrap = kafka.bootstrapServers();
            EmbeddedKafka.createTopic(bootstrap, TOPIC, PARTITIONS);
            long t0 = System.nanoTime();
            long[] truth = produceInput(bootstrap, records);
            double produceSecs = (System.nanoTime() - t0) / 1e9;
            row(
                    "input",
                    String.format("%,d records, %.0f B avg", records, (double) truth[2] / records),
                    String.format(
                            "%d partitions, produced in %.1f s; %,d rows to load after dedup",
                            PARTITIONS, produceSecs, truth[0]));

            // 2. End to end, exactly-once and at-least-once.
            double eo = Double.NaN;
            double alo = Double.NaN;
            if (phases.contains("e2e")) {
                // The first job in this JVM pays for class loading and JIT compilation; a discarded
                // warm-up run keeps that out of whichever mode would be measured first.
                if (!quick) {
                    out.println("bench: warm-up run (at-least-once, not reported)…");
                    endToEnd(url, bootstrap, "e2e_warmup", "at-least-once", checkpoint, truth[0], truth[1], false);
                }
                eo = endToEnd(url, bootstrap, "e2e_eo", "exactly-once", checkpoint, truth[0], truth[1]);
                CpuMeter.Used eoCpu = lastCpu;
                CpuMeter.TaskThreads eoTasks = lastTasks;
                alo = endToEnd(url, bootstrap, "e2e_alo", "at-least-once", checkpoint, truth[0], truth[1]);
                results.put(
                        "job_us_per_record", String.format(java.util.Locale.ROOT, "%.1f", eoCpu.job() * 1e6 / records));
                results.put(
                        "job_task_us_per_record",
                        String.format(java.util.Locale.ROOT, "%.1f", eoCpu.tasks() * 1e6 / records));
                results.put(
                        "ch_us_per_row",
                        String.format(java.util.Locale.ROOT, "%.1f", eoCpu.clickhouse() * 1e6 / truth[0]));
                row(
                        "CPU per record, e2e exactly-once",
                        String.format("%.1f core-µs", eoCpu.job() * 1e6 / records),
                        String.format(
                                "job JVM (Flink, parse, dedup, encode, commit) per input record; broker %.1f core-µs per"
                                        + " record, ClickHouse %.1f core-µs per row; goal ≤ 10",
                                eoCpu.broker() * 1e6 / records, eoCpu.clickhouse() * 1e6 / truth[0]));
                row(
                        "  of which the job's task threads",
                        String.format("%.1f core-µs", eoCpu.tasks() * 1e6 / records),
                        "core-µs per record: " + eoTasks.perRecord(records)
                                + "; the rest of the JVM's: Flink's runtime threads, JIT compilation, garbage collection");
                results.put("e2e_exactly_once_fps", fmtPlain(eo));
                results.put("e2e_at_least_once_fps", fmtPlain(alo));
                clickHouseCeiling(url, "e2e_eo");
                row(
                        "exactly-once cost vs at-least-once",
                        String.format("%.1f %%", 100 * (1 - eo / alo)),
                        "goal ≤ 15 %");
            }

            // The job's CPU per record with ClickHouse and the broker kept off its core.
            if (phases.contains("pinned")) {
                pinnedEndToEnd(
                        url, bootstrap, checkpoint, records, truth, !phases.contains("e2e") && !quick, pinnedRuns);
            }

            // Flink's and Kafka's own cost per record on this machine, without the job's work.
            if (phases.contains("floor")) {
                floor(bootstrap, checkpoint, records);
            }

            // 3. Baselines.
            if (phases.contains("baselines")) {
                double perRow = perRowBaseline(url, bootstrap, baselineSeconds);
                double jdbc = jdbcSinkBaseline(url, bootstrap, checkpoint, truth[0], quick ? 60 : 240);
                results.put("baseline_per_row_fps", fmtPlain(perRow));
                results.put("baseline_jdbcsink_fps", fmtPlain(jdbc));
                if (!Double.isNaN(eo)) {
                    row("ratio e2e exactly-once / per-row", String.format("%.1f×", eo / perRow), "goal ≥ 50×");
                    row("ratio e2e exactly-once / JdbcSink", String.format("%.1f×", eo / jdbc), "goal ≥ 2×");
                }
            }

            // 4. Latency.
            if (phases.contains("latency")) {
                int rate = latencyRate;
                if (rate <= 0) {
                    // eo is rows/s; the input rate it sustained is higher by records / rows to load
                    rate = Double.isNaN(eo) ? 2000 : (int) Math.max(500, 0.5 * eo * records / truth[0]);
                }
                double[] latency = latency(url, bootstrap, checkpoint, rate, quick ? 4 : 20);
                results.put("p99_latency_ms", fmtPlain(latency[1]));
                row(
                        "p99 latency vs goal",
                        String.format("%.0f ms", latency[1]),
                        "goal ≤ checkpoint interval + 2 s = " + (checkpoint.toMillis() + 2000) + " ms");
            }
        } finally {
            kafka.close();
            clickhouse.stop();
            LocalJob.deleteRecursively(tmp);
        }
        report(machine, outFile);
    }

    private void report(String machine, Path outFile) throws java.io.IOException {
        StringBuilder report = new StringBuilder();
        report.append(machine).append('\n');
        int w = table.stream().mapToInt(r -> r[0].length()).max().orElse(10);
        int v = table.stream().mapToInt(r -> r[1].length()).max().orElse(10);
        for (String[] r : table) {
            report.append(String.format("%-" + w + "s  %" + v + "s  %s%n", r[0], r[1], r[2]));
        }
        StringBuilder bench = new StringBuilder(BENCH_PREFIX.trim());
        results.forEach((k, val) -> bench.append(' ').append(k).append('=').append(val));
        report.append(bench).append('\n');
        Files.createDirectories(outFile.toAbsolutePath().getParent());
        Files.writeString(outFile, report.toString(), StandardCharsets.UTF_8);
        out.println();
        out.print(report);
        out.println("bench: results written to " + outFile.toAbsolutePath());
        out.println(bench);
    }

    private LocalFlink startFlink() {
        return LocalFlink.start(PARALLELISM, org.apache.flink.configuration.Configuration.fromMap(clusterOverrides));
    }

    // ------------------------------------------------------------------ input

    /** Produces the input; returns {rows the job must load, dead letters, total bytes}. */
    static long[] produceInput(String bootstrap, int records) {
        FlowGenerator generator = new FlowGenerator(GeneratorConfig.builder(42)
                .startEpochMs(System.currentTimeMillis() - 600_000)
                .recordsPerSecond(20_000)
                .invalidShare(0.001)
                .legacyShare(0.05)
                .build());
        GroundTruth.Accumulator truth = new GroundTruth.Accumulator();
        long bytes = 0;
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            for (int i = 0; i < records; i++) {
                GeneratedMessage m = generator.next();
                producer.send(new ProducerRecord<>(TOPIC, m.value()), (md, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
                truth.add(m);
                bytes += m.value().length;
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("producing the input failed", failure.get());
        }
        GroundTruth expected = truth.result();
        return new long[] {expected.rows(), expected.invalid(), bytes};
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties props = EmbeddedKafka.clientProperties(bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(512 * 1024));
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(4 << 20));
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    // ------------------------------------------------------------------ end to end

    private JobConfig config(
            String url,
            String bootstrap,
            String database,
            String delivery,
            Duration checkpoint,
            String startingOffsets) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("kafka.bootstrap-servers", mtlsPki != null ? mtlsBootstrap : bootstrap);
        if (mtlsPki != null) {
            options.putAll(mtlsPki.mtlsJobOptions());
        }
        options.put("kafka.topics", TOPIC);
        options.put("kafka.group-id", "bench-" + database);
        options.put("kafka.starting-offsets", startingOffsets);
        options.put("clickhouse.url", url);
        options.put("clickhouse.database", database);
        options.put("checkpoint.interval", checkpoint.toMillis() + " ms");
        options.put("sink.delivery", delivery);
        options.put("sink.tolerated-outage", "5 min");
        options.put("job.name", "bench-" + database);
        options.putAll(jobOverrides);
        return LocalJob.config(options);
    }

    private double endToEnd(
            String url,
            String bootstrap,
            String database,
            String delivery,
            Duration checkpoint,
            long expectedRows,
            long expectedDeadLetters) {
        return endToEnd(url, bootstrap, database, delivery, checkpoint, expectedRows, expectedDeadLetters, true);
    }

    private double endToEnd(
            String url,
            String bootstrap,
            String database,
            String delivery,
            Duration checkpoint,
            long expectedRows,
            long expectedDeadLetters,
            boolean report) {
        LocalJob.applySchema(url, database, "default", "", 3650, line -> {});
        JobConfig config = config(url, bootstrap, database, delivery, checkpoint, "earliest");
        ClickHouseHttp ch = new ClickHouseHttp(url, database, "default", "");
        try (LocalFlink flink = startFlink()) {
            CpuMeter cpu = CpuMeter.start();
            long t0 = System.nanoTime();
            LocalFlink.Job job = LocalJob.submit(flink, config, PARALLELISM, true);
            job.await(Duration.ofMinutes(30));
            double secs = (System.nanoTime() - t0) / 1e9;
            String cpuLine = cpu.stop(secs);
            lastCpu = cpu.used();
            lastTasks = cpu.tasks();
            long rows = ch.queryLong("SELECT count() FROM flows");
            long dead = ch.queryLong("SELECT count() FROM flows_dlq");
            long distinct = ch.queryLong("SELECT uniqExact(kafka_partition, kafka_offset) FROM flows");
            String check = rows == expectedRows && dead == expectedDeadLetters && distinct == rows
                    ? "rows = ground truth"
                    : "CHECK: " + rows + " rows (expected " + expectedRows + "), " + dead + " dead letters (expected "
                            + expectedDeadLetters + "), " + distinct + " distinct offsets";
            if (rows != expectedRows) {
                // Which second reports were kept: rows that share a reporter's slice (dedup's fingerprint).
                ch.column("SELECT concat(toString(c), ' rows of flow ', toString(flow_key_hash), ' from ',"
                                + " toString(agent_ip), ' ending ', toString(time_flow_end_ms), ' (', scope, ', ', direction,"
                                + " ', canonical ', toString(canonical), ') at ',"
                                + " toString(coords))"
                                + " FROM (SELECT flow_key_hash, agent_ip, time_flow_start_ms, time_flow_end_ms, bytes, packets,"
                                + " any(scope) AS scope, any(direction) AS direction, any(is_canonical) AS canonical,"
                                + " count() AS c, groupArray((kafka_partition, kafka_offset, kafka_timestamp)) AS coords FROM flows"
                                + " GROUP BY ALL HAVING c > 1 LIMIT 20)")
                        .forEach(line -> out.println("  kept twice: " + line));
                ch.column("SELECT concat('  row of that flow: ', toString(agent_ip), ' ', toString(time_flow_start_ms),"
                                + " '..', toString(time_flow_end_ms), ' bytes ', toString(bytes), ' at ', toString(kafka_partition),"
                                + " '/', toString(kafka_offset), ' ', toString(kafka_timestamp)) FROM flows WHERE flow_key_hash IN"
                                + " (SELECT flow_key_hash FROM flows GROUP BY flow_key_hash, agent_ip, time_flow_start_ms,"
                                + " time_flow_end_ms, bytes, packets HAVING count() > 1 LIMIT 3)"
                                + " ORDER BY flow_key_hash, time_flow_end_ms, kafka_timestamp")
                        .forEach(out::println);
            }
            double fps = rows / secs;
            if (report) {
                row(
                        "e2e " + delivery,
                        fmt(fps) + " flows/s",
                        String.format(
                                "%,d rows in %.1f s (submit → all committed), " + "%s, p=%d",
                                rows, secs, check, PARALLELISM));
                row("  CPU, e2e " + delivery, "", cpuLine);
            }
            return fps;
        }
    }

    /**
     * Exactly-once end to end with this JVM (the job) pinned to CPU 0 and ClickHouse and the broker to
     * the other CPUs ({@link CpuPinning}): the job's task-thread CPU per record without sharing a core
     * and its caches with ClickHouse, as in a deployment where they run on different machines. The
     * throughput of this run is not comparable (the job has one core); its CPU per record is.
     */
    private void pinnedEndToEnd(
            String url, String bootstrap, Duration checkpoint, int records, long[] truth, boolean warmUp, int runs)
            throws Exception {
        if (warmUp) {
            // Unpinned, so that JIT compilation has both cores and finishes before the measured run.
            out.println("bench: warm-up runs (exactly-once and at-least-once, not reported)…");
            endToEnd(url, bootstrap, "e2e_pinned_warmup_eo", "exactly-once", checkpoint, truth[0], truth[1], false);
            endToEnd(url, bootstrap, "e2e_pinned_warmup_alo", "at-least-once", checkpoint, truth[0], truth[1], false);
        }
        java.util.Optional<CpuPinning> pinning = CpuPinning.pin();
        if (pinning.isEmpty()) {
            row("e2e exactly-once, pinned", "n/a", "needs 2 CPUs and taskset");
            return;
        }
        try (CpuPinning ignored = pinning.get();
                PinnedProfile profile = PinnedProfile.start()) {
            // Three runs by default, the median reported: a single run on a shared VM varies by ±10 % and more.
            List<double[]> measured = new ArrayList<>();
            List<String> groups = new ArrayList<>();
            List<io.github.netobservch.parse.KafkaMessage> calibrationInput = calibrationInput(records >= 20_000);
            StringBuilder calibration = new StringBuilder();
            for (int i = 0; i < 5; i++) {
                calibrate(calibrationInput); // JIT-compiled for this call path before it measures anything
            }
            for (int i = 0; i < runs; i++) {
                calibration
                        .append(i == 0 ? "" : " / ")
                        .append(String.format(java.util.Locale.ROOT, "%.0f", calibrate(calibrationInput)));
                double fps = endToEnd(
                        url, bootstrap, "e2e_pinned_" + i, "exactly-once", checkpoint, truth[0], truth[1], false);
                measured.add(new double[] {
                    lastCpu.tasks() * 1e6 / records, lastCpu.job() * 1e6 / records, fps, i, lastCpu.gc() * 1e6 / records
                });
                groups.add(lastTasks.perRecord(records));
            }
            List<double[]> sorted = new ArrayList<>(measured);
            sorted.sort(java.util.Comparator.comparingDouble(m -> m[0]));
            double[] median = sorted.get(sorted.size() / 2);
            StringBuilder all = new StringBuilder();
            for (double[] m : measured) {
                all.append(all.length() == 0 ? "" : " / ").append(String.format(java.util.Locale.ROOT, "%.1f", m[0]));
            }
            results.put("job_pinned_task_us_per_record", String.format(java.util.Locale.ROOT, "%.1f", median[0]));
            row(
                    "e2e exactly-once, job pinned to CPU 0",
                    String.format("%.1f core-µs", median[0]),
                    String.format(
                            "task threads per input record, median of %d runs (%s); of the median run: %s; job JVM"
                                    + " %.1f core-µs per record, of which its garbage collector's threads %.1f;"
                                    + " ClickHouse and broker on the other CPU(s); %,.0f"
                                    + " flows/s (one core for the job); calibration before each run: %s ns per"
                                    + " record (parse, enrich and encode of %,d fixed records on CPU 0, best of 3)",
                            runs,
                            all,
                            groups.get((int) median[3]),
                            median[1],
                            median[4],
                            median[2],
                            calibration,
                            calibrationInput.size()));
        }
    }

    /** The valid messages of a fixed generated set (20,000, or 2,000 for a small run). */
    private static List<io.github.netobservch.parse.KafkaMessage> calibrationInput(boolean full) {
        return FlowGenerator.validMessages(17L, full ? 20_000 : 2_000).stream()
                .map(m -> m.toKafkaMessage("flows-export", 24, 1754040000000L))
                .toList();
    }

    /**
     * How fast CPU 0 runs the job's own per-record code right now: parse, enrich and encode of a
     * fixed set of messages on this thread (the whole JVM is pinned), best of three passes, in ns of
     * this thread's CPU time per record. This VM has slow phases in which the same build measures 40 % more core-µs per
     * record; printed beside the pinned runs, it tells which runs are comparable.
     */
    private static double calibrate(List<io.github.netobservch.parse.KafkaMessage> messages) throws Exception {
        io.github.netobservch.parse.FlowParser parser =
                new io.github.netobservch.parse.FlowParser(io.github.netobservch.parse.ParserConfig.defaults());
        io.github.netobservch.rows.FlowRowEncoder encoder = new io.github.netobservch.rows.FlowRowEncoder();
        io.github.netobservch.sink.RowBinaryWriter row = new io.github.netobservch.sink.RowBinaryWriter(8192);
        // this thread's CPU time, not the wall clock: the JVM's other threads share CPU 0
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        double best = Double.MAX_VALUE;
        long bytes = 0;
        for (int pass = 0; pass < 3; pass++) {
            long t0 = threads.getCurrentThreadCpuTime();
            for (io.github.netobservch.parse.KafkaMessage m : messages) {
                row.reset();
                encoder.encode(io.github.netobservch.enrich.FlowEnricher.enrich(parser.parse(m)), row);
                bytes += row.size();
            }
            best = Math.min(best, (double) (threads.getCurrentThreadCpuTime() - t0) / messages.size());
        }
        if (bytes == 0) {
            throw new IllegalStateException("the calibration encoded nothing");
        }
        return best;
    }

    /**
     * The floor under the job's CPU per record: the same input, source configuration, event time and
     * parallelism as the end-to-end run, through jobs that do none of the job's own work — (1) the
     * Kafka source into a discarding sink, (2) the same with the messages crossing a {@code keyBy}
     * shuffle (by a hash of their bytes, each as large as a record crossing the dedup shuffle) into a
     * keyed no-op. Task-thread CPU per input record, measured like the end-to-end run's.
     */
    private void floor(String bootstrap, Duration checkpoint, int records) throws Exception {
        JobConfig config = config("http://localhost:1", bootstrap, "floor", "exactly-once", checkpoint, "earliest");
        for (boolean shuffle : new boolean[] {false, true}) {
            try (LocalFlink flink = startFlink()) {
                org.apache.flink.streaming.api.environment.StreamExecutionEnvironment env =
                        io.github.netobservch.FlowsJob.environment(config);
                env.setParallelism(PARALLELISM);
                org.apache.flink.streaming.api.datastream.DataStream<io.github.netobservch.parse.KafkaMessage>
                        messages = env.fromSource(
                                io.github.netobservch.pipeline.FlowSources.boundedKafka(config.kafka()),
                                io.github.netobservch.pipeline.FlowPipeline.eventTime(config.pipeline()),
                                "kafka");
                if (shuffle) {
                    messages = messages.keyBy(
                                    (org.apache.flink.api.java.functions.KeySelector<
                                                    io.github.netobservch.parse.KafkaMessage, Integer>)
                                            m -> java.util.Arrays.hashCode(m.value),
                                    org.apache.flink.api.common.typeinfo.Types.INT)
                            .process(new FloorNoOp())
                            .returns(messages.getType());
                }
                messages.sinkTo(new org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink<>());
                CpuMeter cpu = CpuMeter.start();
                long t0 = System.nanoTime();
                LocalFlink.Job job = flink.submit(env, "floor");
                job.await(Duration.ofMinutes(30));
                double secs = (System.nanoTime() - t0) / 1e9;
                cpu.stop(secs);
                double perRecord = cpu.tasks().seconds() * 1e6 / records;
                String name = shuffle ? "floor: Kafka → keyBy → discard" : "floor: Kafka → discard";
                results.put(
                        shuffle ? "floor_shuffle_us_per_record" : "floor_source_us_per_record",
                        String.format(java.util.Locale.ROOT, "%.1f", perRecord));
                row(
                        name,
                        String.format("%.1f core-µs", perRecord),
                        String.format(
                                "task threads per input record (%s), %.1f s; no parsing, dedup, encoding or ClickHouse",
                                cpu.tasks().perRecord(records), secs));
            }
        }
    }

    /** The keyed operator of the floor's shuffle job: passes each message on. */
    private static final class FloorNoOp
            extends org.apache.flink.streaming.api.functions.KeyedProcessFunction<
                    Integer, io.github.netobservch.parse.KafkaMessage, io.github.netobservch.parse.KafkaMessage> {
        @Override
        public void processElement(
                io.github.netobservch.parse.KafkaMessage m,
                Context ctx,
                org.apache.flink.util.Collector<io.github.netobservch.parse.KafkaMessage> out) {
            out.collect(m);
        }
    }

    /**
     * What the ClickHouse engine alone costs: the rows the exactly-once run loaded, re-inserted from
     * this JVM as RowBinary in INSERTs of the sink's default size (8 MiB) into a fresh schema (rollup
     * views included), one after the other, without Kafka or Flink. Its CPU per row bounds any
     * pipeline on this machine.
     */
    /** The answer to {@code select} as RowBinary bytes. */
    private static byte[] rowBinary(java.net.http.HttpClient http, String url, String select) throws Exception {
        return http.send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/"))
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(select + " FORMAT RowBinary"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofByteArray())
                .body();
    }

    private void clickHouseCeiling(String url, String sourceDb) throws Exception {
        String db = "ceiling";
        LocalJob.applySchema(url, db, "default", "", 3650, line -> {});
        ClickHouseHttp ch = new ClickHouseHttp(url, db, "default", "");
        long total = ch.queryLong("SELECT count() FROM " + sourceDb + ".flows");
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        // Rows of ~8 MiB per INSERT, sized from a RowBinary sample (not from `raw`, which the raw policy
        // leaves nearly empty).
        int sampleRows = (int) Math.min(Math.max(1, total), 2_000);
        byte[] sample = rowBinary(http, url, "SELECT * FROM " + sourceDb + ".flows LIMIT " + sampleRows);
        long avgRow = Math.max(1, sample.length / sampleRows);
        long perInsert = Math.max(100, (8L << 20) / avgRow);
        List<byte[]> chunks = new ArrayList<>();
        for (long off = 0; off < total; off += perInsert) {
            chunks.add(rowBinary(
                    http,
                    url,
                    "SELECT * FROM " + sourceDb + ".flows ORDER BY kafka_partition, kafka_offset LIMIT " + perInsert
                            + " OFFSET " + off));
        }
        String insert = url + "/?database=" + db + "&insert_deduplicate=0&query="
                + java.net.URLEncoder.encode("INSERT INTO flows FORMAT RowBinary", StandardCharsets.UTF_8);
        CpuMeter cpu = CpuMeter.start();
        long t0 = System.nanoTime();
        for (byte[] chunk : chunks) {
            java.net.http.HttpResponse<String> r = http.send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(insert))
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(chunk))
                            .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("ceiling INSERT failed: " + r.body());
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        double chCpu = Math.max(1e-3, cpu.clickHouseSeconds());
        long rows = ch.queryLong("SELECT count() FROM flows");
        int cores = Runtime.getRuntime().availableProcessors();
        row(
                "ClickHouse alone, sequential INSERTs",
                fmt(rows / secs) + " rows/s",
                String.format(
                        "%,d rows in %d INSERTs of ~8 MiB RowBinary, no Kafka/Flink; %,.0f rows per ClickHouse core-second"
                                + " → at most %,.0f rows/s on %d cores for ClickHouse alone",
                        rows, chunks.size(), rows / chCpu, rows / chCpu * cores, cores));
    }

    // ------------------------------------------------------------------ baselines

    /** The original example's consumer: one message, 12 fields with Jackson, one INSERT per flow. */
    private double perRowBaseline(String url, String bootstrap, int seconds) throws Exception {
        ClickHouseHttp admin = new ClickHouseHttp(url, null, "default", "");
        admin.execute("CREATE DATABASE IF NOT EXISTS baseline");
        admin.execute(String.format(NAIVE_TABLE_DDL, "baseline.flows_per_row"));
        Properties props = EmbeddedKafka.clientProperties(bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-per-row");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
        ObjectMapper json = new ObjectMapper();
        long rows = 0;
        long t0;
        long end;
        try (KafkaConsumer<byte[], byte[]> consumer =
                        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                Connection c = DriverManager.getConnection(jdbcUrl(url, "baseline"), jdbcProps());
                PreparedStatement insert = c.prepareStatement(String.format(NAIVE_INSERT, "flows_per_row"))) {
            consumer.subscribe(List.of(TOPIC));
            t0 = System.nanoTime();
            end = t0 + Duration.ofSeconds(seconds).toNanos();
            while (System.nanoTime() < end) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    JsonNode n;
                    try {
                        n = json.readTree(r.value());
                    } catch (Exception e) {
                        continue; // the example logged and skipped bad messages
                    }
                    if (n == null || !n.isObject()) {
                        continue;
                    }
                    insert.setString(1, n.path("SrcAddr").asText());
                    insert.setString(2, n.path("DstAddr").asText());
                    insert.setInt(3, n.path("SrcPort").asInt());
                    insert.setInt(4, n.path("DstPort").asInt());
                    insert.setInt(5, n.path("Proto").asInt());
                    insert.setLong(6, n.path("Bytes").asLong());
                    insert.setLong(7, n.path("Packets").asLong());
                    insert.setTimestamp(
                            8, new Timestamp(n.path("TimeFlowStartMs").asLong()));
                    insert.setTimestamp(9, new Timestamp(n.path("TimeFlowEndMs").asLong()));
                    insert.setString(10, n.path("SrcK8S_Namespace").asText());
                    insert.setString(11, n.path("DstK8S_Namespace").asText());
                    insert.setInt(12, n.path("FlowDirection").asInt());
                    insert.executeUpdate();
                    rows++;
                }
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        long visible = admin.queryLong("SELECT count() FROM baseline.flows_per_row");
        double fps = visible / secs;
        row(
                "baseline: per-row consumer",
                fmt(fps) + " flows/s",
                String.format(
                        "%,d rows in %.0f s (time-bounded), KafkaConsumer + Jackson + 1 INSERT/flow, no dedup",
                        visible, secs));
        return fps;
    }

    /**
     * The same pipeline with flink-connector-jdbc's at-least-once JdbcSink as the flows sink, writing
     * the same full rows into the same {@code flows} table (with its rollup views) as the job does:
     * every column bound by {@link JdbcFlowStatement}, batched {@code INSERT … VALUES}.
     */
    private double jdbcSinkBaseline(
            String url, String bootstrap, Duration checkpoint, long expectedRows, int maxSeconds) {
        String database = "baseline_jdbc";
        LocalJob.applySchema(url, database, "default", "", 3650, line -> {});
        ClickHouseHttp ch = new ClickHouseHttp(url, database, "default", "");
        JobConfig config = config(url, bootstrap, database, "at-least-once", checkpoint, "earliest");
        StreamExecutionEnvironment env = FlowsJob.environment(config);
        env.setParallelism(PARALLELISM);
        FlowPipeline.Sinks real = FlowsJob.sinks(config, env);
        // The job hands its sink encoded rows: JdbcSink binds each one's decoded record (the decoding,
        // ~2 µs per row, is charged to the baseline).
        Sink<FlowRow> jdbc = JdbcSink.<FlowRow>builder()
                .withQueryStatement(
                        JdbcFlowStatement.insertSql("flows"),
                        (statement, row) -> JdbcFlowStatement.bind(
                                statement, FlowRowLayout.of().decode(row.row())))
                .withExecutionOptions(JdbcExecutionOptions.builder()
                        .withBatchSize(5_000)
                        .withBatchIntervalMs(1_000)
                        .withMaxRetries(3)
                        .build())
                .buildAtLeastOnce(new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                        .withUrl(jdbcUrl(url, database))
                        .withDriverName("com.clickhouse.jdbc.ClickHouseDriver")
                        .withUsername("default")
                        .withPassword("")
                        .build());
        FlowPipeline.build(
                env,
                FlowSources.boundedKafka(config.kafka()),
                new FlowPipeline.Sinks(jdbc, real.deadLetters(), Optional.empty()),
                config.pipeline());
        try (LocalFlink flink = startFlink()) {
            CpuMeter cpu = CpuMeter.start();
            long t0 = System.nanoTime();
            LocalFlink.Job job = flink.submit(env, "bench-jdbcsink");
            String how;
            try {
                job.await(Duration.ofSeconds(maxSeconds));
                how = "bounded job finished";
            } catch (IllegalStateException e) {
                if (!String.valueOf(e.getMessage()).startsWith("timed out")) {
                    throw e;
                }
                job.cancel();
                how = "stopped after " + maxSeconds + " s";
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            row("  CPU, JdbcSink baseline", "", cpu.stop(secs));
            long rows = ch.queryLong("SELECT count() FROM flows");
            double fps = rows / secs;
            row(
                    "baseline: JdbcSink at-least-once",
                    fmt(fps) + " flows/s",
                    String.format(
                            "%,d rows in %.1f s (%s; expected %,d), batches of 5,000, full row + views, p=%d",
                            rows, secs, how, expectedRows, PARALLELISM));
            return fps;
        }
    }

    // ------------------------------------------------------------------ latency

    /** Returns {p50, p99} in ms. */
    private double[] latency(String url, String bootstrap, Duration checkpoint, int rate, int seconds)
            throws Exception {
        String database = "latency";
        LocalJob.applySchema(url, database, "default", "", 3650, line -> {});
        JobConfig config = config(url, bootstrap, database, "exactly-once", checkpoint, "latest");
        ClickHouseHttp ch = new ClickHouseHttp(url, database, "default", "");
        Map<Integer, Long> start = EmbeddedKafka.endOffsets(bootstrap, TOPIC);
        int maxRecords = rate * seconds;
        long[][] timestamps = new long[PARTITIONS][maxRecords + 1];
        long[] firstOffset = new long[PARTITIONS];
        long[] lastOffset = new long[PARTITIONS];
        Arrays.fill(lastOffset, -1);
        for (int p = 0; p < PARTITIONS; p++) {
            firstOffset[p] = start.getOrDefault(p, 0L);
        }
        List<Double> latencies = new ArrayList<>();
        try (LocalFlink flink = startFlink()) {
            LocalFlink.Job job = LocalJob.submit(flink, config, PARALLELISM, false);
            job.awaitRunning(Duration.ofMinutes(2));
            Thread.sleep(1_000); // the source has its (latest) start offsets
            FlowGenerator generator = new FlowGenerator(GeneratorConfig.builder(7)
                    .startEpochMs(System.currentTimeMillis())
                    .recordsPerSecond(rate)
                    .build());
            long[] seen = firstOffset.clone(); // next offset not yet visible, per partition
            Thread producerThread = new Thread(
                    () -> {
                        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
                            long t0 = System.nanoTime();
                            int sent = 0;
                            while (sent < maxRecords) {
                                long due = Math.min(maxRecords, (long) ((System.nanoTime() - t0) / 1e9 * rate) + 1);
                                while (sent < due) {
                                    producer.send(
                                            new ProducerRecord<>(
                                                    TOPIC, generator.next().value()),
                                            (md, e) -> {
                                                if (e == null) {
                                                    int i = (int) (md.offset() - firstOffset[md.partition()]);
                                                    if (i >= 0 && i < timestamps[md.partition()].length) {
                                                        timestamps[md.partition()][i] = md.timestamp();
                                                    }
                                                    synchronized (lastOffset) {
                                                        lastOffset[md.partition()] =
                                                                Math.max(lastOffset[md.partition()], md.offset());
                                                    }
                                                }
                                            });
                                    sent++;
                                }
                                Thread.sleep(2);
                            }
                            producer.flush();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "bench-latency-producer");
            producerThread.start();
            long quietSince = -1;
            while (true) {
                long now = System.currentTimeMillis();
                boolean progress = false;
                for (String[] r :
                        ch.rows("SELECT kafka_partition, max(kafka_offset) FROM flows GROUP BY kafka_partition")) {
                    int p = Integer.parseInt(r[0]);
                    long max = Long.parseLong(r[1]);
                    for (long o = seen[p]; o <= max; o++) {
                        long ts = timestamps[p][(int) (o - firstOffset[p])];
                        if (ts > 0) {
                            latencies.add((double) (now - ts));
                        }
                        progress = true;
                    }
                    seen[p] = Math.max(seen[p], max + 1);
                }
                if (!producerThread.isAlive()) {
                    if (progress || quietSince < 0) {
                        quietSince = now;
                    } else if (now - quietSince > 2 * checkpoint.toMillis() + 2_000) {
                        break;
                    }
                }
                Thread.sleep(200);
            }
            producerThread.join();
            job.cancel();
        }
        double[] sorted =
                latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double p50 = percentile(sorted, 0.50);
        double p99 = percentile(sorted, 0.99);
        row(
                "latency p50 / p99",
                String.format("%.0f / %.0f ms", p50, p99),
                String.format(
                        "Kafka timestamp → visible in ClickHouse, %,d records at %,d/s, exactly-once, checkpoint %d ms, poll 200 ms",
                        sorted.length, rate, checkpoint.toMillis()));
        return new double[] {p50, p99};
    }

    static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    // ------------------------------------------------------------------ helpers

    /** The forked broker whose CPU {@link CpuMeter} reports apart from the job's. */
    private static ForkedKafka broker;

    /** What the last end-to-end run used. */
    private CpuMeter.Used lastCpu;

    private CpuMeter.TaskThreads lastTasks;

    /**
     * CPU time of this JVM (the job on its local Flink cluster; producers only in the phases that
     * produce), of the forked Kafka broker and of the embedded ClickHouse process (both children of
     * this JVM) over a phase: the profile that says which side bounds a throughput.
     */
    record CpuMeter(Duration jvm, Duration broker, Duration clickhouse, Duration gc, TaskThreads tasks) {
        static CpuMeter start() {
            return new CpuMeter(jvmCpu(), brokerCpu(), embeddedClickHouseCpu(), gcCpu(), TaskThreads.start());
        }

        /**
         * Core-seconds since {@link #start()}, per process; {@code tasks}: the part of the job JVM's
         * that ran in the job's task threads (its operators: parse, dedup, encode, commit), the rest
         * being Flink's runtime threads, JIT compilation and garbage collection.
         */
        record Used(double job, double broker, double clickhouse, double tasks, double gc) {}

        Used used() {
            return new Used(
                    (jvmCpu().minus(jvm).toMillis()) / 1000.0,
                    (brokerCpu().minus(broker).toMillis()) / 1000.0,
                    (embeddedClickHouseCpu().minus(clickhouse).toMillis()) / 1000.0,
                    tasks.seconds(),
                    (gcCpu().minus(gc).toMillis()) / 1000.0);
        }

        /**
         * CPU time of this JVM's garbage-collector threads: HotSpot's native {@code GC Thread#n} and
         * {@code G1 …} threads, which {@link java.lang.management.ThreadMXBean} does not list, read from
         * {@code /proc/self/task} (in clock ticks of 10 ms); zero where there is no {@code /proc}. The job's
         * allocations make most of this work, but it is not in the task threads' figure.
         */
        static Duration gcCpu() {
            long ticks = 0;
            try (java.nio.file.DirectoryStream<Path> threads = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
                for (Path t : threads) {
                    try {
                        String comm = Files.readString(t.resolve("comm")).strip();
                        if (comm.startsWith("GC Thread") || comm.startsWith("G1 ")) {
                            String stat = Files.readString(t.resolve("stat"));
                            // fields after "(comm) ": state is field 3, utime 14 and stime 15
                            String[] f =
                                    stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                            ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                        }
                    } catch (java.io.IOException | RuntimeException ended) {
                        // the thread ended while it was read
                    }
                }
            } catch (java.io.IOException e) {
                return Duration.ZERO;
            }
            return Duration.ofMillis(ticks * 10);
        }

        private static Duration brokerCpu() {
            return Benchmark.broker == null ? Duration.ZERO : Benchmark.broker.cpu();
        }

        /** ClickHouse core-seconds since {@link #start()}. */
        double clickHouseSeconds() {
            return embeddedClickHouseCpu().minus(clickhouse).toMillis() / 1000.0;
        }

        /** {@code "job JVM 3.1 + broker 0.8 + ClickHouse 1.2 core-s (…% of 2 cores)"} since {@link #start()}. */
        String stop(double wallSeconds) {
            Used u = used();
            int cores = Runtime.getRuntime().availableProcessors();
            return String.format(
                    "job JVM %.1f + broker %.1f + ClickHouse %.1f core-s (%.0f %% + %.0f %% + %.0f %% of %d cores)",
                    u.job(),
                    u.broker(),
                    u.clickhouse(),
                    100 * u.job() / wallSeconds / cores,
                    100 * u.broker() / wallSeconds / cores,
                    100 * u.clickhouse() / wallSeconds / cores,
                    cores);
        }

        private static Duration jvmCpu() {
            return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
        }

        /**
         * CPU time of the job's task threads — Flink names them after their operator chain (a name
         * with " -> "), plus the Kafka source's fetchers and the asynchronous checkpoint threads —
         * read with {@link java.lang.management.ThreadMXBean} every 50 ms while a run lasts, because
         * those threads end with the job and take their counters with them (the last 50 ms of each
         * thread may be missed). JIT compiler and GC threads are not Java threads the bean reports.
         */
        static final class TaskThreads {
            private final java.util.Map<Long, Long> first = new java.util.concurrent.ConcurrentHashMap<>();
            private final java.util.Map<Long, String> group = new java.util.concurrent.ConcurrentHashMap<>();
            private final java.util.Map<Long, Long> last = new java.util.concurrent.ConcurrentHashMap<>();
            /** User-mode CPU of the same threads (the rest of their CPU time is kernel time: I/O, futexes). */
            private final java.util.Map<Long, Long> firstUser = new java.util.concurrent.ConcurrentHashMap<>();

            private final java.util.Map<Long, Long> lastUser = new java.util.concurrent.ConcurrentHashMap<>();
            private final java.util.concurrent.ScheduledExecutorService sampler =
                    java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                        Thread t = new Thread(r, "bench-task-cpu-sampler");
                        t.setDaemon(true);
                        return t;
                    });

            private volatile boolean initial = true;

            static TaskThreads start() {
                TaskThreads t = new TaskThreads();
                t.sample(); // threads alive now count from here, threads started later from zero
                t.initial = false;
                t.sampler.scheduleAtFixedRate(t::sample, 50, 50, java.util.concurrent.TimeUnit.MILLISECONDS);
                return t;
            }

            private void sample() {
                java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
                // names without stack traces (Thread.getAllStackTraces would walk every stack 20 times a second)
                for (java.lang.management.ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds(), 0)) {
                    if (info == null) {
                        continue; // ended since getAllThreadIds
                    }
                    String n = info.getThreadName();
                    if (n.contains(" -> ") || n.startsWith("Source Data Fetcher") || n.startsWith("AsyncOperations")) {
                        long id = info.getThreadId();
                        long ns = mx.getThreadCpuTime(id);
                        long user = mx.getThreadUserTime(id);
                        if (ns >= 0 && user >= 0) {
                            first.putIfAbsent(id, initial ? ns : 0L);
                            firstUser.putIfAbsent(id, initial ? user : 0L);
                            group.putIfAbsent(id, groupOf(n));
                            last.put(id, ns);
                            lastUser.put(id, user);
                        }
                    }
                }
            }

            private static String groupOf(String thread) {
                if (thread.startsWith("Source Data Fetcher")) {
                    return "Kafka fetch";
                }
                if (thread.startsWith("AsyncOperations")) {
                    return "async checkpoint";
                }
                if (thread.contains("Committer")) {
                    return "committers";
                }
                if (thread.startsWith("Source:")) {
                    return "source, parse, enrich, dead-letter writer";
                }
                return thread.startsWith("dedup") ? "dedup, flows writer" : "other tasks";
            }

            /** Core-µs per record of each thread group, e.g. {@code "dedup, flows writer 10.2; …"}. */
            String perRecord(long records) {
                java.util.Map<String, Long> ns = new java.util.TreeMap<>();
                java.util.Map<String, Long> userNs = new java.util.TreeMap<>();
                for (var e : last.entrySet()) {
                    ns.merge(group.get(e.getKey()), e.getValue() - first.getOrDefault(e.getKey(), 0L), Long::sum);
                    userNs.merge(
                            group.get(e.getKey()),
                            lastUser.getOrDefault(e.getKey(), 0L) - firstUser.getOrDefault(e.getKey(), 0L),
                            Long::sum);
                }
                java.util.List<String> parts = new java.util.ArrayList<>();
                ns.entrySet().stream()
                        .sorted(java.util.Map.Entry.<String, Long>comparingByValue()
                                .reversed())
                        .forEach(e -> {
                            long kernel = e.getValue() - userNs.getOrDefault(e.getKey(), 0L);
                            parts.add(String.format(
                                    java.util.Locale.ROOT,
                                    "%s %.1f%s",
                                    e.getKey(),
                                    e.getValue() / 1e3 / records,
                                    e.getValue() > 0 && kernel * 5 > e.getValue()
                                            ? String.format(
                                                    java.util.Locale.ROOT,
                                                    " (%.0f %% kernel)",
                                                    100.0 * kernel / e.getValue())
                                            : ""));
                        });
                return String.join("; ", parts);
            }

            /** Core-seconds of task threads since {@link #start()} (sampling stops at the first call). */
            double seconds() {
                if (!sampler.isShutdown()) {
                    sample();
                    sampler.shutdownNow();
                }
                long ns = 0;
                for (var e : last.entrySet()) {
                    ns += e.getValue() - first.getOrDefault(e.getKey(), 0L);
                }
                return ns / 1e9;
            }
        }
    }

    /** CPU time so far of the embedded ClickHouse endpoint processes started by this JVM. */
    public static Duration embeddedClickHouseCpu() {
        return ProcessHandle.current()
                .descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("server.mjs"))
                .map(p -> p.info().totalCpuDuration().orElse(Duration.ZERO))
                .reduce(Duration.ZERO, Duration::plus);
    }

    static String jdbcUrl(String httpUrl, String database) {
        return httpUrl.replaceFirst("^http", "jdbc:clickhouse:http") + "/" + database + "?compress=false";
    }

    static Properties jdbcProps() {
        Properties p = new Properties();
        p.setProperty("user", "default");
        p.setProperty("password", "");
        return p;
    }

    private void row(String what, String value, String detail) {
        table.add(new String[] {what, value, detail});
        out.printf("bench: %-36s %20s  %s%n", what, value, detail);
    }

    static String fmt(double v) {
        return String.format("%,.0f", v);
    }

    static String fmtPlain(double v) {
        return Long.toString(Math.round(v));
    }

    static String machine() {
        StringBuilder sb = new StringBuilder();
        String cpu = "?";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .orElse("?");
        } catch (Exception e) {
            // not Linux
        }
        long memMb = -1;
        try {
            memMb = Files.readAllLines(Path.of("/proc/meminfo")).stream()
                    .filter(l -> l.startsWith("MemTotal"))
                    .findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024)
                    .orElse(-1L);
        } catch (Exception e) {
            // not Linux
        }
        sb.append("machine: ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" cores (")
                .append(cpu)
                .append("), ")
                .append(memMb)
                .append(" MB RAM, Java ")
                .append(System.getProperty("java.version"))
                .append(" (")
                .append(System.getProperty("java.vm.name"))
                .append("), max heap ")
                .append(Runtime.getRuntime().maxMemory() >> 20)
                .append(" MB");
        return sb.toString();
    }
}
