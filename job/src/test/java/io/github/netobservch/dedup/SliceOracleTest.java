package io.github.netobservch.dedup;

import static io.github.netobservch.dedup.DedupTestSupport.MAX_WAIT_MS;
import static io.github.netobservch.dedup.DedupTestSupport.SLICE_MS;
import static io.github.netobservch.dedup.DedupTestSupport.T0;
import static io.github.netobservch.dedup.DedupTestSupport.WINDOW_MS;
import static io.github.netobservch.dedup.DedupTestSupport.config;
import static io.github.netobservch.dedup.DedupTestSupport.egress;
import static io.github.netobservch.dedup.DedupTestSupport.end;
import static io.github.netobservch.dedup.DedupTestSupport.harness;
import static io.github.netobservch.dedup.DedupTestSupport.ingress;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The deduplicator against an oracle written from NetObserv's semantics alone, not from {@link
 * DedupRules} or {@link FlowDeduplicator}: a pod-to-pod flow slice crossing two nodes is observed by
 * the agent of each node that runs one — the destination node reports it as ingress, the source
 * node as egress — and the flow table must hold every <em>observed</em> slice exactly once, with
 * the ingress report's counters when the destination observed it (what the console counts), else
 * the egress report's. Which records belong to which slice is a fact of the scenario, declared
 * here, not inferred by any rule of the job.
 *
 * <p>Where the job's one-reporter-per-flow election disagrees with that oracle, the test pins the
 * disagreement to the exact slices the design documents (docs/operations.md, guarantees table), so
 * a dedup bug cannot hide in an expectation that copies the rule.
 */
class SliceOracleTest {

    private static final int SLICES = 16;

    /** One report: which slice it observed and the record. */
    private record Report(int slice, boolean ingress, FlowRecord record) {}

    /** The oracle: per observed slice, the counters the table must hold once. */
    private static TreeMap<Integer, Long> oracle(List<Report> reports) {
        TreeMap<Integer, Long> expected = new TreeMap<>();
        for (Report r : reports) {
            long bytes = r.record().getLong(ColumnRegistry.BYTES);
            if (r.ingress()) {
                expected.put(r.slice(), bytes); // the destination's observation is the one counted
            } else {
                expected.putIfAbsent(r.slice(), bytes);
            }
        }
        return expected;
    }

    /** What the job loaded: slice → bytes of each row (a slice loaded twice has two entries). */
    private static TreeMap<Integer, List<Long>> loaded(List<FlowRecord> out) {
        TreeMap<Integer, List<Long>> rows = new TreeMap<>();
        for (FlowRecord r : out) {
            int slice = (int) Math.floorDiv(end(r) - T0 + SLICE_MS / 2, SLICE_MS);
            rows.computeIfAbsent(slice, k -> new ArrayList<>()).add(r.getLong(ColumnRegistry.BYTES));
        }
        return rows;
    }

    /** Reports of slices 0 … SLICES-1: the destination's where {@code dst} holds, the source's where {@code src} does. */
    private static List<Report> reports(IntPredicate dst, IntPredicate src) {
        List<Report> reports = new ArrayList<>();
        for (int s = 0; s < SLICES; s++) {
            if (dst.test(s)) {
                reports.add(new Report(s, true, ingress(s)));
            }
            if (src.test(s)) {
                reports.add(new Report(s, false, egress(s)));
            }
        }
        return reports;
    }

