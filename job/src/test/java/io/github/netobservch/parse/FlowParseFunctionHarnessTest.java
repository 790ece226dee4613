package io.github.netobservch.parse;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowFixtures;
import io.github.netobservch.format.FlowRecord;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskMetricGroup;
import org.apache.flink.runtime.metrics.util.TestingMetricRegistry;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The parse function in a Flink operator harness: main output, side output and metrics. */
class FlowParseFunctionHarnessTest {

    private final Map<String, Metric> metrics = new ConcurrentHashMap<>();
    private FlowParseFunction function;
    private OneInputStreamOperatorTestHarness<KafkaMessage, FlowRecord> harness;
    private long offset;

    @BeforeEach
    void setUp() throws Exception {
        TestingMetricRegistry registry = TestingMetricRegistry.builder()
                .setDelimiter('.')
                .setRegisterConsumer((metric, name, group) -> metrics.put(group.getMetricIdentifier(name), metric))
                .build();
        TaskMetricGroup taskGroup = TaskManagerMetricGroup.createTaskManagerMetricGroup(
                        registry, "host", ResourceID.generate())
                .addJob(new JobID(), "job")
                .addTask(ExecutionAttemptID.randomId(), "task");
        MockEnvironment env =
                new MockEnvironmentBuilder().setMetricGroup(taskGroup).build();
        function = new FlowParseFunction(ParserConfig.builder()
                .maxMessageBytes(4096)
                .maxDeadLetterPayloadBytes(64)
                .build());
        harness = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(function), env);
        harness.open();
        harness.setProcessingTime(1_754_050_000_000L);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private void send(byte[] value) throws Exception {
        harness.processElement(
                new StreamRecord<>(new KafkaMessage("flows-export", 7, offset++, 1754040014000L, value), 0L));
    }

