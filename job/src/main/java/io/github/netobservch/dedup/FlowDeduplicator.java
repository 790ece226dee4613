package io.github.netobservch.dedup;

import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.format.FlowRecordTypeInfo;

/**
 * {@link ReporterElection} on {@link FlowRecord}s (the rules, state and metrics are described
 * there): held records are kept as {@link FlowRecord}s under {@link ReporterElection#HELD_NAME},
 * with the versioned {@link FlowRecordTypeInfo} serializer. Use it through {@link DedupStage#apply}.
 */
public class FlowDeduplicator extends ReporterElection<FlowRecord> {

    private static final long serialVersionUID = 2L;

    public FlowDeduplicator(DedupConfig config) {
        super(config, DedupFacts.RECORDS, FlowRecordTypeInfo.INSTANCE, HELD_NAME, null);
    }
}
