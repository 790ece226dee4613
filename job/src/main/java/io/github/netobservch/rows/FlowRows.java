package io.github.netobservch.rows;

import static io.github.netobservch.format.ColumnRegistry.AGENT_IP;
import static io.github.netobservch.format.ColumnRegistry.TIME_FLOW_END_MS;

import io.github.netobservch.dedup.DedupRules;
import io.github.netobservch.enrich.FlowKeyHashSelector;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.sink.RowBinaryWriter;
import org.apache.flink.api.common.functions.MapFunction;

/** Turns {@link FlowRecord}s into {@link FlowRow}s: the {@code flows} row, and the dedup facts when asked. */
public final class FlowRows {

    private FlowRows() {}

    /** The row of a record without dedup facts (the stateless dedup modes, after dedup). */
    public static FlowRow plain(FlowRecord r) {
        return new FlowRow(0, r.getLong(TIME_FLOW_END_MS), 0, 0, 0, 0, r);
    }

    /** The row of a record with the facts {@link io.github.netobservch.dedup.ReporterElection} reads. */
    public static FlowRow withDedupFacts(FlowRecord r) {
        long key = FlowKeyHashSelector.keyOf(r);
        long time = r.getLong(TIME_FLOW_END_MS);
        if (DedupRules.isSameNodeCopy(r)) {
            // dropped unread by the dedup: neither encoded nor fingerprinted
            return new FlowRow(key, time, FlowRow.SAME_NODE_COPY, 0, 0, 0, (byte[]) null);
        }
        int flags = 0;
        if (DedupRules.isPreferred(r)) {
            flags |= FlowRow.PREFERRED;
        }
        if (DedupRules.isUnmarkedEra(r)) {
            flags |= FlowRow.UNMARKED_ERA;
        }
        if (DedupRules.isConversation(r)) {
            flags |= FlowRow.CONVERSATION;
        }
        return new FlowRow(key, time, flags, r.ipHigh(AGENT_IP), r.ipLow(AGENT_IP), DedupRules.fingerprint(r), r);
    }

    /** The record's {@code flows} row ({@link FlowRowEncoder}). */
    static byte[] encode(FlowRecord r) {
        RowBinaryWriter buffer = new RowBinaryWriter(2048);
        encode(r, buffer);
        return buffer.toByteArray();
    }

    private static final FlowRowEncoder ENCODER = new FlowRowEncoder();

    /** Appends the record's {@code flows} row to {@code out}. */
    static void encode(FlowRecord r, RowBinaryWriter out) {
        try {
            ENCODER.encode(r, out);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "cannot encode a flow record as a row of the flows table; validate records before the sink", e);
        }
    }

    /**
     * {@code map} from records to rows, in the parser's task (chained): with {@code dedupFacts}, the
     * rows of reporter-election dedup (its key and facts; same-node copies go unencoded, the dedup
     * drops them), else plain rows. Rows are encoded where their bytes are needed ({@link FlowRow}).
     */
    public static MapFunction<FlowRecord, FlowRow> mapper(boolean dedupFacts) {
        return dedupFacts ? FlowRows::withDedupFacts : FlowRows::plain;
    }
}
