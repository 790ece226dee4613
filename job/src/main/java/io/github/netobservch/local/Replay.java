package io.github.netobservch.local;

import io.github.netobservch.config.JobConfig;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code scripts/replay}: feeds a file of NetObserv flow records (one JSON object per line, as
 * {@code kcat -C -t flows-export -e} captures them) through the real job into ClickHouse, waits
 * until every record is committed, and prints one line:
 *
 * <pre>REPLAY records=&lt;n&gt; loaded=&lt;n&gt; duplicates_dropped=&lt;n&gt; invalid=&lt;n&gt;</pre>
 *
 * <ul>
 *   <li>records: non-blank lines read. Blank lines (empty or only spaces/tabs, e.g. the newline a
 *       capture ends with) are skipped, not sent: NetObserv never sends empty messages. A trailing
 *       {@code \r} is removed; every other byte is sent unchanged (invalid UTF-8 included).
 *   <li>invalid: rows the job wrote to {@code flows_dlq} for these records (dead letters).
 *   <li>loaded: rows the job added to {@code flows} for these records.
 *   <li>duplicates_dropped: records − invalid − loaded (cross-reporter copies, {@code Duplicate}
 *       copies and exact re-sends the dedup stage dropped).
 * </ul>
 *
 * <p>Without {@code --clickhouse-url} / {@code --bootstrap-servers} an embedded ClickHouse (temporary
 * data directory) / an embedded Kafka broker is started. The records are produced (record timestamp
 * = now) to the topic (created when missing), then the job runs with a bounded Kafka source that
 * starts at the replay's first timestamp and stops at the offsets produced; the job ending means
 * its final checkpoint committed. Rows are counted by the exact Kafka partition/offset ranges the
 * replay produced, so other data in the tables does not disturb the numbers.
 */
public final class Replay {

    public static final String SUMMARY_PREFIX = "REPLAY ";

    private static final Set<String> OPTIONS = Set.of("--input", "--clickhouse-url", "--clickhouse-user", "--database",
            "--bootstrap-servers", "--topic", "--partitions", "--parallelism", "--checkpoint-interval", "--timeout",
            "--retention-days");
    private static final Set<String> FLAGS = Set.of("--help", "-h");

