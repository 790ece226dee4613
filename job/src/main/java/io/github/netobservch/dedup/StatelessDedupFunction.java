package io.github.netobservch.dedup;

import io.github.netobservch.format.FlowRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The stateless modes of {@link DedupStage}, no keyBy:
 *
 * <ul>
 *   <li>{@link DedupMode#CONSOLE_RULE}: drops {@code Duplicate=true} copies ({@code
 *       dropped.sameNodeCopy}) and records that are not {@code is_canonical} ({@code
 *       dropped.crossReporter}), exactly the NetObserv console's topology/metrics rule. Exact
 *       re-sends pass (no state), and a flow whose canonical reporter has no agent is lost.
 *       Conversation records are not flow reports and always pass.
 *   <li>{@link DedupMode#OFF}: every record passes ({@code kept}); {@code is_canonical} and
 *       {@code Duplicate} stay available to queries.
 * </ul>
 */
public class StatelessDedupFunction extends ProcessFunction<FlowRecord, FlowRecord> {

    private static final long serialVersionUID = 1L;

    private final DedupMode mode;
    private transient DedupMetrics metrics;

    public StatelessDedupFunction(DedupMode mode) {
        if (mode == DedupMode.REPORTER_ELECTION) {
            throw new IllegalArgumentException("reporter-election is stateful: use FlowDeduplicator");
        }
        this.mode = mode;
    }

    @Override
    public void open(OpenContext openContext) {
        metrics = new DedupMetrics(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(FlowRecord r, Context ctx, Collector<FlowRecord> out) {
        if (mode == DedupMode.CONSOLE_RULE) {
            if (DedupRules.isSameNodeCopy(r)) {
                metrics.sameNodeCopy.inc();
                return;
            }
            if (!DedupRules.isConversation(r) && !DedupRules.isPreferred(r)) {
                metrics.crossReporter.inc();
                return;
            }
        }
        metrics.kept.inc();
        out.collect(r);
    }

    public DedupMode mode() {
        return mode;
    }

    /** Counters of this instance (tests, diagnostics). */
    public DedupMetrics metrics() {
        return metrics;
    }
}
