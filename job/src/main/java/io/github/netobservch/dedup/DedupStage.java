package io.github.netobservch.dedup;

import io.github.netobservch.enrich.FlowKeyHashSelector;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.format.FlowRecordTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Dedup on {@link FlowRecord}s, after parse + enrich (the job itself deduplicates encoded rows with
 * the same operator: {@code io.github.netobservch.rows.FlowRowStage}, which also uses this class's
 * stateless modes and {@link #UID}). Needs event time: the
 * pipeline assigns it in the Kafka source, per partition ({@code RawFlowEndTime}); a stream without
 * source timestamps can assign them here instead, e.g.
 *
 * <pre>{@code
 * DataStream<FlowRecord> flows = parsed.assignTimestampsAndWatermarks(
 *         WatermarkStrategy.<FlowRecord>forBoundedOutOfOrderness(Duration.ofSeconds(20))
 *                 .withTimestampAssigner((r, t) -> r.getLong(ColumnRegistry.TIME_FLOW_END_MS))
 *                 .withIdleness(Duration.ofMinutes(1)));
 * SingleOutputStreamOperator<FlowRecord> deduped = DedupStage.apply(flows, jobConfig.dedup());
 * }</pre>
 *
 * (one watermark per subtask then: a partition read far ahead of another can expire keys early).
 *
 * <ul>
 *   <li>{@link DedupMode#REPORTER_ELECTION}: {@code keyBy(FlowKeyHashSelector)} (64-bit hash of
 *       cluster + 7-tuple, the compact state key) → {@link FlowDeduplicator}. Needs event time
 *       (timestamps + watermarks); without watermarks held records and state are only released by
 *       the end-of-input watermark.
 *   <li>{@link DedupMode#CONSOLE_RULE} / {@link DedupMode#OFF}: {@link StatelessDedupFunction},
 *       chained, no keyBy.
 * </ul>
 *
 * <p>Every mode uses the uid {@link #UID}. Switching from reporter-election to a stateless mode on
 * a savepoint leaves its keyed state unclaimed ({@code --allowNonRestoredState}); switching back
 * starts with empty dedup state (a few duplicates during the first window).
 */
public final class DedupStage {

    /** Stable operator uid (savepoint compatibility). */
    public static final String UID = "flow-dedup";

    private DedupStage() {}

    public static SingleOutputStreamOperator<FlowRecord> apply(DataStream<FlowRecord> flows, DedupConfig config) {
        switch (config.mode()) {
            case REPORTER_ELECTION:
                return flows.keyBy(new FlowKeyHashSelector(), Types.LONG)
                        .transform(
                                "dedup (reporter election)", FlowRecordTypeInfo.INSTANCE, new FlowDeduplicator(config))
                        .uid(UID);
            case CONSOLE_RULE:
            case OFF:
                return flows.process(new StatelessDedupFunction(config.mode()), FlowRecordTypeInfo.INSTANCE)
                        .uid(UID)
                        .name("dedup (" + config.mode().code() + ")");
            default:
                throw new IllegalStateException(config.mode().name());
        }
    }
}
