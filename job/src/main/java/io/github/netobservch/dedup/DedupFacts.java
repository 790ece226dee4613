package io.github.netobservch.dedup;

import static io.github.netobservch.format.ColumnRegistry.AGENT_IP;

import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowRecord;
import java.io.Serializable;

/**
 * What {@link ReporterElection} reads from a record: the few facts its rules need. A record type
 * that crosses the dedup shuffle in another form than {@link FlowRecord} (the pipeline's encoded
 * rows) computes them before the shuffle with {@link DedupRules} and carries them; {@link #RECORDS}
 * computes them from a {@link FlowRecord} when asked.
 *
 * @param <T> the record type
 */
public interface DedupFacts<T> extends Serializable {

    /** {@link DedupRules#isSameNodeCopy}. */
    boolean isSameNodeCopy(T r);

    /** {@link DedupRules#isPreferred}. */
    boolean isPreferred(T r);

    /** {@link DedupRules#isUnmarkedEra}. */
    boolean isUnmarkedEra(T r);

    /** {@link DedupRules#isConversation}. */
    boolean isConversation(T r);

    /** {@link DedupRules#fingerprint}. */
    long fingerprint(T r);

    /** The reporter's address ({@code AgentIP}), first 8 bytes. */
    long agentHigh(T r);

    /** The reporter's address ({@code AgentIP}), last 8 bytes. */
    long agentLow(T r);

    /** {@code TimeFlowEndMs}: the event time of a record without a stream timestamp. */
    long timeFlowEndMs(T r);

    /** The facts of a {@link FlowRecord}, computed on each call. */
    DedupFacts<FlowRecord> RECORDS = new RecordFacts();

    /** {@link #RECORDS}. */
    final class RecordFacts implements DedupFacts<FlowRecord> {
        private static final long serialVersionUID = 1L;

        private RecordFacts() {}

        @Override
        public boolean isSameNodeCopy(FlowRecord r) {
            return DedupRules.isSameNodeCopy(r);
        }

        @Override
        public boolean isPreferred(FlowRecord r) {
            return DedupRules.isPreferred(r);
        }

        @Override
        public boolean isUnmarkedEra(FlowRecord r) {
            return DedupRules.isUnmarkedEra(r);
        }

        @Override
        public boolean isConversation(FlowRecord r) {
            return DedupRules.isConversation(r);
        }

        @Override
        public long fingerprint(FlowRecord r) {
            return DedupRules.fingerprint(r);
        }

        @Override
        public long agentHigh(FlowRecord r) {
            return r.ipHigh(AGENT_IP);
        }

        @Override
        public long agentLow(FlowRecord r) {
            return r.ipLow(AGENT_IP);
        }

        @Override
        public long timeFlowEndMs(FlowRecord r) {
            return r.getLong(ColumnRegistry.TIME_FLOW_END_MS);
        }

        private Object readResolve() {
            return RECORDS;
        }
    }
}
