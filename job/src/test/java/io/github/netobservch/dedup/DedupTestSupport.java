package io.github.netobservch.dedup;

import static io.github.netobservch.format.ColumnRegistry.AGENT_IP;
import static io.github.netobservch.format.ColumnRegistry.BYTES;
import static io.github.netobservch.format.ColumnRegistry.FLOW_DIRECTION;
import static io.github.netobservch.format.ColumnRegistry.PACKETS;
import static io.github.netobservch.format.ColumnRegistry.TIME_FLOW_END_MS;
import static io.github.netobservch.format.ColumnRegistry.TIME_FLOW_START_MS;

import io.github.netobservch.enrich.FlowEnricher;
import io.github.netobservch.enrich.FlowKeyHashSelector;
import io.github.netobservch.format.FlowFixtures;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.format.IpAddresses;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * Realistic records for dedup tests, derived from the first example record of FlowFixtures (pod → pod
 * across nodes, {@code shop/frontend} on node 10.0.131.7 → {@code shop/checkout} on node
 * 10.0.142.18), and harness plumbing.
 */
final class DedupTestSupport {

    /** Destination node: reports the flow as ingress (FlowDirection 0), the console's choice. */
    static final String DST_NODE = "10.0.142.18";
    /** Source node: reports the same flow as egress (FlowDirection 1) to a Pod, not canonical. */
    static final String SRC_NODE = "10.0.131.7";
    /** TimeFlowEndMs of example 1 (slice 0 of the ingress reporter). */
    static final long T0 = 1754040012873L;

    static final long SLICE_MS = 15_000;

    static final long WINDOW_MS = 60_000;
    static final long MAX_WAIT_MS = 30_000;

    private DedupTestSupport() {}

    static DedupConfig config() {
        return DedupConfig.builder()
                .window(Duration.ofMillis(WINDOW_MS))
                .maxWait(Duration.ofMillis(MAX_WAIT_MS))
                .maxFingerprints(4)
                .build();
    }

    /** Slice {@code slice} of example 1 as reported by the destination node (ingress, preferred). */
    static FlowRecord ingress(int slice) {
        FlowRecord r = FlowFixtures.parse("example1");
        shift(r, slice * SLICE_MS);
        r.setLong(BYTES, 45871 + 1000L * slice);
        r.setLong(PACKETS, 37 + slice);
        return FlowEnricher.enrich(r);
    }

    /**
     * The source node's copy of the same slice: other AgentIP, egress, its own eviction times
     * (180 ms earlier) and independently sampled counters.
     */
    static FlowRecord egress(int slice) {
        FlowRecord r = FlowFixtures.parse("example1");
        agent(r, SRC_NODE);
        r.setLong(FLOW_DIRECTION, 1);
        shift(r, slice * SLICE_MS - 180);
        r.setLong(BYTES, 44012 + 1000L * slice);
        r.setLong(PACKETS, 36 + slice);
        return FlowEnricher.enrich(r);
    }

    static FlowRecord agent(FlowRecord r, String ip) {
        long[] a = new long[2];
        if (!IpAddresses.parse(ip, a)) {
            throw new IllegalArgumentException(ip);
        }
        r.setIp(AGENT_IP, a[0], a[1]);
        return r;
    }

    static void shift(FlowRecord r, long ms) {
        r.setLong(TIME_FLOW_START_MS, r.getLong(TIME_FLOW_START_MS) + ms);
        r.setLong(TIME_FLOW_END_MS, r.getLong(TIME_FLOW_END_MS) + ms);
    }

    static long end(FlowRecord r) {
        return r.getLong(TIME_FLOW_END_MS);
    }

    static KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> harness(FlowDeduplicator f)
            throws Exception {
        return harness(f, null);
    }

    /** An opened harness (HashMap state backend), restored from {@code snapshot} when not null. */
    static KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> harness(
            FlowDeduplicator f, OperatorSubtaskState snapshot) throws Exception {
        return harness(f, snapshot, 1, 1, 0);
    }

    /** An opened harness of subtask {@code subtask} of {@code parallelism}. */
    static KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> harness(
            FlowDeduplicator f, OperatorSubtaskState snapshot, int maxParallelism, int parallelism, int subtask)
            throws Exception {
        return harness(f, snapshot, maxParallelism, parallelism, subtask, new HashMapStateBackend());
    }

    /** An opened harness on {@code backend} (e.g. RocksDB, which the Kubernetes manifests use). */
    static KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> harness(
            FlowDeduplicator f,
            OperatorSubtaskState snapshot,
            int maxParallelism,
            int parallelism,
            int subtask,
            StateBackend backend)
            throws Exception {
        return harness(f, snapshot, maxParallelism, parallelism, subtask, backend, Long.MIN_VALUE);
    }

    /**
     * As above, for any operator keyed like the dedup, with the harness's processing time set to
     * {@code processingTime} before the operator opens (unless {@code Long.MIN_VALUE}).
     */
    static KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> harness(
            org.apache.flink.streaming.api.operators.OneInputStreamOperator<FlowRecord, FlowRecord> f,
            OperatorSubtaskState snapshot,
            int maxParallelism,
            int parallelism,
            int subtask,
            StateBackend backend,
            long processingTime)
            throws Exception {
        KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        f, new FlowKeyHashSelector(), Types.LONG, maxParallelism, parallelism, subtask);
        h.setStateBackend(backend);
        if (processingTime != Long.MIN_VALUE) {
            h.setProcessingTime(processingTime);
        }
        h.setup();
        if (snapshot != null) {
            h.initializeState(snapshot);
        } else {
            h.initializeEmptyState();
        }
        h.open();
        return h;
    }

    /** Sends a record with its event time ({@code TimeFlowEndMs}) as stream timestamp. */
    static void send(KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h, FlowRecord r)
            throws Exception {
        h.processElement(r, end(r));
    }
}
