package io.github.netobservch.local;

import io.github.netobservch.cli.Cli;
import io.github.netobservch.cli.Cli.Opt;
import io.github.netobservch.config.JobConfig;
import io.github.netobservch.dedup.DedupMetrics;
import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.parse.FlowParseException;
import io.github.netobservch.parse.FlowParser;
import io.github.netobservch.parse.ParserConfig;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code scripts/replay}: feeds a file of NetObserv flow records (one JSON object per line, as
 * {@code kcat -C -t flows-export -e} captures them) through the real job into ClickHouse, waits
 * until every record is committed, and prints one line:
 *
 * <pre>REPLAY records=&lt;n&gt; loaded=&lt;n&gt; duplicates_dropped=&lt;n&gt; invalid=&lt;n&gt; expired_by_retention=&lt;n&gt; same_node_copies=&lt;n&gt; cross_reporter_copies=&lt;n&gt; resends=&lt;n&gt;</pre>
 *
 * <ul>
 *   <li>records: non-blank lines read. Blank lines (empty or only spaces/tabs, e.g. the newline a
 *       capture ends with) are skipped, not sent: NetObserv never sends empty messages. A trailing
 *       {@code \r} is removed; every other byte is sent unchanged (invalid UTF-8 included).
 *   <li>invalid: rows the job wrote to {@code flows_dlq} for these records (dead letters).
 *   <li>loaded: rows the job added to {@code flows} for these records and that the table keeps.
 *   <li>duplicates_dropped: records the dedup stage dropped, the sum of same_node_copies ({@code
 *       Duplicate=true}), cross_reporter_copies (the other node's report of a flow) and resends
 *       (the same record again), read from the job's own counters.
 *   <li>expired_by_retention: records the job loaded but that are older than the table's TTL, so
 *       ClickHouse drops them (at once or at its next merge). Before loading, the replay says how
 *       many records that will be and how to keep them.
 *   <li>records = loaded + duplicates_dropped + invalid + expired_by_retention.
 * </ul>
 *
 * <p>Without {@code --clickhouse.url} / {@code --kafka.bootstrap-servers} an embedded ClickHouse (temporary
 * data directory) / an embedded Kafka broker is started. The records are produced (record timestamp
 * = now) to the topic (created when missing), then the job runs with a bounded Kafka source that
 * starts at the replay's first timestamp and stops at the offsets produced; the job ending means
 * its final checkpoint committed. Rows are counted by the exact Kafka partition/offset ranges the
 * replay produced, so other data in the tables does not disturb the numbers. The dedup counts come
 * from the job's metrics ({@link LocalMetrics}); if the job restarted they are not exact, and the
 * replay says so and prints -1 for the split.
 */
public final class Replay {

    public static final String SUMMARY_PREFIX = "REPLAY ";

    private static final Pattern TTL_DAYS =
            Pattern.compile("TTL\\s+toDate\\(time_flow_end_ms\\)\\s*\\+\\s*toIntervalDay\\((\\d+)\\)");

    /** The summary; {@link #line()} is what the command prints. */
    public record Summary(
            long records,
            long loaded,
            long invalid,
            long expiredByRetention,
            long sameNodeCopies,
            long crossReporterCopies,
            long resends) {
        public long duplicatesDropped() {
            return records - loaded - invalid - expiredByRetention;
        }

        public String line() {
            return SUMMARY_PREFIX + "records=" + records + " loaded=" + loaded + " duplicates_dropped="
                    + duplicatesDropped() + " invalid=" + invalid + " expired_by_retention=" + expiredByRetention
                    + " same_node_copies=" + sameNodeCopies + " cross_reporter_copies=" + crossReporterCopies
                    + " resends=" + resends;
        }
    }

    private Replay() {}

    public static void main(String[] args) {
        // The embedded broker prints to System.out; keep stdout for the summary line alone.
        PrintStream stdout = System.out;
        System.setOut(System.err);
        int code = run(args, stdout, System.err);
        stdout.flush();
        System.exit(code);
    }

    public static final Cli CLI = new Cli(
            "scripts/replay",
            List.of(
                    "Feeds captured NetObserv flow records (one JSON object per line, e.g. from",
                    "`kcat -C -t flows-export -e > flows.jsonl`) through the real job into ClickHouse and prints",
                    "  REPLAY records=<n> loaded=<n> duplicates_dropped=<n> invalid=<n> expired_by_retention=<n>",
                    "         same_node_copies=<n> cross_reporter_copies=<n> resends=<n>",
                    "(records = loaded + duplicates_dropped + invalid + expired_by_retention; duplicates_dropped is the",
                    "sum of the last three). Records older than the target table's TTL are counted before loading and",
                    "reported as expired_by_retention: to keep them, load into a schema created with a longer",
                    "--retention-days (see sql/README.md, Retention).",
                    ""),
            List.of(
                    Opt.option("--input", "FILE", "the records (required); blank lines are skipped"),
                    Opt.option(
                            "--clickhouse.url",
                            "URL",
                            "load into this server (schema applied if missing);"
                                    + " default: an embedded ClickHouse in a temporary directory"),
                    Opt.option(
                            "--clickhouse.user",
                            "USER",
                            "default 'default'; the password comes from" + " $CLICKHOUSE_PASSWORD"),
                    Opt.option("--clickhouse.database", "DB", "default netobserv"),
                    Opt.option("--kafka.bootstrap-servers", "HOST:PORT", "use this Kafka; default: an embedded broker"),
                    Opt.option("--kafka.topics", "TOPIC", "default flows-export (created when missing)"),
                    Opt.option("--partitions", "N", "partitions of a topic the replay creates (default 2)"),
                    Opt.option("--parallelism", "N", "job parallelism (default 2)"),
                    Opt.option("--checkpoint-interval", "D", "default 1s"),
                    Opt.option(
                            "--retention-days",
                            "N",
                            "raw-table TTL when the schema is created (default: 3650 for"
                                    + " the embedded server, so old captures are kept; 30 otherwise)"),
                    Opt.option("--timeout", "D", "give up after D (default 30min)"),
                    Opt.option(
                            "--raw-policy",
                            "P",
                            "the job's raw.policy: whole, unmapped or none (default: the job's default)"),
                    Opt.flag(
                            "--check-records",
                            "also compare each loaded row's record column with the line it came from (same"
                                    + " keys and values) and report on stderr how many give their line back")),
            List.of("", "Exit status: 0 done, 1 failure, 2 bad usage."));

    static String usage() {
        return CLI.usage();
    }

    /** Runs the replay; the summary line goes to {@code out}, everything else to {@code err}. Returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, System.getenv().getOrDefault(LocalJob.PASSWORD_ENV, ""), out, err);
    }

    /** {@link #run(String[], PrintStream, PrintStream)} with the ClickHouse password given (tests). */
    static int run(String[] args, String password, PrintStream out, PrintStream err) {
        Cli.Args cl;
        try {
            cl = CLI.parse(args);
            if (cl.help()) {
                out.println(usage());
                return 0;
            }
            if (!cl.has("--input")) {
                throw new IllegalArgumentException("--input is required");
            }
        } catch (IllegalArgumentException e) {
            err.println("replay: " + e.getMessage());
            err.println(usage());
            return 2;
        }
        try {
            Summary summary = replay(cl, password, err);
            out.println(summary.line());
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("replay: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            err.println("replay: failed: " + e.getMessage());
            e.printStackTrace(err);
            return 1;
        }
    }

    static Summary replay(Cli.Args cl, String password, PrintStream log) {
        Path input = Path.of(cl.get("--input", null));
        if (!Files.isRegularFile(input)) {
            throw new IllegalArgumentException("no such file: " + input);
        }
        String topic = cl.get("--kafka.topics", "flows-export");
        String database = cl.get("--clickhouse.database", "netobserv");
        String user = cl.get("--clickhouse.user", "default");
        int partitions = (int) cl.getLong("--partitions", 2);
        int parallelism = (int) cl.getLong("--parallelism", 2);
        Duration checkpoint = cl.getDuration("--checkpoint-interval", Duration.ofSeconds(1));
        Duration timeout = cl.getDuration("--timeout", Duration.ofMinutes(30));
        if (partitions < 1 || parallelism < 1) {
            throw new IllegalArgumentException("--partitions and --parallelism must be positive");
        }

        Path tmp = null;
        EmbeddedClickHouse clickhouse = null;
        EmbeddedKafka kafka = null;
        LocalFlink flink = null;
        try {
            tmp = Files.createTempDirectory("netobserv-replay");
            String url = cl.get("--clickhouse.url", null);
            int retention = (int) cl.getLong("--retention-days", url == null ? 3650 : 0);
            if (url == null) {
                clickhouse = EmbeddedClickHouse.start(tmp.resolve("clickhouse"), 0);
                url = clickhouse.url();
                log.println("replay: embedded ClickHouse at " + url);
            }
            LocalJob.applySchema(
                    url, database, user, password, retention, line -> log.println("replay: schema: " + line));
            ClickHouseHttp ch = new ClickHouseHttp(url, database, user, password);
            OptionalInt ttlDays = retentionDays(ch, "flows");
            Retention check = Retention.scan(input, ttlDays, LocalDate.now(ZoneOffset.UTC));
            log.println("replay: " + check.describe(database + ".flows"));

            String bootstrap = cl.get("--kafka.bootstrap-servers", null);
            if (bootstrap == null) {
                kafka = EmbeddedKafka.start();
                bootstrap = kafka.bootstrapServers();
                log.println("replay: embedded Kafka at " + bootstrap);
            }
            EmbeddedKafka.createTopic(bootstrap, topic, partitions);
            Map<Integer, Long> start = EmbeddedKafka.endOffsets(bootstrap, topic);
            long firstTimestamp = System.currentTimeMillis();
            Map<String, byte[]> sent = cl.has("--check-records") ? new ConcurrentHashMap<>() : null;
            long[] lines = produce(input, bootstrap, topic, firstTimestamp, sent);
            long records = lines[0];
            Map<Integer, Long> end = EmbeddedKafka.endOffsets(bootstrap, topic);
            log.println("replay: " + LocalJob.n(records) + " records produced to " + topic
                    + (lines[1] > 0 ? " (" + lines[1] + " blank lines skipped)" : ""));

            Map<String, String> options = new LinkedHashMap<>();
            options.put("kafka.bootstrap-servers", bootstrap);
            options.put("kafka.topics", topic);
            options.put(
                    "kafka.group-id",
                    "netobserv-replay-" + UUID.randomUUID().toString().substring(0, 8));
            options.put("kafka.starting-offsets", "timestamp:" + firstTimestamp);
            options.put("clickhouse.url", url);
            options.put("clickhouse.database", database);
            options.put("clickhouse.user", user);
            options.put("checkpoint.interval", Cli.flinkDuration(checkpoint));
            if (cl.get("--raw-policy", null) != null) {
                options.put("raw.policy", cl.get("--raw-policy", null));
            }
            options.put("job.name", "netobserv-replay");
            // A replay is a batch: the sink need not recognise re-commits after an hour-long outage,
            // and short checkpoints would otherwise need a larger insert-dedup window than the schema's.
            options.put("sink.tolerated-outage", "5 min");
            JobConfig config = LocalJob.config(options);

            long t0 = System.nanoTime();
            flink = LocalFlink.start(parallelism);
            LocalFlink.Job job = LocalJob.submit(flink, config, parallelism, true);
            job.await(timeout);
            log.printf("replay: job finished in %.1f s%n", (System.nanoTime() - t0) / 1e9);

            String where = rangePredicate(topic, start, end);
            String kept = ttlDays.isPresent()
                    ? " AND toDate(time_flow_end_ms) + toIntervalDay(" + ttlDays.getAsInt() + ") > today()"
                    : "";
            long loaded = ch.queryLong("SELECT count() FROM " + config.sink().flowsTable() + " WHERE " + where + kept);
            long invalid = ch.queryLong("SELECT count() FROM " + config.sink().deadLetterTable() + " WHERE " + where);
            if (sent != null) {
                log.println("replay: " + RecordCheck.run(ch, config.sink().flowsTable(), where, sent, config));
            }
            String jobId = job.id().toString();
            long keptByDedup = LocalMetrics.sum(jobId, DedupMetrics.GROUP + "." + DedupMetrics.KEPT);
            long sameNode = LocalMetrics.sum(
                    jobId, DedupMetrics.GROUP + "." + DedupMetrics.DROPPED + "." + DedupMetrics.SAME_NODE_COPY);
            long crossReporter = LocalMetrics.sum(
                    jobId, DedupMetrics.GROUP + "." + DedupMetrics.DROPPED + "." + DedupMetrics.CROSS_REPORTER);
            long resends = LocalMetrics.sum(
                    jobId, DedupMetrics.GROUP + "." + DedupMetrics.DROPPED + "." + DedupMetrics.EXACT_RESEND);
            LocalMetrics.forget(jobId);
            boolean exact = job.restarts() == 0
                    && keptByDedup + sameNode + crossReporter + resends + invalid == records
                    && keptByDedup >= loaded;
            if (!exact) {
                log.println("replay: the job restarted or its counters are incomplete: dedup drops by cause are not"
                        + " available (-1); expired_by_retention is the prediction made before loading");
                long expired = Math.min(check.expired(), records - invalid - loaded);
                return new Summary(records, loaded, invalid, expired, -1, -1, -1);
            }
            return new Summary(records, loaded, invalid, keptByDedup - loaded, sameNode, crossReporter, resends);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (flink != null) {
                flink.close();
            }
            if (kafka != null) {
                kafka.close();
            }
            if (clickhouse != null) {
                clickhouse.stop();
            }
            LocalJob.deleteRecursively(tmp);
        }
    }

    /** The retention of a table created by {@code sql/schema} ({@code TTL toDate(time_flow_end_ms) + toIntervalDay(N)}), if it has one. */
    static OptionalInt retentionDays(ClickHouseHttp ch, String table) {
        List<String> engine =
                ch.column("SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = '"
                        + table.replace("'", "\\'") + "'");
        if (engine.isEmpty()) {
            return OptionalInt.empty();
        }
        Matcher m = TTL_DAYS.matcher(engine.get(0));
        return m.find() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
    }

    /**
     * What the target table's TTL will do to the file's records, read before loading: ClickHouse
     * drops a row once {@code toDate(TimeFlowEndMs) + N days} is not after today (UTC). Only
     * records the job's parser accepts are counted (dead letters never reach the table).
     */
    record Retention(OptionalInt ttlDays, long expired, long timed, LocalDate oldest, LocalDate today) {

        static Retention scan(Path input, OptionalInt ttlDays, LocalDate today) throws IOException {
            long[] counts = new long[2];
            long[] oldest = {Long.MAX_VALUE};
            FlowParser parser = new FlowParser(ParserConfig.defaults());
            try (InputStream in = Files.newInputStream(input)) {
                forEachLine(in, line -> {
                    if (isBlank(line)) {
                        return;
                    }
                    long end;
                    try {
                        end = parser.parse(line).getLong(ColumnRegistry.TIME_FLOW_END_MS);
                    } catch (FlowParseException e) {
                        return; // a dead letter: never in the table
                    }
                    long day = Math.floorDiv(end, 86_400_000L);
                    counts[1]++;
                    oldest[0] = Math.min(oldest[0], day);
                    if (ttlDays.isPresent() && day + ttlDays.getAsInt() <= today.toEpochDay()) {
                        counts[0]++;
                    }
                });
            }
            return new Retention(
                    ttlDays, counts[0], counts[1], counts[1] == 0 ? null : LocalDate.ofEpochDay(oldest[0]), today);
        }

        /** Retention in days that keeps every record of the file (oldest record's age + 1). */
        long daysToKeepAll() {
            return oldest == null ? 0 : today.toEpochDay() - oldest.toEpochDay() + 1;
        }

        String describe(String table) {
            if (ttlDays.isEmpty()) {
                return table + " has no TTL: every loaded record is kept";
            }
            if (expired == 0) {
                return "all " + timed + " valid records are within the " + ttlDays.getAsInt() + "-day retention of "
                        + table;
            }
            return expired + " of " + timed + " valid records end before " + today.minusDays(ttlDays.getAsInt() - 1L)
                    + ", older than the " + ttlDays.getAsInt() + "-day retention (TTL) of " + table
                    + ": ClickHouse drops"
                    + " them right after loading, and the summary counts them as expired_by_retention. To keep them,"
                    + " replay into a schema created with --retention-days " + daysToKeepAll() + " or more (a new"
                    + " --clickhouse.database, or ALTER TABLE " + table
                    + " MODIFY TTL toDate(time_flow_end_ms) + toIntervalDay("
                    + daysToKeepAll() + "); see sql/README.md, Retention)";
        }
    }

    /** Rows of this replay: its topic and, per partition, the offsets it produced. */
    static String rangePredicate(String topic, Map<Integer, Long> start, Map<Integer, Long> end) {
        StringBuilder sb = new StringBuilder("kafka_topic = '")
                .append(topic.replace("'", "\\'"))
                .append("' AND (0");
        end.forEach((p, e) -> {
            long s = start.getOrDefault(p, 0L);
            if (e > s) {
                sb.append(" OR (kafka_partition = ")
                        .append(p)
                        .append(" AND kafka_offset >= ")
                        .append(s)
                        .append(" AND kafka_offset < ")
                        .append(e)
                        .append(')');
            }
        });
        return sb.append(')').toString();
    }

    /** Produces every non-blank line; returns {records, blank lines}. */
    static long[] produce(Path input, String bootstrap, String topic, long firstTimestamp, Map<String, byte[]> sent)
            throws IOException {
        Properties props = EmbeddedKafka.clientProperties(bootstrap);
        props.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(4 << 20));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        AtomicReference<Exception> failure = new AtomicReference<>();
        long[] counts = new long[2];
        try (KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
                InputStream in = Files.newInputStream(input)) {
            forEachLine(in, line -> {
                if (isBlank(line)) {
                    counts[1]++;
                    return;
                }
                counts[0]++;
                long ts = Math.max(firstTimestamp, System.currentTimeMillis());
                producer.send(new ProducerRecord<>(topic, null, ts, null, line), (md, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    } else if (sent != null) {
                        sent.put(md.partition() + ":" + md.offset(), line);
                    }
                });
            });
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("producing to " + topic + " failed: " + failure.get(), failure.get());
        }
        return counts;
    }

    /** Calls {@code consumer} with every line's bytes, without the {@code \n} and a trailing {@code \r}. */
    static void forEachLine(InputStream raw, java.util.function.Consumer<byte[]> consumer) throws IOException {
        InputStream in = new BufferedInputStream(raw, 1 << 16);
        ByteArrayOutputStream line = new ByteArrayOutputStream(2048);
        boolean pending = false;
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                consumer.accept(stripCr(line.toByteArray()));
                line.reset();
                pending = false;
            } else {
                line.write(b);
                pending = true;
            }
        }
        if (pending) {
            consumer.accept(stripCr(line.toByteArray()));
        }
    }

    private static byte[] stripCr(byte[] line) {
        return line.length > 0 && line[line.length - 1] == '\r' ? java.util.Arrays.copyOf(line, line.length - 1) : line;
    }

    static boolean isBlank(byte[] line) {
        for (byte c : line) {
            if (c != ' ' && c != '\t') {
                return false;
            }
        }
        return true;
    }
}
