package io.github.netobservch.dedup;

import static io.github.netobservch.format.ColumnRegistry.AGENT_IP;
import static io.github.netobservch.format.ColumnRegistry.DUPLICATE;
import static io.github.netobservch.format.ColumnRegistry.FLOW_DIRECTION;
import static io.github.netobservch.format.ColumnRegistry.IF_DIRECTIONS;
import static io.github.netobservch.format.ColumnRegistry.INTERFACES;
import static io.github.netobservch.format.ColumnRegistry.IS_CANONICAL;
import static io.github.netobservch.format.ColumnRegistry.TIME_FLOW_END_MS;
import static io.github.netobservch.format.ColumnRegistry.TIME_RECEIVED;
import static io.github.netobservch.format.ColumnRegistry.UNTYPED_FIELDS_HASH;

import io.github.netobservch.enrich.Direction;
import io.github.netobservch.enrich.FlowEnricher;
import io.github.netobservch.enrich.FlowKey;
import io.github.netobservch.format.Column;
import io.github.netobservch.format.FlowRecord;

/** Per-record predicates and fingerprints shared by the dedup functions (stateless, allocation-free). */
public final class DedupRules {

    /** Every NetObserv field but {@code TimeReceived}. */
    private static final long[] FIELDS =
            FlowRecord.columnMask(c -> c.origin() == Column.Origin.JSON && c != TIME_RECEIVED);
    /** The same without the interface ({@link #isUnmarkedEra}). */
    private static final long[] FIELDS_BUT_INTERFACE = FlowRecord.columnMask(
            c -> c.origin() == Column.Origin.JSON && c != TIME_RECEIVED && c != INTERFACES && c != IF_DIRECTIONS);

    private DedupRules() {}

    /**
     * A legacy (≤ 1.7) same-node copy: {@code Duplicate=true} means "this agent already reported
     * this flow on another interface" (docs/netobserv-format.md §3.2). Absent means false.
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
     * Identity of one record for exact re-send detection: a 64-bit hash of <b>every field</b> of
     * the record except {@code TimeReceived} — all typed NetObserv columns ({@link
     * FlowRecord#contentHash}) plus the parser's hash of unknown and drifted fields ({@code
     * _untyped_fields_hash}). A re-send is the same record again: a Kafka producer retry (identical
     * bytes) or FLP reprocessing it (only {@code TimeReceived} changes, so it is excluded). Key order
     * and whitespace do not matter. Two <em>different</em> records of one reporter that share
     * times, bytes and packets — partial reports of one flow differing only in {@code Flags} or
     * {@code TimeFlowRttNs}, as 1.6 agents emit — are both kept. The state still holds one {@code
     * long} per slice. Two different records of one key collide with probability ~2^-64. Records
     * of agents before 1.4 leave their interface out ({@link #isUnmarkedEra}).
     */
    public static long fingerprint(FlowRecord r) {
        long h = r.contentHash(isUnmarkedEra(r) ? FIELDS_BUT_INTERFACE : FIELDS);
        if (r.has(UNTYPED_FIELDS_HASH)) {
            h = mix(h ^ r.getLong(UNTYPED_FIELDS_HASH));
        }
        return h;
    }

    /**
     * A record of an agent from before NetObserv 1.4, which neither named its node ({@code AgentIP})
     * nor marked the copies it reported on a node's other interfaces ({@code Duplicate}): it reported
     * the same packets once per interface (the interface was part of the kernel flow key). For such
     * records {@link #fingerprint} leaves the interface out, so the copy of one slice seen on another
     * interface of the node (a {@code vxlan_sys_4789} and a {@code veth} record with equal times,
     * bytes, packets and everything else) matches like a re-send and is dropped; {@link
     * FlowDeduplicator} counts it as a same-node copy.
     */
    public static boolean isUnmarkedEra(FlowRecord r) {
        return !r.has(AGENT_IP) && !r.has(DUPLICATE);
    }

    /**
     * A conversation-tracking record ({@code newConnection}, {@code heartbeat}, {@code
     * endConnection}): FLP's per-connection aggregate, not a report of a flow slice, so never a
     * second report of another reporter's record. Only exact re-sends of it are dropped.
     */
    public static boolean isConversation(FlowRecord r) {
        return FlowKey.isConversationRecord(r);
    }

    /**
     * Event time of a record: the stream timestamp when assigned, else {@code TimeFlowEndMs} (also
     * when the source found no time in the raw message and marked it {@code Long.MIN_VALUE}).
     */
    public static long eventTime(FlowRecord r, Long streamTimestamp) {
        return streamTimestamp == null
                ? r.getLong(TIME_FLOW_END_MS)
                : eventTime(true, streamTimestamp, r.getLong(TIME_FLOW_END_MS));
    }

    /** {@link #eventTime(FlowRecord, Long)} from the stream record's timestamp, if it has one, and {@code TimeFlowEndMs}. */
    public static long eventTime(boolean hasStreamTimestamp, long streamTimestamp, long timeFlowEndMs) {
        return hasStreamTimestamp && streamTimestamp != Long.MIN_VALUE ? streamTimestamp : timeFlowEndMs;
    }

    private static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
