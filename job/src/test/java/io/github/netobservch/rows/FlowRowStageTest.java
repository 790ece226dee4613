package io.github.netobservch.rows;

import static io.github.netobservch.format.ColumnRegistry.TIME_FLOW_END_MS;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.dedup.DedupConfig;
import io.github.netobservch.dedup.DedupFacts;
import io.github.netobservch.dedup.DedupMetrics;
import io.github.netobservch.dedup.FlowDeduplicator;
import io.github.netobservch.dedup.ReporterElection;
import io.github.netobservch.enrich.FlowEnricher;
import io.github.netobservch.enrich.FlowKeyHashSelector;
import io.github.netobservch.format.FlowFixtures;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.generate.FlowGenerator;
import io.github.netobservch.generate.GeneratedMessage;
import io.github.netobservch.generate.GeneratedMessage.Role;
import io.github.netobservch.generate.GeneratorConfig;
import io.github.netobservch.parse.FlowParser;
import io.github.netobservch.parse.ParserConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reporter election on encoded rows ({@link FlowRowStage}) against the same election on records
 * ({@link FlowDeduplicator}): the same decisions, and rows whose bytes are the kept records' rows.
 */
class FlowRowStageTest {

    private static final long OUT_OF_ORDERNESS_MS = 20_000;

    /**
     * Generated traffic with every kind of copy, less the canonical records of one flow in seven, so
     * their other reporter is held and elected by fallback.
     */
    private static List<FlowRecord> records(long seed, int n) throws Exception {
        List<GeneratedMessage> messages = FlowGenerator.generate(
                GeneratorConfig.builder(seed)
                        .recordsPerSecond(500)
                        .resendShare(0.03)
                        .legacyShare(0.2)
                        .invalidShare(0.01)
                        .build(),
                n);
        FlowParser parser = new FlowParser(ParserConfig.defaults());
        List<FlowRecord> records = new ArrayList<>();
        for (GeneratedMessage m : messages) {
            if (m.valid() && !(m.role() == Role.PRIMARY && m.flowId() % 7 == 0)) {
                records.add(FlowEnricher.enrich(parser.parse(m.toKafkaMessage("flows-export", 1, 1754040000000L))));
            }
        }
        return records;
    }

