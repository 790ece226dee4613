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
import io.github.netobservch.generate.GroundTruth;
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

    private static List<GeneratedMessage> generateUncut(long seed, int n) {
        return FlowGenerator.generate(
                GeneratorConfig.builder(seed)
                        .recordsPerSecond(500)
                        .resendShare(0.03)
                        .legacyShare(0.2)
                        .invalidShare(0.01)
                        .build(),
                n);
    }

    /**
     * The first {@code n} messages, less those after the last clean cut ({@link
     * GroundTruth#cleanCutAfter}): a copy at the very end whose counted report would come after
     * message {@code n} is a report the truncated ground truth cannot place.
     */
    private static List<GeneratedMessage> generate(long seed, int n) {
        List<GeneratedMessage> out = new ArrayList<>(generateUncut(seed, n));
        while (!GroundTruth.cleanCutAfter(out.get(out.size() - 1))) {
            out.remove(out.size() - 1);
        }
        assertThat(out.size()).isGreaterThan(n - 5);
        return out;
    }

    /**
     * What {@code f} keeps of {@code messages}: watermarks with bounded out-of-orderness as in the
     * pipeline, then end of input, which leaves no state and no timer.
     */
    private static List<FlowRecord> keep(FlowDeduplicator f, List<GeneratedMessage> messages) throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = DedupTestSupport.harness(f)) {
            long maxTs = Long.MIN_VALUE;
            int i = 0;
            for (FlowRecord r : parse(messages)) {
                long ts = r.getLong(TIME_FLOW_END_MS);
                h.processElement(r, ts);
                maxTs = Math.max(maxTs, ts);
                if (++i % 50 == 0) {
                    h.processWatermark(maxTs - OUT_OF_ORDERNESS_MS);
                }
            }
            h.processWatermark(Long.MAX_VALUE); // end of input: waits over, keys expire
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
            return h.extractOutputValues();
        }
    }

    private static List<FlowRecord> keep(List<GeneratedMessage> messages) throws Exception {
        return keep(new FlowDeduplicator(DedupConfig.defaults()), messages);
    }

    /**
     * Why producers that stop on a clock stop at a clean cut: for half the cross-node flows the
     * generator emits the other node's copy first. A stream cut right after such a copy of a later
     * slice (an earlier slice elected the counted reporter) leaves it an orphan the ground truth
     * counts, while the job drops it as a second report — one row short, the soak's occasional
     * "NOT EXACT" by one. Extended to the next clean cut, the two agree again.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 7})
    void aCutBetweenACopyAndItsCountedReportIsNotClean(long seed) throws Exception {
        List<GeneratedMessage> all = generateUncut(seed, 20_000);
        int cut = -1;
        for (int i = 0; i < all.size() - 1 && cut < 0; i++) {
            GeneratedMessage m = all.get(i);
            GeneratedMessage next = all.get(i + 1);
            if (m.role() == Role.CROSS_REPORTER_COPY
                    && m.slice() > 0
                    && next.role() == Role.PRIMARY
                    && next.flowId() == m.flowId()
                    && next.slice() == m.slice()) {
                cut = i;
            }
        }
        assertThat(cut).as("a later slice whose copy comes first").isPositive();
        List<GeneratedMessage> unclean = all.subList(0, cut + 1);
        assertThat(GroundTruth.cleanCutAfter(unclean.get(unclean.size() - 1))).isFalse();
        assertThat((long) keep(unclean).size())
                .as("the job's rows against the truth's, cut after the copy")
                .isEqualTo(GroundTruth.of(unclean).rows() - 1);

        List<GeneratedMessage> clean = all.subList(0, cut + 2);
        assertThat(GroundTruth.cleanCutAfter(clean.get(clean.size() - 1))).isTrue();
        assertThat((long) keep(clean).size()).isEqualTo(GroundTruth.of(clean).rows());
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 7, 42})
    void reporterElectionKeepsExactlyTheCountedMessages(long seed) throws Exception {
        List<GeneratedMessage> messages = generate(seed, 20_000);
        Map<Role, Integer> roles = new EnumMap<>(Role.class);
        messages.forEach(m -> roles.merge(m.role(), 1, Integer::sum));
        assertThat(roles.keySet()).containsExactlyInAnyOrder(Role.values()); // every kind of copy is exercised

        FlowDeduplicator f = new FlowDeduplicator(DedupConfig.defaults());
        List<FlowRecord> kept = keep(f, messages);
        assertThat(f.expiryEntries()).isZero();
        assertThat(f.liveKeys()).isZero();

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
