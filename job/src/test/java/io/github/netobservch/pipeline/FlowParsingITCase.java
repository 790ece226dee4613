package io.github.netobservch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.netobservch.config.ConfigLoader;
import io.github.netobservch.config.JobConfig;
import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.generate.FlowGenerator;
import io.github.netobservch.generate.GeneratedMessage;
import io.github.netobservch.generate.GeneratorConfig;
import io.github.netobservch.parse.DeadLetter;
import io.github.netobservch.parse.DeadLetterReason;
import io.github.netobservch.parse.FlowParseFunction;
import io.github.netobservch.parse.KafkaMessage;
import io.github.netobservch.parse.ParserConfig;
import io.github.netobservch.parse.RawPolicy;
import io.github.netobservch.testing.EmbeddedKafkaExtension;
import io.github.netobservch.testing.KafkaTestCluster;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Generated NetObserv records through the embedded Kafka broker and the real {@code KafkaSource},
 * parsed and enriched on a MiniCluster with parallelism 2; the flows and the dead letters are
 * checked exactly against the generator's ground truth.
 */
@org.junit.jupiter.api.Timeout(300)
@ExtendWith(EmbeddedKafkaExtension.class)
class FlowParsingITCase {

    private static final int PARTITIONS = 3;
    private static final int MESSAGES = 3_000;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    @Test
    void everyMessageBecomesExactlyOneFlowOrOneDeadLetter(KafkaTestCluster kafka) throws Exception {
        String topic = kafka.createTopic("flows-export", PARTITIONS);
        FlowGenerator generator = new FlowGenerator(GeneratorConfig.builder(42L)
                .invalidShare(0.05)
                .resendShare(0.02)
                .legacyShare(0.05)
                .build());

        // Produce unkeyed, as NetObserv does, and remember where each message landed.
        Map<String, GeneratedMessage> byCoordinates = new HashMap<>();
        List<GeneratedMessage> generated = new ArrayList<>();
        java.util.Properties producerProps = producerProperties(kafka);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                GeneratedMessage m = generator.next();
                generated.add(m);
                sent.add(producer.send(new ProducerRecord<>(topic, m.value())));
            }
            producer.flush();
            for (int i = 0; i < MESSAGES; i++) {
                RecordMetadata md = sent.get(i).get();
                byCoordinates.put(md.partition() + "/" + md.offset(), generated.get(i));
            }
        }

        JobConfig config = ConfigLoader.load(
                new String[] {
                    "--kafka.bootstrap-servers",
                    kafka.bootstrapServers(),
                    "--kafka.topics",
                    topic,
                    "--kafka.group-id",
                    "it-" + topic,
                    "--kafka.starting-offsets",
                    "earliest",
                    "--clickhouse.url",
                    "http://unused:8123"
                },
                Map.of());

        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false); // fail on any Kryo fallback
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        DataStream<KafkaMessage> messages =
                env.fromSource(FlowSources.boundedKafka(config.kafka()), WatermarkStrategy.noWatermarks(), "kafka");
        SingleOutputStreamOperator<FlowRecord> flows = messages.process(new FlowParseFunction(ParserConfig.builder()
                        .rawPolicy(RawPolicy.WHOLE) // raw is compared with each message below
                        .build()))
                .uid(FlowParseFunction.UID);
        DataStream<String> flowLines = flows.map(FlowParsingITCase::describe).name("describe-flow");
        DataStream<String> deadLetterLines =
                flows.getSideOutput(FlowParseFunction.DEAD_LETTERS).map(FlowParsingITCase::describe);

        List<String> out = new ArrayList<>();
        try (CloseableIterator<String> it = flowLines.union(deadLetterLines).executeAndCollect("flow-parsing-it")) {
            it.forEachRemaining(out::add);
        }

        // Exactly one output per message, at the message's own Kafka coordinates.
        assertThat(out).hasSize(MESSAGES);
        Map<String, String[]> outByCoordinates = new HashMap<>();
        for (String line : out) {
            String[] f = line.split("\\|", -1);
            assertThat(outByCoordinates.put(f[1] + "/" + f[2], f))
                    .as("one output for %s", line)
                    .isNull();
        }
        assertThat(outByCoordinates.keySet()).isEqualTo(byCoordinates.keySet());

        Map<DeadLetterReason, Integer> expectedReasons = new EnumMap<>(DeadLetterReason.class);
        Map<DeadLetterReason, Integer> actualReasons = new EnumMap<>(DeadLetterReason.class);
        long expectedBytes = 0;
        long expectedPackets = 0;
        long actualBytes = 0;
        long actualPackets = 0;
        ObjectMapper json = new ObjectMapper();
        int checkedDerived = 0;
        for (Map.Entry<String, GeneratedMessage> e : byCoordinates.entrySet()) {
            GeneratedMessage m = e.getValue();
            String[] f = outByCoordinates.get(e.getKey());
            if (!m.valid()) {
                expectedReasons.merge(m.expectedReason(), 1, Integer::sum);
                assertThat(f[0]).as("message %s is invalid", m).isEqualTo("DLQ");
                actualReasons.merge(DeadLetterReason.valueOf(f[3]), 1, Integer::sum);
                assertThat(f[4]).as("DLQ topic").isEqualTo(topic);
                continue;
            }
            assertThat(f[0]).as("message %s is valid", m).isEqualTo("FLOW");
            expectedBytes += m.bytes();
            expectedPackets += m.packets();
            actualBytes += Long.parseLong(f[3]);
            actualPackets += Long.parseLong(f[4]);
            // Derived columns recomputed independently from the JSON the broker carried.
            JsonNode node = json.readTree(m.value());
            assertThat(Long.parseLong(f[5]))
                    .as("duration_ms")
                    .isEqualTo(node.get("TimeFlowEndMs").asLong()
                            - node.get("TimeFlowStartMs").asLong());
            String expectedDirection = !node.has("FlowDirection")
                    ? "unknown"
                    : switch (node.get("FlowDirection").asInt()) {
                        case 0 -> "ingress";
                        case 1 -> "egress";
                        case 2 -> "inner";
                        default -> "unknown";
                    };
            assertThat(f[6]).as("direction of %s", m).isEqualTo(expectedDirection);
            assertThat(f[7])
                    .as("proto_name of %s", m)
                    .isEqualTo(
                            switch (node.get("Proto").asInt()) {
                                case 6 -> "TCP";
                                case 17 -> "UDP";
                                case 1 -> "ICMP";
                                case 58 -> "ICMPv6";
                                default -> f[7];
                            });
            assertThat(f[8])
                    .as("raw column keeps the original JSON")
                    .isEqualTo(new String(m.value(), StandardCharsets.UTF_8));
            checkedDerived++;
        }
        assertThat(actualReasons).isEqualTo(expectedReasons);
        assertThat(expectedReasons.values().stream().mapToInt(Integer::intValue).sum())
                .as("the generator produced invalid messages")
                .isGreaterThan(50);
        assertThat(expectedReasons).as("several distinct reasons").hasSizeGreaterThan(5);
        assertThat(actualBytes).isEqualTo(expectedBytes);
        assertThat(actualPackets).isEqualTo(expectedPackets);
        assertThat(checkedDerived).isGreaterThan(MESSAGES / 2);
    }

    private static java.util.Properties producerProperties(KafkaTestCluster kafka) {
        java.util.Properties props = kafka.producerProperties();
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(4 << 20)); // oversized test messages
        return props;
    }

    private static String describe(FlowRecord r) {
        return String.join(
                "|",
                "FLOW",
                Long.toString(r.getLong(ColumnRegistry.KAFKA_PARTITION)),
                Long.toString(r.getLong(ColumnRegistry.KAFKA_OFFSET)),
                Long.toString(r.getLong(ColumnRegistry.BYTES)),
                Long.toString(r.getLong(ColumnRegistry.PACKETS)),
                Long.toString(r.getLong(ColumnRegistry.DURATION_MS)),
                r.getString(ColumnRegistry.DIRECTION),
                r.getString(ColumnRegistry.PROTO_NAME),
                r.rawText());
    }

    private static String describe(DeadLetter d) {
        return String.join("|", "DLQ", Integer.toString(d.partition), Long.toString(d.offset), d.reasonCode(), d.topic);
    }
}
