package io.github.netobservch.dedup;

import static io.github.netobservch.format.ColumnRegistry.BYTES;
import static io.github.netobservch.format.ColumnRegistry.KAFKA_OFFSET;
import static io.github.netobservch.format.ColumnRegistry.PACKETS;
import static io.github.netobservch.format.ColumnRegistry.TIME_FLOW_END_MS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.enrich.FlowEnricher;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.generate.FlowGenerator;
import io.github.netobservch.generate.GeneratedMessage;
import io.github.netobservch.generate.GeneratedMessage.Role;
import io.github.netobservch.generate.GeneratorConfig;
import io.github.netobservch.parse.FlowParser;
import io.github.netobservch.parse.ParserConfig;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ground truth from the generator: the kept records are exactly the {@code counts()} messages
 * (canonical reporter, no re-send, no {@code Duplicate} copy), so per flow id the kept bytes and
 * packets equal the ground-truth totals: no double counting, no loss.
 */
class DedupGeneratorTest {

    private static final long OUT_OF_ORDERNESS_MS = 20_000;

    private static List<FlowRecord> parse(List<GeneratedMessage> messages) throws Exception {
        FlowParser parser = new FlowParser(ParserConfig.defaults());
        List<FlowRecord> records = new ArrayList<>();
        for (GeneratedMessage m : messages) {
            if (m.valid()) {
                // one partition: kafka_offset == generator index, the link back to the ground truth
                records.add(FlowEnricher.enrich(parser.parse(m.toKafkaMessage("flows-export", 1, 1754040000000L))));
            }
        }
        return records;
    }

    /**
     * The first {@code n} messages, less the egress copies at the very end whose canonical sibling
     * falls after message {@code n} (the generator writes the two copies of a slice one after the
     * other): kept after the wait, correctly, they would not match the truncated ground truth.
     */
    private static List<GeneratedMessage> generate(long seed, int n) {
        List<GeneratedMessage> all = FlowGenerator.generate(
                GeneratorConfig.builder(seed)
                        .recordsPerSecond(500)
                        .resendShare(0.03)
                        .legacyShare(0.2)
                        .invalidShare(0.01)
                        .build(),
                n);
        java.util.Set<String> primarySlices = new java.util.HashSet<>();
        all.stream().filter(GeneratedMessage::counts).forEach(g -> primarySlices.add(g.flowId() + "/" + g.slice()));
        List<GeneratedMessage> out = new ArrayList<>(all);
        while (out.get(out.size() - 1).role() != Role.PRIMARY
                && !primarySlices.contains(out.get(out.size() - 1).flowId() + "/"
                        + out.get(out.size() - 1).slice())) {
            out.remove(out.size() - 1);
        }
        assertThat(out.size()).isGreaterThan(n - 5);
        return out;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 7, 42})
    void reporterElectionKeepsExactlyTheCountedMessages(long seed) throws Exception {
        List<GeneratedMessage> messages = generate(seed, 20_000);
        Map<Role, Integer> roles = new EnumMap<>(Role.class);
        messages.forEach(m -> roles.merge(m.role(), 1, Integer::sum));
        assertThat(roles.keySet()).containsExactlyInAnyOrder(Role.values()); // every kind of copy is exercised

        FlowDeduplicator f = new FlowDeduplicator(DedupConfig.defaults());
        List<FlowRecord> kept;
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = DedupTestSupport.harness(f)) {
            long maxTs = Long.MIN_VALUE;
            int i = 0;
            for (FlowRecord r : parse(messages)) {
                long ts = r.getLong(TIME_FLOW_END_MS);
                h.processElement(r, ts);
                maxTs = Math.max(maxTs, ts);
                if (++i % 50 == 0) {
                    h.processWatermark(maxTs - OUT_OF_ORDERNESS_MS); // bounded out-of-orderness, as in the pipeline
                }
            }
            h.processWatermark(Long.MAX_VALUE); // end of input: waits over, keys expire
            kept = h.extractOutputValues();
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(f.expiryEntries()).isZero();
            assertThat(f.liveKeys()).isZero();
        }

        assertExactlyTheCountedMessages(messages, kept);
        long valid = messages.stream().filter(GeneratedMessage::valid).count();
        DedupMetrics m = f.metrics();
        assertThat(m.kept() + m.droppedCrossReporter() + m.droppedExactResend() + m.droppedSameNodeCopy())
                .isEqualTo(valid);
        assertThat(m.droppedSameNodeCopy())
                .isEqualTo(messages.stream()
                        .filter(g -> g.valid() && isDuplicateFlag(g))
                        .count());
        assertThat(m.electedFallback()).isZero(); // both reporters always report in the generator
    }

    private static boolean isDuplicateFlag(GeneratedMessage g) {
        return new String(g.value(), java.nio.charset.StandardCharsets.UTF_8).contains("\"Duplicate\":true");
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {3})
    void consoleRuleDoubleCountsResendsOnly(long seed) throws Exception {
        List<GeneratedMessage> messages = generate(seed, 10_000);
        List<FlowRecord> kept;
        try (OneInputStreamOperatorTestHarness<FlowRecord, FlowRecord> h =
                ProcessFunctionTestHarnesses.forProcessFunction(new StatelessDedupFunction(DedupMode.CONSOLE_RULE))) {
            for (FlowRecord r : parse(messages)) {
                h.processElement(r, r.getLong(TIME_FLOW_END_MS));
            }
            kept = h.extractOutputValues();
        }
        TreeSet<Long> expected = new TreeSet<>();
        for (GeneratedMessage g : messages) {
            GeneratedMessage original = g.role() == Role.RESEND ? messages.get((int) g.resendOf()) : g;
            if (original.counts()) {
                expected.add(g.index());
            }
        }
        assertThat(kept).extracting(r -> r.getLong(KAFKA_OFFSET)).containsExactlyElementsOf(expected);
    }

    /**
     * Kept offsets = indexes of the {@code counts()} messages, each once; totals per flow id equal.
     * A kept {@link Role#RESEND} stands for its original (with parallel upstreams a re-send can
     * overtake its original, which is then the one dropped).
     */
    static void assertExactlyTheCountedMessages(List<GeneratedMessage> messages, List<FlowRecord> kept) {
        TreeSet<Long> expectedIndexes = new TreeSet<>();
        Map<Long, long[]> expectedTotals = new TreeMap<>();
        for (GeneratedMessage g : messages) {
            if (g.counts()) {
                expectedIndexes.add(g.index());
                long[] t = expectedTotals.computeIfAbsent(g.flowId(), id -> new long[2]);
                t[0] += g.bytes();
                t[1] += g.packets();
            }
        }
        List<Long> keptIndexes = new ArrayList<>();
        Map<Long, long[]> actualTotals = new TreeMap<>();
        for (FlowRecord r : kept) {
            long index = r.getLong(KAFKA_OFFSET);
            GeneratedMessage g = messages.get((int) index);
            keptIndexes.add(g.role() == Role.RESEND ? g.resendOf() : index);
            long[] t = actualTotals.computeIfAbsent(messages.get((int) index).flowId(), id -> new long[2]);
            t[0] += r.getLong(BYTES);
            t[1] += r.getLong(PACKETS);
        }
        assertThat(keptIndexes).doesNotHaveDuplicates();
        assertThat(new TreeSet<>(keptIndexes)).containsExactlyElementsOf(expectedIndexes);
        assertThat(actualTotals.keySet()).containsExactlyElementsOf(expectedTotals.keySet());
        expectedTotals.forEach((flow, t) -> assertThat(actualTotals.get(flow))
                .as("flow %d bytes/packets", flow)
                .containsExactly(t));
    }
}
