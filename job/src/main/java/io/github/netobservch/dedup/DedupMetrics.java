package io.github.netobservch.dedup;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Counters of the dedup stage, under the operator's {@code flowDedup} group: {@code kept}, {@code
 * heldThenEmitted} (a subset of {@code kept}), {@code electedFallback} (keys that elected a
 * non-preferred reporter after the wait), {@code dropped.crossReporter}, {@code
 * dropped.exactResend}, {@code dropped.sameNodeCopy}. Every input record ends in exactly one of
 * {@code kept} and the three {@code dropped.*} counters (once its wait, if any, is over). {@link
 * FlowDeduplicator} also counts {@code keysSwept}: keys cleared by the stalled-watermark safety net
 * (not written for the state TTL, {@link DedupConfig#DEFAULT_STATE_TTL}; always 0 in the stateless modes).
 */
public final class DedupMetrics {

    public static final String GROUP = "flowDedup";
    public static final String KEPT = "kept";
    public static final String HELD_THEN_EMITTED = "heldThenEmitted";
    public static final String ELECTED_FALLBACK = "electedFallback";
    public static final String DROPPED = "dropped";
    public static final String CROSS_REPORTER = "crossReporter";
    public static final String EXACT_RESEND = "exactResend";
    public static final String SAME_NODE_COPY = "sameNodeCopy";
    /** Gauge of live flow keys (per subtask), {@link FlowDeduplicator} only. */
    public static final String LIVE_KEYS = "liveKeys";
    /** Keys cleared by the safety net for a stalled watermark ({@link FlowDeduplicator}; 0 elsewhere). */
    public static final String KEYS_SWEPT = "keysSwept";

    final MetricGroup group;
    final Counter kept;
    final Counter heldThenEmitted;
    final Counter electedFallback;
    final Counter crossReporter;
    final Counter exactResend;
    final Counter sameNodeCopy;
    final Counter keysSwept;

    DedupMetrics(MetricGroup operatorGroup) {
        this.group = operatorGroup.addGroup(GROUP);
        this.kept = group.counter(KEPT);
        this.heldThenEmitted = group.counter(HELD_THEN_EMITTED);
        this.electedFallback = group.counter(ELECTED_FALLBACK);
        MetricGroup dropped = group.addGroup(DROPPED);
        this.crossReporter = dropped.counter(CROSS_REPORTER);
        this.exactResend = dropped.counter(EXACT_RESEND);
        this.sameNodeCopy = dropped.counter(SAME_NODE_COPY);
        this.keysSwept = group.counter(KEYS_SWEPT);
    }

    public long kept() {
        return kept.getCount();
    }

    public long heldThenEmitted() {
        return heldThenEmitted.getCount();
    }

    public long electedFallback() {
        return electedFallback.getCount();
    }

    public long droppedCrossReporter() {
        return crossReporter.getCount();
    }

    public long droppedExactResend() {
        return exactResend.getCount();
    }

    public long droppedSameNodeCopy() {
        return sameNodeCopy.getCount();
    }

    public long keysSwept() {
        return keysSwept.getCount();
    }

    @Override
    public String toString() {
        return "kept=" + kept() + " (heldThenEmitted=" + heldThenEmitted() + ", electedFallback=" + electedFallback()
                + ") dropped: crossReporter=" + droppedCrossReporter() + " exactResend=" + droppedExactResend()
                + " sameNodeCopy=" + droppedSameNodeCopy();
    }
}
