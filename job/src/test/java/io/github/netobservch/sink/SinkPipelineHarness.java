package io.github.netobservch.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.KafkaTestCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The numbered-record pipeline of the sink ITCases: a generator writes N unkeyed records
 * {@code seq,bytes,packets,epochDay} to a multi-partition topic and remembers per-partition totals;
 * the job is bounded KafkaSource → parse (with the Kafka partition) → throttle → keyBy → sink.
 */
final class SinkPipelineHarness {

    private static final Logger LOG = LoggerFactory.getLogger(SinkPipelineHarness.class);

    static final int PARTITIONS = 4;

    /** What the generator wrote. */
    record Topic(String name, int records, long[] count, long[] bytes, long[] packets) {}

    /** Writes {@code n} records with seq 1..n (values from {@code seed}), unkeyed. */
    static Topic produce(KafkaTestCluster kafka, int n, long seed) throws Exception {
        String topic = kafka.createTopic("sink-it", PARTITIONS);
        AtomicLongArray count = new AtomicLongArray(PARTITIONS);
        AtomicLongArray bytes = new AtomicLongArray(PARTITIONS);
        AtomicLongArray packets = new AtomicLongArray(PARTITIONS);
        Properties props = kafka.producerProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // Spread unkeyed records over all partitions (the sticky partitioner would fill one batch at a time).
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, "2048");
        Random random = new Random(seed);
        List<Throwable> errors = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            for (long seq = 1; seq <= n; seq++) {
                long b = 40 + random.nextInt(1_000_000);
                long p = 1 + random.nextInt(1000);
                int day = 20_000 + random.nextInt(3);
                byte[] value = (seq + "," + b + "," + p + "," + day).getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>(topic, value), (meta, e) -> {
                    if (e != null) {
                        synchronized (errors) {
                            errors.add(e);
                        }
                        return;
                    }
                    count.incrementAndGet(meta.partition());
                    bytes.addAndGet(meta.partition(), b);
                    packets.addAndGet(meta.partition(), p);
                });
            }
            producer.flush();
        }
        assertThat(errors).isEmpty();
        long[] c = new long[PARTITIONS];
        long[] bs = new long[PARTITIONS];
        long[] ps = new long[PARTITIONS];
        for (int i = 0; i < PARTITIONS; i++) {
            c[i] = count.get(i);
            bs[i] = bytes.get(i);
            ps[i] = packets.get(i);
        }
        LOG.info("Produced {} records to {}: per partition {}", n, topic, java.util.Arrays.toString(c));
        return new Topic(topic, n, c, bs, ps);
    }

    /** Parses {@code seq,bytes,packets,epochDay} and adds the Kafka partition. */
    static final class Parse implements KafkaRecordDeserializationSchema<TestRows.Row> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<TestRows.Row> out) {
            String[] f = new String(record.value(), StandardCharsets.UTF_8).split(",");
            out.collect(new TestRows.Row(
                    Long.parseLong(f[0]),
                    record.partition(),
                    Long.parseLong(f[1]),
                    Long.parseLong(f[2]),
                    Integer.parseInt(f[3])));
        }

        @Override
        public TypeInformation<TestRows.Row> getProducedType() {
            return TypeInformation.of(TestRows.Row.class);
        }
    }

    /** Slows the stream so that a run spans several checkpoints. */
    static final class Throttle extends RichMapFunction<TestRows.Row, TestRows.Row> {
        private static final long serialVersionUID = 1L;
        private final int every;
        private final long sleepMs;
        private transient long n;

        Throttle(int every, long sleepMs) {
            this.every = every;
            this.sleepMs = sleepMs;
        }

        @Override
        public void open(OpenContext openContext) {
            n = 0;
        }

        @Override
        public TestRows.Row map(TestRows.Row value) throws Exception {
            if (++n % every == 0) {
                Thread.sleep(sleepMs);
            }
            return value;
        }
    }

    /** Runs the pipeline to completion (bounded source) with restarts allowed. */
    static void run(String bootstrap, Topic topic, ClickHouseSink<TestRows.Row> sink, int parallelism, Duration timeout)
            throws Exception {
        await(start(bootstrap, topic, sink, parallelism, null), timeout);
    }

    /** Waits for the job to finish; cancels it and fails after {@code timeout}. */
    static void await(JobClient job, Duration timeout) throws Exception {
        try {
            job.getJobExecutionResult().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            job.cancel().get(30, TimeUnit.SECONDS);
            throw new AssertionError("job did not finish within " + timeout, e);
        }
    }

    /** Submits the pipeline, from {@code savepoint} if not null. */
    static JobClient start(
            String bootstrap, Topic topic, ClickHouseSink<TestRows.Row> sink, int parallelism, String savepoint)
            throws Exception {
        Configuration conf = new Configuration();
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.enableCheckpointing(250);

        KafkaSource<TestRows.Row> source = KafkaSource.<TestRows.Row>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(topic.name())
                .setGroupId("sink-it-" + UUID.randomUUID())
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setBounded(OffsetsInitializer.latest())
                .setDeserializer(new Parse())
                .build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "kafka")
                .uid("kafka-source")
                .map(new Throttle(25, 5))
                .uid("throttle")
                .keyBy(r -> r.seq() % 16)
                .sinkTo(sink)
                .name("clickhouse")
                .uid("clickhouse-sink");

        return env.executeAsync("sink-it");
    }

    /** The invariants: every seq exactly once, sums per Kafka partition equal the generator's. */
    static void assertExactlyOnce(ClickHouseTestServer ch, String db, String table, Topic topic) throws Exception {
        long n = topic.records();
        assertThat(ch.queryLong(db, "SELECT count() FROM " + table)).as("count").isEqualTo(n);
        assertThat(ch.queryLong(db, "SELECT uniqExact(seq) FROM " + table))
                .as("distinct seq")
                .isEqualTo(n);
        assertThat(ch.queryLong(db, "SELECT min(seq) FROM " + table))
                .as("min seq")
                .isEqualTo(1);
        assertThat(ch.queryLong(db, "SELECT max(seq) FROM " + table))
                .as("max seq")
                .isEqualTo(n);
        List<String> actual = ch.queryColumn(
                db,
                "SELECT concat(toString(kafka_partition), ':', toString(count()), ':',"
                        + " toString(sum(bytes)), ':', toString(sum(packets))) FROM " + table
                        + " GROUP BY kafka_partition ORDER BY kafka_partition");
        List<String> expected = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            if (topic.count()[p] > 0) {
                expected.add(p + ":" + topic.count()[p] + ":" + topic.bytes()[p] + ":" + topic.packets()[p]);
            }
        }
        assertThat(actual)
                .as("per Kafka partition: count, sum(bytes), sum(packets)")
                .isEqualTo(expected);
    }

    private SinkPipelineHarness() {}
}
