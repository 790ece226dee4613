package io.github.netobservch.dedup;

import static io.github.netobservch.format.ColumnRegistry.AGENT_IP;
import static io.github.netobservch.format.ColumnRegistry.BYTES;
import static io.github.netobservch.format.ColumnRegistry.DUPLICATE;
import static io.github.netobservch.format.ColumnRegistry.FLOW_DIRECTION;
import static io.github.netobservch.format.ColumnRegistry.IS_CANONICAL;
import static io.github.netobservch.format.ColumnRegistry.PACKETS;
import static io.github.netobservch.format.ColumnRegistry.TIME_FLOW_END_MS;
import static io.github.netobservch.format.ColumnRegistry.TIME_FLOW_START_MS;

import io.github.netobservch.enrich.Direction;
import io.github.netobservch.enrich.FlowEnricher;
import io.github.netobservch.format.FlowRecord;

/** Per-record predicates and fingerprints shared by the dedup functions (stateless, allocation-free). */
public final class DedupRules {

    private DedupRules() {}

    /**
     * A legacy (≤ 1.7) same-node copy: {@code Duplicate=true} means "this agent already reported
     * this flow on another interface" (format reference §3.2). Absent means false.
     */
    public static boolean isSameNodeCopy(FlowRecord r) {
        return r.has(DUPLICATE) && r.getBool(DUPLICATE);
    }

    /**
     * Whether the record's reporter is the one the NetObserv console counts ({@code is_canonical}:
     * ingress, inner, unknown direction, or egress to a Service / outside the cluster). Uses the
     * enriched column when present, else computes it.
     */
    public static boolean isPreferred(FlowRecord r) {
        if (r.has(IS_CANONICAL)) {
            return r.getBool(IS_CANONICAL);
        }
        return FlowEnricher.isCanonical(Direction.of(r.has(FLOW_DIRECTION), r.getLong(FLOW_DIRECTION)), r);
    }

    /**
     * Identity of one reporter's slice, for exact re-send detection: 64-bit hash of ({@code
     * AgentIP}, {@code TimeFlowStartMs}, {@code TimeFlowEndMs}, {@code Bytes}, {@code Packets}) —
     * the §3.4 delivery-idempotency key minus the 7-tuple, which is the state key already. {@code
     * TimeReceived} is deliberately excluded (FLP regenerates it when it reprocesses a record), so
     * this catches FLP re-processing as well as Kafka producer retries, unlike a hash of the raw
     * bytes. Two different slices of one reporter and key collide with probability ~2^-64.
     */
    public static long fingerprint(FlowRecord r) {
        long h = 0x2545F4914F6CDD1DL;
        h = mix(h ^ r.ipHigh(AGENT_IP));
        h = mix(h ^ r.ipLow(AGENT_IP));
        h = mix(h ^ r.getLong(TIME_FLOW_START_MS));
        h = mix(h ^ r.getLong(TIME_FLOW_END_MS));
        h = mix(h ^ r.getLong(BYTES));
        return mix(h ^ r.getLong(PACKETS));
    }

    /**
     * Event time of a record: the stream timestamp when assigned, else {@code TimeFlowEndMs} (also
     * when the source found no time in the raw message and marked it {@code Long.MIN_VALUE}).
     */
    public static long eventTime(FlowRecord r, Long streamTimestamp) {
        return streamTimestamp != null && streamTimestamp != Long.MIN_VALUE ? streamTimestamp
                : r.getLong(TIME_FLOW_END_MS);
    }

    private static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