    /** The summary; {@link #line()} is what the command prints. */
    public record Summary(long records, long loaded, long duplicatesDropped, long invalid) {
        public String line() {
            return SUMMARY_PREFIX + "records=" + records + " loaded=" + loaded + " duplicates_dropped="
                    + duplicatesDropped + " invalid=" + invalid;
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

    static String usage() {
        return String.join("\n",
                "Usage: scripts/replay --input FILE.jsonl [options]",
                "",
                "Feeds captured NetObserv flow records (one JSON object per line, e.g. from",
                "`kcat -C -t flows-export -e > flows.jsonl`) through the real job into ClickHouse and prints",
                "  REPLAY records=<n> loaded=<n> duplicates_dropped=<n> invalid=<n>",
                "",
                "Options:",
                "  --input FILE               the records (required); blank lines are skipped",
                "  --clickhouse-url URL       load into this server (schema applied if missing); default: an",
                "                             embedded ClickHouse in a temporary directory",
                "  --clickhouse-user USER     default 'default'; the password comes from $CLICKHOUSE_PASSWORD",
                "  --database DB              default netobserv",
                "  --bootstrap-servers H:P    use this Kafka; default: an embedded broker",
                "  --topic T                  default flows-export (created when missing)",
                "  --partitions N             partitions of a topic the replay creates (default 2)",
                "  --parallelism N            job parallelism (default 2)",
                "  --checkpoint-interval D    default 1s",
                "  --retention-days N         raw-table TTL when the schema is created (default: 3650 for the",
                "                             embedded server, so old captures are kept; 30 otherwise)",
                "  --timeout D                give up after D (default 30min)",
                "",
                "Exit status: 0 done, 1 failure, 2 bad usage.");
    }

    /** Runs the replay; the summary line goes to {@code out}, everything else to {@code err}. Returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl;
        try {
            cl = CommandLine.parse(args, OPTIONS, FLAGS);
            if (cl.has("--help") || cl.has("-h")) {
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
            Summary summary = replay(cl, err);
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

    static Summary replay(CommandLine cl, PrintStream log) {
        Path input = Path.of(cl.get("--input", null));
        if (!Files.isRegularFile(input)) {
            throw new IllegalArgumentException("no such file: " + input);
        }
        String topic = cl.get("--topic", "flows-export");
        String database = cl.get("--database", "netobserv");
        String user = cl.get("--clickhouse-user", "default");
        String password = System.getenv().getOrDefault(LocalJob.PASSWORD_ENV, "");
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
            String url = cl.get("--clickhouse-url", null);
            int retention = (int) cl.getLong("--retention-days", url == null ? 3650 : 0);
            if (url == null) {
                clickhouse = EmbeddedClickHouse.start(tmp.resolve("clickhouse"), 0);
                url = clickhouse.url();
                log.println("replay: embedded ClickHouse at " + url);
            }
            LocalJob.applySchema(url, database, user, password, retention, line -> log.println("replay: schema: " + line));

            String bootstrap = cl.get("--bootstrap-servers", null);
            if (bootstrap == null) {
                kafka = EmbeddedKafka.start();
                bootstrap = kafka.bootstrapServers();
                log.println("replay: embedded Kafka at " + bootstrap);
            }
            EmbeddedKafka.createTopic(bootstrap, topic, partitions);
            Map<Integer, Long> start = EmbeddedKafka.endOffsets(bootstrap, topic);
            long firstTimestamp = System.currentTimeMillis();
            long[] lines = produce(input, bootstrap, topic, firstTimestamp);
            long records = lines[0];
            Map<Integer, Long> end = EmbeddedKafka.endOffsets(bootstrap, topic);
            log.println("replay: " + LocalJob.n(records) + " records produced to " + topic
                    + (lines[1] > 0 ? " (" + lines[1] + " blank lines skipped)" : ""));

            Map<String, String> options = new LinkedHashMap<>();
            options.put("kafka.bootstrap-servers", bootstrap);
            options.put("kafka.topics", topic);
            options.put("kafka.group-id", "netobserv-replay-" + UUID.randomUUID().toString().substring(0, 8));
            options.put("kafka.starting-offsets", "timestamp:" + firstTimestamp);
            options.put("clickhouse.url", url);
            options.put("clickhouse.database", database);
            options.put("clickhouse.user", user);
            options.put("checkpoint.interval", CommandLine.flinkDuration(checkpoint));
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

            ClickHouseHttp ch = new ClickHouseHttp(url, database, user, password);
            String where = rangePredicate(topic, start, end);
            long loaded = ch.queryLong("SELECT count() FROM " + config.sink().flowsTable() + " WHERE " + where);
            long invalid = ch.queryLong("SELECT count() FROM " + config.sink().deadLetterTable() + " WHERE " + where);
            return new Summary(records, loaded, records - invalid - loaded, invalid);
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

    /** Rows of this replay: its topic and, per partition, the offsets it produced. */
    static String rangePredicate(String topic, Map<Integer, Long> start, Map<Integer, Long> end) {
        StringBuilder sb = new StringBuilder("kafka_topic = '").append(topic.replace("'", "\\'")).append("' AND (0");
        end.forEach((p, e) -> {
            long s = start.getOrDefault(p, 0L);
            if (e > s) {
                sb.append(" OR (kafka_partition = ").append(p).append(" AND kafka_offset >= ").append(s)
                        .append(" AND kafka_offset < ").append(e).append(')');
            }
        });
        return sb.append(')').toString();
    }

    /** Produces every non-blank line; returns {records, blank lines}. */
    static long[] produce(Path input, String bootstrap, String topic, long firstTimestamp) throws IOException {
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
