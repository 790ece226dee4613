package io.github.netobservch.enrich;

import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowRecord;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * {@code keyBy(new FlowKeyHashSelector())}: keys records by the 64-bit {@link FlowKey#hash64()}
 * (the {@code flow_key_hash} column when enriched), the compact choice for large dedup state.
 * Conversation records get a key of their own ({@link FlowKey#conversationStateKey}), so they
 * never share state with the flow logs of their 7-tuple.
 */
public final class FlowKeyHashSelector implements KeySelector<FlowRecord, Long> {
    private static final long serialVersionUID = 1L;

    @Override
    public Long getKey(FlowRecord r) {
        return keyOf(r);
    }

    /** {@link #getKey} without the box. */
    public static long keyOf(FlowRecord r) {
        long h = r.has(ColumnRegistry.FLOW_KEY_HASH) ? r.getLong(ColumnRegistry.FLOW_KEY_HASH) : FlowKey.hashOf(r);
        return FlowKey.isConversationRecord(r) ? FlowKey.conversationStateKey(h) : h;
    }
}