    private void send(String value) throws Exception {
        send(value.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void validRecordsAreParsedAndEnriched() throws Exception {
        for (String name : FlowFixtures.EXAMPLES) {
            send(FlowFixtures.bytes(name));
        }
        List<FlowRecord> out = harness.extractOutputValues();
        assertThat(out).hasSize(5);
        assertThat(out.get(0).getLong(ColumnRegistry.KAFKA_OFFSET)).isZero();
        assertThat(out.get(4).getLong(ColumnRegistry.KAFKA_OFFSET)).isEqualTo(4);
        assertThat(out.get(0).getLong(ColumnRegistry.KAFKA_PARTITION)).isEqualTo(7);
        assertThat(out)
                .allSatisfy(r -> assertThat(r.has(ColumnRegistry.FLOW_KEY_HASH)).isTrue());
        assertThat(out.get(0).getString(ColumnRegistry.DIRECTION)).isEqualTo("ingress");
        assertThat(harness.getSideOutput(FlowParseFunction.DEAD_LETTERS)).isNull();
        assertThat(counter("flowParse.recordsParsed").getCount()).isEqualTo(5);
        assertThat(function.parsedCount()).isEqualTo(5);
    }

    @Test
    void badInputGoesToTheSideOutputWithCountersPerReason() throws Exception {
        String base = FlowFixtures.text("example1");
        send(FlowFixtures.bytes("example1")); // ok
        send((byte[]) null); // EMPTY
        send(""); // EMPTY
        send("{\"a\":"); // MALFORMED_JSON
        send("[1]"); // NOT_AN_OBJECT
        send(FlowFixtures.bytes("example2")); // OVERSIZED (limit 4096? no: 1955 B) -> ok
        send("x".repeat(5000)); // OVERSIZED
        send(new byte[] {'{', '"', (byte) 0xC3, '"', ':', '1', '}'}); // NOT_UTF8
        send(base.replace("\"TimeFlowStartMs\": 1754039998112", "\"TimeFlowStartMs\": -1")); // OUT_OF_RANGE
        send(base.replace("\"SrcAddr\": \"10.128.4.17\",", "")); // MISSING_FIELD
        send(base.replace("\"10.128.4.17\"", "\"10.128.4.x\"")); // INVALID_IP
        send(base.replace("\"TimeFlowEndMs\": 1754040012873", "\"TimeFlowEndMs\": 1")); // END_BEFORE_START
        send(base.replace("\"TimeFlowEndMs\": 1754040012873", "\"TimeFlowEndMs\": \"1754040012873\"")); // WRONG_TYPE
        // field drift on optional fields: loaded, with a warning counter per field and reason
        send(base.replace("\"Proto\": 6", "\"Proto\": 600")); // row, Proto:OUT_OF_RANGE
        send(base.replace("\"Bytes\": 45871", "\"Bytes\": \"45871\"")); // row, Bytes:WRONG_TYPE
        send(base.replace("\"Bytes\": 45871", "\"Bytes\": 4.5e4")); // row, Bytes:WRONG_TYPE

        assertThat(harness.extractOutputValues()).hasSize(5);
        assertThat(counter("flowParse.field.Bytes.reason.WRONG_TYPE.fieldWarnings")
                        .getCount())
                .isEqualTo(2);
        assertThat(counter("flowParse.field.Proto.reason.OUT_OF_RANGE.fieldWarnings")
                        .getCount())
                .isEqualTo(1);
        assertThat(function.fieldWarningCount("Bytes:WRONG_TYPE")).isEqualTo(2);
        assertThat(function.fieldWarningCount("SrcPort:WRONG_TYPE")).isZero();
        List<DeadLetter> dead = harness.getSideOutput(FlowParseFunction.DEAD_LETTERS).stream()
                .map(StreamRecord::getValue)
                .collect(Collectors.toList());
        assertThat(dead)
                .extracting(DeadLetter::reasonCode)
                .containsExactly(
                        "EMPTY",
                        "EMPTY",
                        "MALFORMED_JSON",
                        "NOT_AN_OBJECT",
                        "OVERSIZED",
                        "NOT_UTF8",
                        "OUT_OF_RANGE",
                        "MISSING_FIELD",
                        "INVALID_IP",
                        "END_BEFORE_START",
                        "WRONG_TYPE");

        Map<DeadLetterReason, Long> expected = new EnumMap<>(DeadLetterReason.class);
        for (DeadLetterReason r : DeadLetterReason.values()) {
            expected.put(r, 0L);
        }
        expected.put(DeadLetterReason.EMPTY, 2L);
        for (String code : List.of(
                "MALFORMED_JSON",
                "NOT_AN_OBJECT",
                "OVERSIZED",
                "NOT_UTF8",
                "OUT_OF_RANGE",
                "MISSING_FIELD",
                "INVALID_IP",
                "END_BEFORE_START",
                "WRONG_TYPE")) {
            expected.put(DeadLetterReason.valueOf(code), 1L);
        }
        for (DeadLetterReason r : DeadLetterReason.values()) {
            assertThat(counter("flowParse.reason." + r.code() + ".deadLetters").getCount())
                    .as(r.code())
                    .isEqualTo(expected.get(r));
            assertThat(function.deadLetterCount(r)).isEqualTo(expected.get(r));
        }
        assertThat(counter("flowParse.recordsParsed").getCount()).isEqualTo(5);

        DeadLetter tombstone = dead.get(0);
        assertThat(tombstone.payloadEncoding).isEqualTo(DeadLetter.ENCODING_NONE);
        assertThat(tombstone.offset).isEqualTo(1);
        assertThat(tombstone.partition).isEqualTo(7);
        assertThat(tombstone.topic).isEqualTo("flows-export");
        assertThat(tombstone.kafkaTimestamp).isEqualTo(1754040014000L);
        assertThat(tombstone.processingTime).isEqualTo(1_754_050_000_000L);

        DeadLetter malformed = dead.get(2);
        assertThat(malformed.payload).isEqualTo("{\"a\":");
        assertThat(malformed.payloadEncoding).isEqualTo("utf8");
        assertThat(malformed.payloadTruncated).isFalse();
        assertThat(malformed.payloadSize).isEqualTo(5);

        DeadLetter oversized = dead.get(4);
        assertThat(oversized.payload).isEqualTo("x".repeat(64));
        assertThat(oversized.payloadTruncated).isTrue();
        assertThat(oversized.payloadSize).isEqualTo(5000);

        DeadLetter notUtf8 = dead.get(5);
        assertThat(notUtf8.payloadEncoding).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(notUtf8.payload))
                .containsExactly('{', '"', (byte) 0xC3, '"', ':', '1', '}');

        DeadLetter range = dead.get(6);
        assertThat(range.field).isEqualTo("TimeFlowStartMs");
        assertThat(range.message).contains("-1");
        assertThat(range.payload.getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(64);
        assertThat(range.payloadTruncated).isTrue();
    }

    @Test
    void truncationKeepsValidUtf8() {
        KafkaMessage m = KafkaMessage.of("t", 0, 0, 0, "ab" + "é".repeat(40));
        DeadLetter d = DeadLetter.of(DeadLetterReason.WRONG_TYPE, "x", null, m, 0, 17);
        assertThat(d.payload).isEqualTo("ab" + "é".repeat(7)); // 2 + 7*2 = 16 bytes, not a split character
        assertThat(d.payloadTruncated).isTrue();
    }

    @Test
    void outputTypesNeverNeedKryo() {
        assertThat(TypeInformation.of(DeadLetter.class)).isInstanceOf(PojoTypeInfo.class);
        assertThat(TypeInformation.of(KafkaMessage.class)).isInstanceOf(PojoTypeInfo.class);
        assertThat(FlowParseFunction.DEAD_LETTERS.getTypeInfo()).isInstanceOf(PojoTypeInfo.class);
        assertThat(new KafkaMessageDeserializer().getProducedType()).isInstanceOf(PojoTypeInfo.class);
    }

    private Counter counter(String suffix) {
        List<Map.Entry<String, Metric>> found = metrics.entrySet().stream()
                .filter(e -> e.getKey().endsWith(suffix))
                .collect(Collectors.toList());
        assertThat(found).as("metric %s in %s", suffix, metrics.keySet()).hasSize(1);
        return (Counter) found.get(0).getValue();
    }
}
