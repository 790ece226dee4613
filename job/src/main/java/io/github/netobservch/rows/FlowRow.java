package io.github.netobservch.rows;

import io.github.netobservch.dedup.DedupFacts;
import io.github.netobservch.format.FlowRecord;
import java.util.Arrays;

/**
 * A flow record as the job ships it from the parser to the {@code flows} sink: its row of the
 * {@code flows} table, already encoded ({@link FlowRowEncoder}, RowBinary), and the few facts
 * reporter-election dedup reads ({@link DedupFacts}), computed before the {@code keyBy} shuffle.
 *
 * <p>Why this form: it crosses the shuffle as a short header and one byte copy, and the sink writer
 * appends the row as it is. The record form it replaces was written field by field before the
 * shuffle, read back field by field after it (40 % of the dedup/writer thread in the benchmark's
 * profile, allocation included) and then encoded again as RowBinary.
 *
 * <p>A row built in the parser's task holds its record and is encoded where its bytes are needed:
 * straight into Flink's network buffer when it crosses the shuffle ({@link FlowRowSerializer}), or
 * into the sink's batch when it does not (the stateless dedup modes, chained). A row read back from
 * the network or from state holds its bytes. Either way the bytes are those of {@link
 * FlowRowEncoder}.
 *
 * <p>Immutable as far as anyone can tell: the record is never changed, the bytes never change once
 * made (callers must not change the array), and a row lives in one task thread.
 */
public final class FlowRow {

    static final int SAME_NODE_COPY = 1;
    static final int PREFERRED = 1 << 1;
    static final int UNMARKED_ERA = 1 << 2;
    static final int CONVERSATION = 1 << 3;
    static final int ALL_FLAGS = SAME_NODE_COPY | PREFERRED | UNMARKED_ERA | CONVERSATION;

    private static final byte[] NO_ROW = new byte[0];

    private final long key;
    private final long timeFlowEndMs;
    private final int flags;
    private final long agentHigh;
    private final long agentLow;
    private final long fingerprint;
    /** The bytes, or null until {@link #row()} encodes {@link #record}. */
    private byte[] row;
    /** The record of a row built in the parser's task, or null. */
    private final FlowRecord record;

    FlowRow(long key, long timeFlowEndMs, int flags, long agentHigh, long agentLow, long fingerprint, byte[] row) {
        this(key, timeFlowEndMs, flags, agentHigh, agentLow, fingerprint, row == null ? NO_ROW : row, null);
    }

    /** A row of {@code record}, encoded when its bytes are first needed. */
    FlowRow(
            long key,
            long timeFlowEndMs,
            int flags,
            long agentHigh,
            long agentLow,
            long fingerprint,
            FlowRecord record) {
        this(key, timeFlowEndMs, flags, agentHigh, agentLow, fingerprint, null, record);
    }

    private FlowRow(
            long key,
            long timeFlowEndMs,
            int flags,
            long agentHigh,
            long agentLow,
            long fingerprint,
            byte[] row,
            FlowRecord record) {
        if ((flags & ~ALL_FLAGS) != 0) {
            throw new IllegalArgumentException("unknown flags " + Integer.toBinaryString(flags));
        }
        this.key = key;
        this.timeFlowEndMs = timeFlowEndMs;
        this.flags = flags;
        this.agentHigh = agentHigh;
        this.agentLow = agentLow;
        this.fingerprint = fingerprint;
        this.row = row;
        this.record = record;
    }

    /** The dedup state key: {@link io.github.netobservch.enrich.FlowKeyHashSelector}'s key of the record. */
    public long key() {
        return key;
    }

    /** {@code TimeFlowEndMs}: the partition the row goes to, and the event time without a stream timestamp. */
    public long timeFlowEndMs() {
        return timeFlowEndMs;
    }

    /**
     * The RowBinary row of the {@code flows} table (do not modify). Empty for a same-node copy on its
     * way to reporter-election dedup, which drops it unread.
     */
    public byte[] row() {
        byte[] b = row;
        if (b == null) {
            b = FlowRows.encode(record);
            row = b;
        }
        return b;
    }

    /** The record this row was built from, while its bytes are not made yet; else null. */
    FlowRecord unencoded() {
        return row == null ? record : null;
    }

    int flags() {
        return flags;
    }

    long agentHigh() {
        return agentHigh;
    }

    long agentLow() {
        return agentLow;
    }

    long fingerprint() {
        return fingerprint;
    }

    /** What {@link io.github.netobservch.dedup.ReporterElection} reads from a row. */
    public static final DedupFacts<FlowRow> FACTS = new Facts();

    private static final class Facts implements DedupFacts<FlowRow> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean isSameNodeCopy(FlowRow r) {
            return (r.flags & SAME_NODE_COPY) != 0;
        }

        @Override
        public boolean isPreferred(FlowRow r) {
            return (r.flags & PREFERRED) != 0;
        }

        @Override
        public boolean isUnmarkedEra(FlowRow r) {
            return (r.flags & UNMARKED_ERA) != 0;
        }

        @Override
        public boolean isConversation(FlowRow r) {
            return (r.flags & CONVERSATION) != 0;
        }

        @Override
        public long fingerprint(FlowRow r) {
            return r.fingerprint;
        }

        @Override
        public long agentHigh(FlowRow r) {
            return r.agentHigh;
        }

        @Override
        public long agentLow(FlowRow r) {
            return r.agentLow;
        }

        @Override
        public long timeFlowEndMs(FlowRow r) {
            return r.timeFlowEndMs;
        }

        private Object readResolve() {
            return FACTS;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FlowRow r
                && key == r.key
                && timeFlowEndMs == r.timeFlowEndMs
                && flags == r.flags
                && agentHigh == r.agentHigh
                && agentLow == r.agentLow
                && fingerprint == r.fingerprint
                && Arrays.equals(row(), r.row());
    }

    @Override
    public int hashCode() {
        return Long.hashCode(key) * 31 + Arrays.hashCode(row());
    }

    @Override
    public String toString() {
        return "FlowRow(key=" + Long.toHexString(key) + ", timeFlowEndMs=" + timeFlowEndMs + ", flags=" + flags + ", "
                + (row == null ? "not encoded yet)" : row.length + " bytes)");
    }
}