    /**
     * Runs the reports through the deduplicator in {@code order}. Before each record the watermark
     * moves to {@code lagMs} behind that record's event time when that is later, as in a dense stream
     * where other flows keep the source's watermark trailing the newest record by the out-of-orderness;
     * then an end-of-input watermark.
     */
    private static List<FlowRecord> run(List<Report> order, long lagMs) throws Exception {
        FlowDeduplicator f = new FlowDeduplicator(config());
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(f)) {
            long watermark = Long.MIN_VALUE;
            for (Report r : order) {
                FlowRecord copy = r.record().copy();
                if (end(copy) - lagMs > watermark) {
                    watermark = end(copy) - lagMs;
                    h.processWatermark(watermark);
                }
                h.processElement(copy, end(copy));
            }
            h.processWatermark(Long.MAX_VALUE);
            List<FlowRecord> out = new ArrayList<>(h.extractOutputValues());
            assertThat(h.numEventTimeTimers())
                    .as("timers left after the end of input")
                    .isZero();
            assertThat(h.numKeyedStateEntries())
                    .as("keys left after the end of input")
                    .isZero();
            assertThat(f.expiryEntries())
                    .as("expiry entries left after the end of input")
                    .isZero();
            return out;
        }
    }

    private static void assertAgrees(List<Report> reports, List<FlowRecord> out, String what) {
        TreeMap<Integer, Long> expected = oracle(reports);
        TreeMap<Integer, List<Long>> actual = loaded(out);
        TreeMap<Integer, List<Long>> expectedRows = new TreeMap<>();
        expected.forEach((slice, bytes) -> expectedRows.put(slice, List.of(bytes)));
        assertThat(actual).as(what).isEqualTo(expectedRows);
    }

    @Test
    void bothNodesReportEverySliceInAnyOrder() throws Exception {
        List<Report> reports = reports(s -> true, s -> true);
        Random random = new Random(21);
        for (int i = 0; i < 40; i++) {
            // Interleavings a source with out-of-order partitions produces: each report delayed by up to 10 s.
            List<Report> order = new ArrayList<>(reports);
            List<Long> delay = new ArrayList<>();
            order.forEach(r -> delay.add(end(r.record()) + random.nextInt(10_000)));
            List<Integer> index = new ArrayList<>();
            for (int k = 0; k < order.size(); k++) {
                index.add(k);
            }
            index.sort((a, b) -> Long.compare(delay.get(a), delay.get(b)));
            List<Report> shuffled = index.stream().map(order::get).toList();
            assertAgrees(reports, run(shuffled, 10_000), "interleaving " + i);
        }
    }

    @Test
    void theDestinationNodeRunsNoAgentSoTheSourceNodesReportsAreTheObservation() throws Exception {
        List<Report> reports = reports(s -> false, s -> true);
        assertAgrees(reports, run(reports, 5_000), "egress reports only");
    }

    @Test
    void theSourceNodeRunsNoAgent() throws Exception {
        List<Report> reports = reports(s -> true, s -> false);
        assertAgrees(reports, run(reports, 5_000), "ingress reports only");
    }

    @Test
    void inALongFlowTheDestinationsLateReportOfOneSliceStillWins() throws Exception {
        // Slice 0's ingress report arrives after dedup.max-wait has passed for its egress copy. The
        // destination's reports of the next slices elected it for the flow meanwhile, so the held copy
        // was dropped and the late report is kept: the oracle's outcome exactly.
        List<Report> reports = reports(s -> true, s -> true);
        List<Report> order = new ArrayList<>(
                reports.stream().filter(r -> !(r.slice() == 0 && r.ingress())).toList());
        int at = 0;
        while (at < order.size() && end(order.get(at).record()) - 5_000 < end(egress(0)) + MAX_WAIT_MS) {
            at++;
        }
        order.add(at + 1, reports.get(0));
        assertAgrees(reports, run(order, 5_000), "ingress report of slice 0 late");
    }

    /**
     * A one-slice flow (a short connection) whose destination report comes after {@code
     * dedup.max-wait} but within {@code dedup.window}: the job keeps the source's report when the wait
     * ends and then drops the destination's. The oracle's one row holds — with the source's sampled
     * counters instead of the destination's, the one disagreement.
     */
    @Test
    void aShortFlowsDestinationReportLaterThanTheWaitKeepsTheSourcesCounters() throws Exception {
        FlowRecord early = egress(0);
        FlowRecord late = ingress(0);
        List<FlowRecord> out;
        FlowDeduplicator f = new FlowDeduplicator(config());
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(f)) {
            h.processElement(early, end(early));
            h.processWatermark(end(early) + MAX_WAIT_MS + 1); // other flows move event time on
            h.processElement(late, end(late));
            h.processWatermark(Long.MAX_VALUE);
            out = h.extractOutputValues();
        }
        TreeMap<Integer, Long> expected =
                oracle(List.of(new Report(0, false, egress(0)), new Report(0, true, ingress(0))));
        assertThat(loaded(out).keySet()).isEqualTo(expected.keySet());
        assertThat(loaded(out).get(0))
                .containsExactly(egress(0).getLong(ColumnRegistry.BYTES))
                .doesNotContain(expected.get(0));
    }

    /**
     * The destination's agent stops after slice 4 (its node is drained) while the source keeps
     * reporting. The oracle counts every slice; the job keeps the flow elected to the destination
     * until the key has been inactive for {@code dedup.window}, so it drops the source's reports of
     * the slices ending within one window of the destination's last record, and keeps every later
     * one. The disagreement is exactly those slices: no more (a stuck election would lose the rest of
     * the flow), no fewer.
     */
    @Test
    void theElectedReporterStopsMidFlowAndTheJobLosesExactlyOneWindowOfSlices() throws Exception {
        int lastOfDst = 4;
        List<Report> reports = reports(s -> s <= lastOfDst, s -> true);
        TreeMap<Integer, Long> expected = oracle(reports);
        TreeMap<Integer, List<Long>> actual = loaded(run(reports, 5_000));

        long lastElected = end(ingress(lastOfDst));
        List<Integer> lost = new ArrayList<>(expected.keySet());
        lost.removeAll(actual.keySet());
        List<Integer> withinOneWindow = new ArrayList<>();
        for (int s = lastOfDst + 1; s < SLICES; s++) {
            // Lost while the key lives: until the watermark, trailing the record by the out-of-orderness,
            // passes the elected reporter's last record plus the window.
            if (end(egress(s)) - 5_000 < lastElected + WINDOW_MS) {
                withinOneWindow.add(s);
            }
        }
        assertThat(withinOneWindow)
                .as("the scenario spans more than a window after the stop")
                .hasSizeLessThan(SLICES - lastOfDst - 1);
        assertThat(lost).isEqualTo(withinOneWindow);
        assertThat(actual.values()).allSatisfy(rows -> assertThat(rows).hasSize(1));
        for (int s : actual.keySet()) {
            assertThat(actual.get(s)).as("slice %d", s).containsExactly(expected.get(s));
        }
    }

    /**
     * The source's report of slice 0 arrives after the flow key expired (more than {@code
     * dedup.window} after the destination's report): the job cannot recognise it and loads the slice
     * twice. The oracle's one row per slice is exceeded by exactly that report — the documented
     * limit of windowed deduplication.
     */
    @Test
    void aSecondReportAfterTheKeyExpiredIsLoadedTwiceAndOnlyThatOne() throws Exception {
        List<Report> reports = new ArrayList<>(List.of(new Report(0, true, ingress(0))));
        FlowRecord lateCopy = egress(0);
        List<FlowRecord> out;
        FlowDeduplicator f = new FlowDeduplicator(config());
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(f)) {
            h.processElement(ingress(0), end(ingress(0)));
            h.processWatermark(end(ingress(0)) + WINDOW_MS + MAX_WAIT_MS + 1);
            assertThat(h.numKeyedStateEntries()).as("the key expired").isZero();
            h.processElement(lateCopy, end(lateCopy));
            h.processWatermark(Long.MAX_VALUE);
            out = h.extractOutputValues();
        }
        reports.add(new Report(0, false, lateCopy));
        assertThat(oracle(reports)).containsOnlyKeys(0);
        assertThat(loaded(out).get(0))
                .containsExactlyInAnyOrder(
                        ingress(0).getLong(ColumnRegistry.BYTES), lateCopy.getLong(ColumnRegistry.BYTES));
    }
}
