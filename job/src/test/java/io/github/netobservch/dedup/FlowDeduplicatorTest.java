package io.github.netobservch.dedup;

import static io.github.netobservch.dedup.DedupTestSupport.MAX_WAIT_MS;
import static io.github.netobservch.dedup.DedupTestSupport.SLICE_MS;
import static io.github.netobservch.dedup.DedupTestSupport.WINDOW_MS;
import static io.github.netobservch.dedup.DedupTestSupport.config;
import static io.github.netobservch.dedup.DedupTestSupport.egress;
import static io.github.netobservch.dedup.DedupTestSupport.end;
import static io.github.netobservch.dedup.DedupTestSupport.harness;
import static io.github.netobservch.dedup.DedupTestSupport.ingress;
import static io.github.netobservch.dedup.DedupTestSupport.send;
import static io.github.netobservch.format.ColumnRegistry.DUPLICATE;
import static io.github.netobservch.format.ColumnRegistry.FLOW_KEY_HASH;
import static io.github.netobservch.format.ColumnRegistry.K8S_CLUSTER_NAME;
import static io.github.netobservch.format.ColumnRegistry.SRC_PORT;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.enrich.FlowEnricher;
import io.github.netobservch.format.FlowFixtures;
import io.github.netobservch.format.FlowRecord;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link FlowDeduplicator} in a keyed operator harness, event time driven by explicit watermarks. */
class FlowDeduplicatorTest {

