package io.github.netobservch.enrich;

import io.github.netobservch.format.FlowRecord;
import org.apache.flink.api.java.functions.KeySelector;

/** {@code keyBy(new FlowKeySelector())}: keys records by their exact {@link FlowKey}. */
public final class FlowKeySelector implements KeySelector<FlowRecord, FlowKey> {
    private static final long serialVersionUID = 1L;

    @Override
    public FlowKey getKey(FlowRecord r) {
        return FlowKey.of(r);
    }
}
