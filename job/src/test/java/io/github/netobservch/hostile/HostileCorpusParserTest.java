package io.github.netobservch.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.netobservch.config.ConfigLoader;
import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.parse.DeadLetter;
import io.github.netobservch.parse.DeadLetterReason;
import io.github.netobservch.parse.FlowParseFunction;
import io.github.netobservch.parse.KafkaMessage;
import io.github.netobservch.parse.ParserConfig;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every corpus message through the job's parse function (in a Flink operator harness, with the
 * parser limits the job's defaults give): it never throws, and the outcome is exactly the one the
 * manifest names. Fast; {@link HostileCorpusITCase} then pushes the same corpus through the real job.
 */
class HostileCorpusParserTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static OneInputStreamOperatorTestHarness<KafkaMessage, FlowRecord> harness;
    private static long offset;

    /** The parser limits of a job started with default options. */
    static ParserConfig jobParserConfig() {
        return ConfigLoader.load(
                        new String[] {"--kafka.bootstrap-servers", "k:9092", "--clickhouse.url", "http://c:8123"},
                        Map.of())
                .pipeline()
                .parser();
    }

    static Stream<HostileCorpus.Entry> corpus() {
        return HostileCorpus.load().stream();
    }

    @BeforeAll
    static void open() throws Exception {
        harness = new OneInputStreamOperatorTestHarness<>(
                new ProcessOperator<>(new FlowParseFunction(jobParserConfig())));
        harness.open();
    }

    @AfterAll
    static void close() throws Exception {
        harness.close();
    }

    @Test
    void manifestIsConsistent() {
        List<HostileCorpus.Entry> corpus = HostileCorpus.load();
        Set<String> names = new HashSet<>();
        Set<String> reasons = new HashSet<>();
        for (HostileCorpus.Entry e : corpus) {
            assertThat(names.add(e.name()))
                    .as("duplicate manifest entry %s", e.name())
                    .isTrue();
            if (!e.expectsRow()) {
                reasons.add(DeadLetterReason.valueOf(e.expected()).code());
            }
        }
        assertThat(corpus).hasSizeGreaterThan(80);
        // Every reason a message can cause is represented (INTERNAL_ERROR would be a bug).
        assertThat(reasons)
                .containsAll(Arrays.stream(DeadLetterReason.values())
                        .filter(r -> r != DeadLetterReason.INTERNAL_ERROR)
                        .map(DeadLetterReason::code)
                        .toList());
        assertThat(corpus.stream()
                        .filter(e -> e.name().equals("@oversized-10mb"))
                        .findFirst()
                        .orElseThrow()
                        .value())
                .hasSize(HostileCorpus.OVERSIZED_BYTES);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void outcomeMatchesTheManifest(HostileCorpus.Entry entry) throws Exception {
        harness.getOutput().clear();
        harness.getSideOutput(FlowParseFunction.DEAD_LETTERS);
        long o = offset++;
        KafkaMessage message = new KafkaMessage("flows-export", 0, o, 1_754_040_014_000L, entry.value());
        harness.processElement(new StreamRecord<>(message, 0L)); // must not throw
        List<FlowRecord> rows = harness.extractOutputValues();
        var side = harness.getSideOutput(FlowParseFunction.DEAD_LETTERS);
        List<DeadLetter> dead = side == null
                ? List.of()
                : side.stream()
                        .map(StreamRecord::getValue)
                        .filter(d -> d.offset == o)
                        .toList();
        if (entry.expectsRow()) {
            assertThat(dead).as("dead letters for %s", entry).isEmpty();
            assertThat(rows).as("rows for %s", entry).hasSize(1);
            FlowRecord r = rows.get(0);
            if (r.has(ColumnRegistry.RAW_KEY_BITS)) {
                // raw.policy unmapped (the job's default): raw keeps what no column gives back, as JSON
                byte[] residue = r.getBytes(ColumnRegistry.RAW);
                assertThat(residue.length == 0 || JSON.readTree(residue).isObject())
                        .as("raw of %s", entry)
                        .isTrue();
            } else {
                // kept whole (a field ClickHouse could not give back from a residue)
                assertThat(r.getBytes(ColumnRegistry.RAW))
                        .as("raw of %s", entry)
                        .isEqualTo(entry.value());
            }
            String expectedNamespace = expectedNamespace(entry.value());
            assertThat(r.getString(ColumnRegistry.SRC_K8S_NAMESPACE))
                    .as("namespace of %s", entry)
                    .isEqualTo(expectedNamespace);
            String warning = entry.expectedWarning();
            assertThat(r.getStrings(ColumnRegistry.PARSE_WARNINGS))
                    .as("parse warnings of %s", entry)
                    .containsExactly(warning == null ? new String[0] : new String[] {warning});
            HostileAssertions.assertEncodableAndSerializable(r);
        } else {
            assertThat(rows).as("rows for %s", entry).isEmpty();
            assertThat(dead).as("dead letters for %s", entry).hasSize(1);
            DeadLetter d = dead.get(0);
            assertThat(d.reasonCode()).as("reason for %s: %s", entry, d.message).isEqualTo(entry.expected());
            assertThat(d.payloadSize).isEqualTo(entry.value() == null ? 0 : entry.value().length);
            HostileAssertions.assertDeadLetterEncodable(d);
        }
    }

    /** The namespace as an independent JSON decoder (Jackson databind) reads it; BOM skipped. */
    static String expectedNamespace(byte[] value) throws Exception {
        int from = value.length >= 3 && (value[0] & 0xFF) == 0xEF && (value[1] & 0xFF) == 0xBB ? 3 : 0;
        JsonNode node = JSON.readTree(new String(value, from, value.length - from, StandardCharsets.UTF_8));
        return node.get("SrcK8S_Namespace").asText();
    }
}