    @Test
    void crossNodePodToPodFlowKeepsOneRecordPerSliceFromTheIngressReporter() throws Exception {
        FlowDeduplicator f = new FlowDeduplicator(config());
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(f)) {
            // slice 0: the ingress copy comes first; slice 1: the egress copy comes first (held, then dropped)
            send(h, ingress(0));
            send(h, egress(0));
            send(h, egress(1));
            assertThat(h.extractOutputValues()).containsExactly(ingress(0));
            send(h, ingress(1));
            h.processWatermark(end(ingress(1)) + MAX_WAIT_MS + 1);

            assertThat(h.extractOutputValues()).containsExactly(ingress(0), ingress(1));
            assertThat(f.metrics().kept()).isEqualTo(2);
            assertThat(f.metrics().droppedCrossReporter()).isEqualTo(2);
            assertThat(f.metrics().heldThenEmitted()).isZero();
            assertThat(f.liveKeys()).isEqualTo(1);
        }
    }

    /**
     * One watermark that both fires a wait deadline and passes the key's expiry after the fallback
     * election (the end of a bounded input jumps to {@code Long.MAX_VALUE}) releases the held record
     * and clears the key: expiry runs after the deadlines. In the other order the key stayed in state
     * for a watermark that never came.
     */
    @Test
    void aWatermarkPastDeadlineAndExpiryReleasesTheHeldRecordAndClearsTheKey() throws Exception {
        FlowDeduplicator f = new FlowDeduplicator(config());
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(f)) {
            send(h, egress(0)); // no preferred reporter: held
            assertThat(h.extractOutputValues()).isEmpty();
            h.processWatermark(end(egress(0)) + MAX_WAIT_MS + WINDOW_MS + 1);

            assertThat(h.extractOutputValues()).containsExactly(egress(0));
            assertThat(f.metrics().electedFallback()).isEqualTo(1);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(f.liveKeys()).isZero();
            assertThat(f.expiryEntries()).isZero();
        }
    }

    /**
     * A record whose raw message had no readable time reaches dedup with {@code Long.MIN_VALUE} as
     * its timestamp (the source leaves event time alone); dedup must time it by its parsed
     * {@code TimeFlowEndMs}, so its wait deadline is the usual one and not the current watermark's.
     */
    @Test
    void aRecordWithoutASourceTimestampIsTimedByItsFlowEnd() throws Exception {
        FlowDeduplicator f = new FlowDeduplicator(config());
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(f)) {
            h.processWatermark(end(egress(0)) - 10_000);
            h.processElement(egress(0), Long.MIN_VALUE);
            h.processWatermark(end(egress(0)) + MAX_WAIT_MS - 1);
            assertThat(h.extractOutputValues())
                    .as("still waiting for the ingress copy")
                    .isEmpty();
            h.processWatermark(end(egress(0)) + MAX_WAIT_MS);
            assertThat(h.extractOutputValues()).containsExactly(egress(0));
            assertThat(f.metrics().electedFallback()).isEqualTo(1);
        }
    }

    @Test
    void egressCopyFirstIsHeldAndDroppedWhenTheIngressCopyArrives() throws Exception {
        FlowDeduplicator f = new FlowDeduplicator(config());
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(f)) {
            send(h, egress(0));
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.numEventTimeTimers()).isEqualTo(1); // the wait deadline
            assertThat(f.expiryEntries()).isZero();
            send(h, ingress(0));
            assertThat(h.extractOutputValues()).containsExactly(ingress(0));
            assertThat(h.numEventTimeTimers()).isZero(); // deadline deleted
            assertThat(f.expiryEntries()).isEqualTo(1); // expiry entered
            h.processWatermark(end(egress(0)) + MAX_WAIT_MS);
            assertThat(h.extractOutputValues()).containsExactly(ingress(0));
            assertThat(f.metrics().droppedCrossReporter()).isEqualTo(1);
            assertThat(f.metrics().electedFallback()).isZero();
        }
    }

    @Test
    void longConnectionKeepsAllSlicesOfTheElectedReporter() throws Exception {
        FlowDeduplicator f = new FlowDeduplicator(config());
        List<FlowRecord> expected = new ArrayList<>();
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(f)) {
            for (int slice = 0; slice < 12; slice++) { // 3 minutes, longer than the 60 s window
                if (slice % 2 == 0) {
                    send(h, egress(slice));
                    send(h, ingress(slice));
                } else {
                    send(h, ingress(slice));
                    send(h, egress(slice));
                }
                expected.add(ingress(slice));
                h.processWatermark(end(ingress(slice)) - 5_000); // 5 s of out-of-orderness
            }
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(expected);
            assertThat(f.metrics().droppedCrossReporter()).isEqualTo(12);
            assertThat(f.metrics().droppedExactResend()).isZero();
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(f.expiryEntries()).as("one entry, re-entered lazily").isEqualTo(1);
        }
    }

    @Test
    void exactResendsAndDuplicateFlagCopiesAreDropped() throws Exception {
        FlowDeduplicator f = new FlowDeduplicator(config());
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(f)) {
            send(h, ingress(0));
            send(h, ingress(0)); // Kafka producer retry: same bytes
            FlowRecord reprocessed = ingress(0);
            reprocessed.setLong(
                    io.github.netobservch.format.ColumnRegistry.TIME_RECEIVED,
                    1754040099L); // FLP re-run: new TimeReceived
            send(h, reprocessed);

            FlowRecord legacy = FlowEnricher.enrich(FlowFixtures.parse("legacy-1.5"));
            legacy.setLong(SRC_PORT, 43719); // its own flow key
            FlowEnricher.enrich(legacy);
            FlowRecord legacyCopy = legacy.copy();
            legacyCopy.setBool(DUPLICATE, true); // same agent, another interface
            send(h, legacyCopy);
            send(h, legacy);
            send(h, legacyCopy);

            // a re-send of a held record is dropped too; the held record itself is emitted after the wait
            FlowRecord lonelyEgress = egress(0);
            lonelyEgress.setLong(SRC_PORT, 50000);
            FlowEnricher.enrich(lonelyEgress);
            send(h, lonelyEgress);
            send(h, lonelyEgress.copy());
            h.processWatermark(end(lonelyEgress) + MAX_WAIT_MS);

            assertThat(h.extractOutputValues()).containsExactly(ingress(0), legacy, lonelyEgress);
            assertThat(f.metrics().droppedExactResend()).isEqualTo(3);
            assertThat(f.metrics().droppedSameNodeCopy()).isEqualTo(2);
            assertThat(f.metrics().heldThenEmitted()).isEqualTo(1);
        }
    }

    @Test
    void sameFiveTupleInTwoClustersIsKeptApart() throws Exception {
        FlowDeduplicator f = new FlowDeduplicator(config());
        FlowRecord euIngress = ingress(0);
        FlowRecord usIngress = inCluster(ingress(0), "prod-us");
        FlowRecord usEgress = inCluster(egress(0), "prod-us");
        assertThat(usIngress.getLong(FLOW_KEY_HASH)).isNotEqualTo(euIngress.getLong(FLOW_KEY_HASH));
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(f)) {
            send(h, usEgress); // only a wait in prod-us, not a drop because of prod-eu's election
            send(h, euIngress);
            send(h, egress(0));
            send(h, usIngress); // same AgentIP and counters as euIngress: not a re-send, another key
            h.processWatermark(end(euIngress) + MAX_WAIT_MS);

            assertThat(h.extractOutputValues()).containsExactly(euIngress, usIngress);
            assertThat(h.numKeyedStateEntries()).isEqualTo(2);
            assertThat(f.metrics().droppedCrossReporter()).isEqualTo(2);
            assertThat(f.metrics().droppedExactResend()).isZero();
        }
    }

    private static FlowRecord inCluster(FlowRecord r, String cluster) {
        r.setString(K8S_CLUSTER_NAME, cluster);
        return FlowEnricher.enrich(r);
    }

    @Test
    void stateAndTimersAreClearedAfterTheWindow() throws Exception {
        FlowDeduplicator f = new FlowDeduplicator(config());
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(f)) {
            int keys = 2_000;
            for (int i = 0; i < keys; i++) {
                // even keys: both reporters (ingress elected); odd keys: egress only (held, then fallback)
                send(h, withPort(egress(0), 20_000 + i));
                if (i % 2 == 0) {
                    send(h, withPort(ingress(0), 20_000 + i));
                }
            }
            assertThat(h.numKeyedStateEntries()).isEqualTo(keys + keys / 2); // + held lists
            assertThat(h.numEventTimeTimers()).isEqualTo(keys / 2); // the waits' deadlines
            assertThat(f.expiryEntries()).isEqualTo(keys / 2); // the elected keys
            assertThat(f.liveKeys()).isEqualTo(keys);
            h.processWatermark(end(egress(0)) + MAX_WAIT_MS); // waits over: fallback elections
            assertThat(h.extractOutputValues()).hasSize(keys);
            assertThat(f.metrics().heldThenEmitted()).isEqualTo(keys / 2);
            assertThat(f.metrics().electedFallback()).isEqualTo(keys / 2);
            assertThat(h.numKeyedStateEntries()).isEqualTo(keys);
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(f.expiryEntries()).isEqualTo(keys);

            h.processWatermark(end(egress(0)) + MAX_WAIT_MS + WINDOW_MS);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(f.expiryEntries()).isZero();
            assertThat(f.liveKeys()).isZero();
        }
    }

    /**
     * The safety net for a stalled watermark: keys not written for {@code stateTtl} of processing
     * time are swept at a tick (every {@code stateTtl / 4}), keys written since stay, and a key
     * waiting for its preferred reporter loses its state but not its held record (the deadline timer
     * still emits it). Negative control: without a TTL nothing is swept.
     */
    @Test
    void withAStalledWatermarkTheSweepStillFreesOldKeys() throws Exception {
        for (boolean ttl : new boolean[] {true, false}) {
            DedupConfig c = DedupConfig.builder()
                    .window(Duration.ofMillis(WINDOW_MS))
                    .maxWait(Duration.ofMillis(MAX_WAIT_MS))
                    .maxFingerprints(4)
                    .stateTtl(ttl ? Duration.ofHours(1) : Duration.ZERO)
                    .build();
            FlowDeduplicator f = new FlowDeduplicator(c);
            try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(f)) {
                h.setProcessingTime(0);
                int old = 500;
                for (int i = 0; i < old; i++) {
                    send(h, withPort(ingress(0), 30_000 + i)); // elected at once; no watermark ever comes
                }
                send(h, withPort(egress(0), 29_999)); // not preferred: held, waiting for its deadline
                int touched = 100;
                h.setProcessingTime(Duration.ofMinutes(50).toMillis());
                for (int i = 0; i < touched; i++) {
                    send(h, withPort(ingress(1), 30_000 + i)); // a new slice of the same flows: written again
                }
                assertThat(h.numKeyedStateEntries()).isEqualTo(old + 2); // + the held key and its list
                long keptBefore = f.metrics().kept();
                // an hour after the first writes, fresh keys arrive
                h.setProcessingTime(Duration.ofMinutes(75).toMillis());
                int fresh = 2_000;
                for (int i = 0; i < fresh; i++) {
                    send(h, withPort(ingress(0), 40_000 + i));
                }
                if (ttl) {
                    assertThat(f.metrics().keysSwept())
                            .as("the keys not written for an hour are gone")
                            .isEqualTo(old - touched + 1);
                    assertThat(h.numKeyedStateEntries())
                            .as("the keys written since and the fresh ones stay, and the held list")
                            .isEqualTo(touched + fresh + 1);
                    assertThat(f.liveKeys()).isEqualTo(touched + fresh);
                } else {
                    assertThat(f.metrics().keysSwept()).isZero();
                    assertThat(h.numKeyedStateEntries())
                            .as("negative control: no TTL")
                            .isEqualTo(old + 2 + fresh);
                }
                // the watermark comes back: the held record is emitted at its deadline all the same
                h.processWatermark(Long.MAX_VALUE - 1);
                assertThat(f.metrics().kept()).isEqualTo(keptBefore + fresh + 1);
                // (without the sweep the waiting key is elected at its deadline and expires at the next watermark)
                h.processWatermark(Long.MAX_VALUE);
                assertThat(h.numKeyedStateEntries()).isZero();
            }
        }
    }

    private static FlowRecord withPort(FlowRecord r, int srcPort) {
        r.setLong(SRC_PORT, srcPort);
        return FlowEnricher.enrich(r);
    }

    @Test
    void keyExpiresWhenQuietAndANewElectionHappens() throws Exception {
        FlowDeduplicator f = new FlowDeduplicator(config());
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(f)) {
            send(h, ingress(0));
            h.processWatermark(end(ingress(0)) + WINDOW_MS - 1);
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            h.processWatermark(end(ingress(0)) + WINDOW_MS);
            assertThat(h.numKeyedStateEntries()).isZero();
            // the same connection resumes 5 slices later from the egress side only: a new election
            send(h, egress(5));
            h.processWatermark(end(egress(5)) + MAX_WAIT_MS);
            assertThat(h.extractOutputValues()).containsExactly(ingress(0), egress(5));
            assertThat(f.metrics().electedFallback()).isEqualTo(1);
        }
    }

    @Test
    void flowWhosePreferredReporterNeverAppearsIsCountedOnceAfterTheWait() throws Exception {
        FlowDeduplicator f = new FlowDeduplicator(config());
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(f)) {
            long deadline = end(egress(0)) + MAX_WAIT_MS;
            send(h, egress(0));
            h.processWatermark(end(egress(1)));
            send(h, egress(1)); // same candidate: held with the first
            h.processWatermark(deadline - 1);
            assertThat(h.extractOutputValues()).isEmpty();

            h.processWatermark(deadline);
            List<StreamRecord<? extends FlowRecord>> released = h.extractOutputStreamRecords();
            assertThat(released).extracting(r -> (FlowRecord) r.getValue()).containsExactly(egress(0), egress(1));
            assertThat(released).extracting(StreamRecord::getTimestamp).containsOnly(deadline);

            send(h, egress(2)); // the key now follows the egress reporter: passes at once
            send(h, ingress(2)); // the preferred reporter appearing late is dropped: one reporter per key
            assertThat(h.extractOutputValues()).containsExactly(egress(0), egress(1), egress(2));
            assertThat(f.metrics().heldThenEmitted()).isEqualTo(2);
            assertThat(f.metrics().electedFallback()).isEqualTo(1);
            assertThat(f.metrics().droppedCrossReporter()).isEqualTo(1);

            h.processWatermark(end(egress(2)) + WINDOW_MS);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void lateRecordOfAnExpiredKeyOpensANewKeyAndItsLateSiblingStillMeetsIt() throws Exception {
        FlowDeduplicator f = new FlowDeduplicator(config());
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(f)) {
            long watermark = end(ingress(0)) + 10 * WINDOW_MS; // both copies are 10 minutes late
            h.processWatermark(watermark);
            send(h, egress(0));
            h.processWatermark(watermark + MAX_WAIT_MS - 1);
            send(h, ingress(0));
            h.processWatermark(watermark + MAX_WAIT_MS + WINDOW_MS);
            assertThat(h.extractOutputValues()).containsExactly(ingress(0));
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void snapshotAndRestoreMidWaitKeepHeldRecords() throws Exception {
        // preferred reporter arrives after the restore: the held copy is dropped, as without restore
        OperatorSubtaskState snapshot = snapshotWithHeldEgress();
        FlowDeduplicator restored = new FlowDeduplicator(config());
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(restored, snapshot)) {
            assertThat(h.numKeyedStateEntries()).isEqualTo(2); // key state + held list
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            send(h, ingress(0));
            h.processWatermark(end(egress(0)) + MAX_WAIT_MS + WINDOW_MS + 1_000);
            assertThat(h.extractOutputValues()).containsExactly(ingress(0));
            assertThat(restored.metrics().droppedCrossReporter()).isEqualTo(1);
            assertThat(h.numKeyedStateEntries()).isZero();
        }

        // nobody else comes: the held copy is emitted at the deadline, as without restore
        snapshot = snapshotWithHeldEgress();
        restored = new FlowDeduplicator(config());
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(restored, snapshot)) {
            h.processWatermark(end(egress(0)) + MAX_WAIT_MS);
            assertThat(h.extractOutputValues()).containsExactly(egress(0));
            assertThat(restored.metrics().heldThenEmitted()).isEqualTo(1);
            assertThat(restored.liveKeys()).isEqualTo(1); // the restored key is adopted
            send(h, egress(0)); // a re-send after the restore: fingerprints were restored too
            assertThat(restored.metrics().droppedExactResend()).isEqualTo(1);
            h.processWatermark(end(egress(0)) + MAX_WAIT_MS + WINDOW_MS);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(restored.liveKeys()).isZero();
        }
    }

    @ParameterizedTest(name = "RocksDB: {0}")
    @ValueSource(booleans = {false, true})
    void restoredLiveKeysExpireAtTheirTime(boolean rocksDb) throws Exception {
        OperatorSubtaskState snapshot;
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h =
                harness(new FlowDeduplicator(config()), null, 1, 1, 0, backend(rocksDb))) {
            send(h, ingress(0)); // elected: no timer, an expiry entry
            send(h, withPort(ingress(0), 41_000));
            send(h, withPort(ingress(2), 41_000)); // this key was last seen two slices later
            snapshot = h.snapshot(1L, 1L);
        }
        FlowDeduplicator restored = new FlowDeduplicator(config());
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h =
                harness(restored, snapshot, 1, 1, 0, backend(rocksDb))) {
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(restored.expiryEntries())
                    .as("rebuilt from the keyed state")
                    .isEqualTo(2);
            h.processWatermark(end(ingress(0)) + WINDOW_MS - 1);
            assertThat(stateKeys(restored)).isEqualTo(2);
            h.processWatermark(end(ingress(0)) + WINDOW_MS);
            assertThat(stateKeys(restored)).isEqualTo(1);
            h.processWatermark(end(ingress(2)) + WINDOW_MS - 1);
            assertThat(stateKeys(restored)).isEqualTo(1);
            h.processWatermark(end(ingress(2)) + WINDOW_MS);
            assertThat(stateKeys(restored)).isZero();
            assertThat(restored.expiryEntries()).isZero();
        }
    }

    /** Keys with dedup state (the harness counts entries on the heap backend only). */
    private static long stateKeys(FlowDeduplicator f) throws Exception {
        try (Stream<Long> keys =
                f.<Long>getKeyedStateBackend().getKeys(FlowDeduplicator.STATE_NAME, VoidNamespace.INSTANCE)) {
            return keys.count();
        }
    }

    private static StateBackend backend(boolean rocksDb) {
        return rocksDb ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend();
    }

    @Test
    void rescaledSubtasksEachExpireTheKeysTheyReceive() throws Exception {
        int keys = 500;
        int maxParallelism = 128;
        OperatorSubtaskState snapshot;
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h =
                harness(new FlowDeduplicator(config()), null, maxParallelism, 1, 0)) {
            for (int i = 0; i < keys; i++) {
                send(h, withPort(ingress(0), 20_000 + i));
            }
            snapshot = h.snapshot(1L, 1L);
        }
        long total = 0;
        for (int subtask = 0; subtask < 2; subtask++) {
            OperatorSubtaskState part =
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(snapshot, maxParallelism, 1, 2, subtask);
            FlowDeduplicator f = new FlowDeduplicator(config());
            try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h =
                    harness(f, part, maxParallelism, 2, subtask)) {
                int mine = h.numKeyedStateEntries();
                assertThat(mine).isPositive().isLessThan(keys);
                assertThat(f.expiryEntries()).isEqualTo(mine);
                total += mine;
                h.processWatermark(end(ingress(0)) + WINDOW_MS);
                assertThat(h.numKeyedStateEntries()).isZero();
                assertThat(f.expiryEntries()).isZero();
            }
        }
        assertThat(total).isEqualTo(keys);
    }

    /**
     * A snapshot written by this operator's predecessor, a {@code KeyedProcessFunction} in Flink's
     * {@code KeyedProcessOperator} (commit 8739085), with one expiry timer per key: key A elected
     * (ingress slice 0), key B (egress slice 0, source port 40001) held for its preferred reporter.
     * Written with {@code OperatorSnapshotUtil.writeStateHandle} after {@code send(ingress(0))},
     * {@code send(egress(0) with port 40001)}, {@code processWatermark(T0 + 1 s)}.
     */
    @Test
    void aSnapshotOfTheKeyedProcessFunctionEraRestores() throws Exception {
        OperatorSubtaskState old = OperatorSnapshotUtil.readStateHandle(Paths.get(FlowDeduplicatorTest.class
                        .getResource("/dedup/flow-dedup-keyed-process-operator-8739085.snapshot")
                        .toURI())
                .toString());
        FlowDeduplicator f = new FlowDeduplicator(config());
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(f, old)) {
            assertThat(h.numKeyedStateEntries()).isEqualTo(3); // A, B, B's held record
            assertThat(h.numEventTimeTimers()).isEqualTo(2); // A's expiry, B's deadline
            assertThat(f.expiryEntries()).isEqualTo(1); // A
            send(h, ingress(0));
            send(h, egress(0));
            assertThat(h.extractOutputValues())
                    .as("A's fingerprints and reporter restored")
                    .isEmpty();
            assertThat(f.metrics().droppedExactResend()).isEqualTo(1);
            assertThat(f.metrics().droppedCrossReporter()).isEqualTo(1);

            long deadline = end(egress(0)) + MAX_WAIT_MS;
            h.processWatermark(deadline);
            List<StreamRecord<? extends FlowRecord>> released = h.extractOutputStreamRecords();
            assertThat(released)
                    .extracting(r -> (FlowRecord) r.getValue())
                    .containsExactly(withPort(egress(0), 40_001));
            assertThat(released).extracting(StreamRecord::getTimestamp).containsOnly(deadline);
            assertThat(f.metrics().electedFallback()).isEqualTo(1);

            h.processWatermark(end(ingress(0)) + WINDOW_MS); // A's old timer and its wheel entry
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            h.processWatermark(deadline + WINDOW_MS);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(f.expiryEntries()).isZero();
            assertThat(f.liveKeys()).isZero();
        }
    }

    /**
     * The key state as versions before the sweep wrote it: the same {@code long[]} under a
     * processing-time state TTL of 1 h (incremental cleanup), no write stamp. Only the descriptor
     * and the value matter to a restore: this operator writes an elected key per record.
     */
    static final class StateTtlEraOperator extends AbstractStreamOperator<FlowRecord>
            implements OneInputStreamOperator<FlowRecord, FlowRecord> {
        private transient ValueState<long[]> keyState;

        @Override
        public void open() throws Exception {
            super.open();
            ValueStateDescriptor<long[]> d = new ValueStateDescriptor<>(
                    FlowDeduplicator.STATE_NAME, PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);
            d.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofHours(1))
                    .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                    .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                    .cleanupIncrementally(1, false)
                    .build());
            keyState = getRuntimeContext().getState(d);
        }

        @Override
        public void processElement(StreamRecord<FlowRecord> element) throws Exception {
            FlowRecord r = element.getValue();
            keyState.update(KeyState.create(
                    KeyState.ELECTED,
                    r.ipHigh(io.github.netobservch.format.ColumnRegistry.AGENT_IP),
                    r.ipLow(io.github.netobservch.format.ColumnRegistry.AGENT_IP),
                    DedupRules.eventTime(r, element.getTimestamp()),
                    1,
                    DedupRules.fingerprint(r),
                    4));
        }
    }

    /**
     * Upgrading from the state-TTL era (the Kubernetes manifests' RocksDB and the heap backend):
     * the keys restore (Flink 2.2 migrates state written with a TTL to a descriptor without one),
     * keep their reporter and fingerprints, and their sweep age counts from the restore, ten hours
     * of processing time after they were written; then the sweep clears a key left alone for the TTL
     * and keeps one written since.
     */
    @ParameterizedTest(name = "RocksDB: {0}")
    @ValueSource(booleans = {false, true})
    void keysOfTheStateTtlEraRestoreAndAreSweptFromTheRestore(boolean rocksDb) throws Exception {
        OperatorSubtaskState old;
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h =
                harness(new StateTtlEraOperator(), null, 1, 1, 0, backend(rocksDb), 0)) {
            send(h, ingress(0));
            send(h, withPort(ingress(0), 41_000));
            old = h.snapshot(1L, 1L);
        }
        long restoredAt = Duration.ofHours(10).toMillis();
        FlowDeduplicator f = new FlowDeduplicator(config());
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h =
                harness(f, old, 1, 1, 0, backend(rocksDb), restoredAt)) {
            assertThat(stateKeys(f)).isEqualTo(2);
            assertThat(f.expiryEntries()).isEqualTo(2);
            send(h, ingress(0));
            send(h, egress(0));
            assertThat(h.extractOutputValues())
                    .as("reporter and fingerprint restored")
                    .isEmpty();
            assertThat(f.metrics().droppedExactResend()).isEqualTo(1);
            assertThat(f.metrics().droppedCrossReporter()).isEqualTo(1);

            h.setProcessingTime(restoredAt + Duration.ofMinutes(30).toMillis());
            assertThat(f.metrics().keysSwept())
                    .as("aged from the restore, not from their write")
                    .isZero();
            send(h, ingress(1)); // the first key is written again
            h.setProcessingTime(restoredAt + Duration.ofMinutes(80).toMillis());
            assertThat(f.metrics().keysSwept()).isEqualTo(1);
            assertThat(stateKeys(f)).isEqualTo(1);
            h.processWatermark(Long.MAX_VALUE);
            assertThat(stateKeys(f)).isZero();
        }
    }

    private static OperatorSubtaskState snapshotWithHeldEgress() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h =
                harness(new FlowDeduplicator(config()))) {
            send(h, egress(0));
            h.processWatermark(end(egress(0)) + 1_000);
            assertThat(h.extractOutputValues()).isEmpty();
            return h.snapshot(1L, 1L);
        }
    }

    @Test
    void withoutFingerprintsResendsOfTheElectedReporterPass() throws Exception {
        FlowDeduplicator f =
                new FlowDeduplicator(config().toBuilder().maxFingerprints(0).build());
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(f)) {
            send(h, ingress(0));
            send(h, ingress(0));
            send(h, egress(0));
            assertThat(h.extractOutputValues()).containsExactly(ingress(0), ingress(0));
        }
    }

    @Test
    void fingerprintRingForgetsOnlyTheOldestSlices() throws Exception {
        FlowDeduplicator f =
                new FlowDeduplicator(config().toBuilder().maxFingerprints(2).build());
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(f)) {
            send(h, ingress(0));
            send(h, ingress(1));
            send(h, ingress(2)); // evicts slice 0's fingerprint
            send(h, ingress(1)); // still remembered
            send(h, ingress(2)); // still remembered
            send(h, ingress(0)); // forgotten: passes again
            assertThat(h.extractOutputValues()).containsExactly(ingress(0), ingress(1), ingress(2), ingress(0));
            assertThat(f.metrics().droppedExactResend()).isEqualTo(2);
        }
    }

    @Test
    void recordsWithoutStreamTimestampUseTimeFlowEndMs() throws Exception {
        FlowDeduplicator f = new FlowDeduplicator(config());
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(f)) {
            h.processElement(new StreamRecord<>(egress(0)));
            h.processWatermark(end(egress(0)) + MAX_WAIT_MS - 1);
            assertThat(h.extractOutputValues()).isEmpty();
            h.processWatermark(end(egress(0)) + MAX_WAIT_MS);
            assertThat(h.extractOutputValues()).containsExactly(egress(0));
        }
    }

    @Test
    void slicesAreSpacedByTheEvictionPeriod() {
        assertThat(end(ingress(3)) - end(ingress(2))).isEqualTo(SLICE_MS);
        assertThat(FlowEnricher.isCanonical(io.github.netobservch.enrich.Direction.EGRESS, egress(0)))
                .isFalse();
        assertThat(DedupRules.isPreferred(ingress(0))).isTrue();
        assertThat(DedupRules.isPreferred(egress(0))).isFalse();
    }
}