    private static <T> KeyedOneInputStreamOperatorTestHarness<Long, T, T> harness(
            OneInputStreamOperator<T, T> op, KeySelector<T, Long> key, OperatorSubtaskState restored) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<Long, T, T> h =
                new KeyedOneInputStreamOperatorTestHarness<>(op, key, Types.LONG, 128, 1, 0);
        h.setStateBackend(new HashMapStateBackend());
        h.setup();
        if (restored != null) {
            h.initializeState(restored);
        }
        h.open();
        return h;
    }

    /** Feeds the records (as {@code form}) with watermarks every 50, then the end of input; returns the output. */
    private static <T> List<StreamRecord<T>> run(
            KeyedOneInputStreamOperatorTestHarness<Long, T, T> h,
            List<FlowRecord> records,
            Function<FlowRecord, T> form)
            throws Exception {
        long maxTs = Long.MIN_VALUE;
        int i = 0;
        for (FlowRecord r : records) {
            long ts = r.getLong(TIME_FLOW_END_MS);
            h.processElement(form.apply(r), ts);
            maxTs = Math.max(maxTs, ts);
            if (++i % 50 == 0) {
                h.processWatermark(maxTs - OUT_OF_ORDERNESS_MS);
            }
        }
        h.processWatermark(Long.MAX_VALUE);
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
        List<StreamRecord<T>> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> sr) {
                @SuppressWarnings("unchecked")
                StreamRecord<T> typed = (StreamRecord<T>) sr;
                out.add(typed);
            }
        }
        return out;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 42})
    void rowsAreDeduplicatedExactlyAsRecordsAre(long seed) throws Exception {
        List<FlowRecord> records = records(seed, 20_000);
        FlowDeduplicator onRecords = new FlowDeduplicator(DedupConfig.defaults());
        ReporterElection<FlowRow> onRows = FlowRowStage.deduplicator(DedupConfig.defaults());
        List<StreamRecord<FlowRecord>> kept;
        List<StreamRecord<FlowRow>> keptRows;
        try (var h = harness(onRecords, new FlowKeyHashSelector(), null)) {
            kept = run(h, records, r -> r);
        }
        try (var h = harness(onRows, new FlowRowStage.RowKey(), null)) {
            keptRows = run(h, records, FlowRows::withDedupFacts);
        }
        assertThat(keptRows).hasSameSizeAs(kept);
        for (int i = 0; i < kept.size(); i++) {
            assertThat(keptRows.get(i).getValue().row())
                    .isEqualTo(FlowRows.encode(kept.get(i).getValue()));
            assertThat(keptRows.get(i).getTimestamp()).isEqualTo(kept.get(i).getTimestamp());
        }
        DedupMetrics a = onRecords.metrics();
        DedupMetrics b = onRows.metrics();
        assertThat(b.toString()).isEqualTo(a.toString());
        // every path was taken: held then released by fallback, re-sends, both kinds of copies
        assertThat(a.electedFallback()).isPositive();
        assertThat(a.heldThenEmitted()).isPositive();
        assertThat(a.droppedExactResend()).isPositive();
        assertThat(a.droppedSameNodeCopy()).isPositive();
        assertThat(a.droppedCrossReporter()).isPositive();
    }

    @Test
    void aRowCarriesItsRecordsKeyAndFacts() throws Exception {
        List<FlowRecord> records = records(5, 5_000);
        DedupFacts<FlowRecord> expected = DedupFacts.RECORDS;
        int sameNode = 0;
        int conversation = 0;
        for (FlowRecord r : records) {
            FlowRow row = FlowRows.withDedupFacts(r);
            assertThat(row.key()).isEqualTo(FlowKeyHashSelector.keyOf(r));
            assertThat(row.timeFlowEndMs()).isEqualTo(expected.timeFlowEndMs(r));
            assertThat(FlowRow.FACTS.isSameNodeCopy(row)).isEqualTo(expected.isSameNodeCopy(r));
            if (expected.isSameNodeCopy(r)) {
                assertThat(row.row()).isEmpty(); // dropped unread: never encoded
                sameNode++;
                continue;
            }
            assertThat(FlowRow.FACTS.isPreferred(row)).isEqualTo(expected.isPreferred(r));
            assertThat(FlowRow.FACTS.isUnmarkedEra(row)).isEqualTo(expected.isUnmarkedEra(r));
            assertThat(FlowRow.FACTS.isConversation(row)).isEqualTo(expected.isConversation(r));
            assertThat(FlowRow.FACTS.fingerprint(row)).isEqualTo(expected.fingerprint(r));
            assertThat(FlowRow.FACTS.agentHigh(row)).isEqualTo(expected.agentHigh(r));
            assertThat(FlowRow.FACTS.agentLow(row)).isEqualTo(expected.agentLow(r));
            assertThat(row.row()).isEqualTo(FlowRows.encode(r));
            conversation += expected.isConversation(r) ? 1 : 0;
        }
        assertThat(sameNode).isPositive();
        assertThat(conversation)
                .isZero(); // (the generator writes flow logs only: conversations are FlowRowStage's tests' job)
    }

    @Test
    void theMapperKeepsNoRowItHandedOut() throws Exception {
        List<FlowRecord> records = records(9, 200);
        var mapper = FlowRows.mapper(true);
        List<FlowRow> rows = new ArrayList<>();
        for (FlowRecord r : records) {
            rows.add(mapper.map(r));
        }
        for (int i = 0; i < records.size(); i++) {
            assertThat(rows.get(i)).isEqualTo(FlowRows.withDedupFacts(records.get(i)));
        }
        var plain = FlowRows.mapper(false);
        FlowRecord sameNodeCopy = records.stream()
                .filter(DedupFacts.RECORDS::isSameNodeCopy)
                .findFirst()
                .orElseThrow();
        // without dedup facts (stateless modes) a same-node copy is a row like any other
        assertThat(plain.map(sameNodeCopy).row()).isEqualTo(FlowRows.encode(sameNodeCopy));
    }

    /** The source node's copy of example 1's flow: egress to a Pod, not the preferred reporter. */
    private static FlowRecord egress() {
        FlowRecord r = FlowFixtures.parse("example1");
        long[] a = new long[2];
        io.github.netobservch.format.IpAddresses.parse("10.0.131.7", a);
        r.setIp(io.github.netobservch.format.ColumnRegistry.AGENT_IP, a[0], a[1]);
        r.setLong(io.github.netobservch.format.ColumnRegistry.FLOW_DIRECTION, 1);
        return FlowEnricher.enrich(r);
    }

    private static FlowRecord ingress() {
        return FlowEnricher.enrich(FlowFixtures.parse("example1"));
    }

    private static DedupConfig config() {
        return DedupConfig.builder()
                .window(Duration.ofMinutes(1))
                .maxWait(Duration.ofSeconds(30))
                .build();
    }

    /** A savepoint of the record-form dedup (earlier versions) holding a record waiting for its preferred reporter. */
    private static OperatorSubtaskState recordFormSnapshotHolding(FlowRecord held) throws Exception {
        FlowDeduplicator before = new FlowDeduplicator(config());
        try (var h = harness(before, new FlowKeyHashSelector(), null)) {
            h.processElement(held, held.getLong(TIME_FLOW_END_MS));
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(before.metrics().kept()).isZero();
            return h.snapshot(1, 1);
        }
    }

    @Test
    void recordsHeldInAnEarlierSavepointAreReleasedAsRows() throws Exception {
        FlowRecord held = egress();
        assertThat(DedupFacts.RECORDS.isPreferred(held)).isFalse();
        OperatorSubtaskState snapshot = recordFormSnapshotHolding(held);
        ReporterElection<FlowRow> after = FlowRowStage.deduplicator(config());
        try (var h = harness(after, new FlowRowStage.RowKey(), snapshot)) {
            long deadline = held.getLong(TIME_FLOW_END_MS) + 30_000;
            h.processWatermark(deadline);
            List<StreamRecord<FlowRow>> out = new ArrayList<>();
            h.getOutput().forEach(o -> {
                if (o instanceof StreamRecord<?> sr) {
                    out.add(new StreamRecord<>((FlowRow) sr.getValue(), sr.getTimestamp()));
                }
            });
            assertThat(out).hasSize(1);
            assertThat(out.get(0).getValue()).isEqualTo(FlowRows.withDedupFacts(held));
            assertThat(out.get(0).getTimestamp()).isEqualTo(deadline);
            assertThat(after.metrics().heldThenEmitted()).isEqualTo(1);
            assertThat(after.metrics().electedFallback()).isEqualTo(1);
            h.processWatermark(Long.MAX_VALUE);
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void aPreferredReporterDropsWhatAnEarlierSavepointHeld() throws Exception {
        FlowRecord held = egress();
        OperatorSubtaskState snapshot = recordFormSnapshotHolding(held);
        ReporterElection<FlowRow> after = FlowRowStage.deduplicator(config());
        FlowRecord preferred = ingress();
        try (var h = harness(after, new FlowRowStage.RowKey(), snapshot)) {
            h.processElement(FlowRows.withDedupFacts(preferred), preferred.getLong(TIME_FLOW_END_MS));
            h.processWatermark(Long.MAX_VALUE);
            assertThat(h.extractOutputValues()).containsExactly(FlowRows.withDedupFacts(preferred));
            assertThat(after.metrics().droppedCrossReporter()).isEqualTo(1);
            assertThat(after.metrics().heldThenEmitted()).isZero();
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }
}
