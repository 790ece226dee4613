package io.github.netobservch.rows;

import io.github.netobservch.dedup.DedupConfig;
import io.github.netobservch.dedup.DedupStage;
import io.github.netobservch.dedup.ReporterElection;
import io.github.netobservch.format.FlowRecord;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The job's dedup stage: parsed records in, deduplicated {@code flows} rows out.
 *
 * <ul>
 *   <li>Reporter election: each record is encoded in the parser's task, with its dedup key and
 *       facts ({@link FlowRows#mapper}), crosses the {@code keyBy} shuffle as a {@link FlowRow} and
 *       goes through {@link ReporterElection} on rows — the same rules, state and timers as {@link
 *       DedupStage}'s {@code FlowDeduplicator}; held rows are kept under {@link #HELD_NAME}, and the
 *       records a savepoint of an earlier version holds under {@code "dedup-held"} are encoded when
 *       they are released.
 *   <li>Stateless modes: {@link DedupStage#apply} (chained), then the rows.
 * </ul>
 */
public final class FlowRowStage {

    /** The encoding step's uid (stateless). */
    public static final String ROWS_UID = "flow-rows";
    /** Dedup's held rows (earlier versions held records under {@code "dedup-held"}). */
    public static final String HELD_NAME = "dedup-held-rows";

    private FlowRowStage() {}

    public static SingleOutputStreamOperator<FlowRow> apply(DataStream<FlowRecord> flows, DedupConfig config) {
        switch (config.mode()) {
            case REPORTER_ELECTION:
                return flows.map(FlowRows.mapper(true), FlowRowTypeInfo.INSTANCE)
                        .uid(ROWS_UID)
                        .name("encode rows")
                        .keyBy(new RowKey(), Types.LONG)
                        .transform("dedup (reporter election)", FlowRowTypeInfo.INSTANCE, deduplicator(config))
                        .uid(DedupStage.UID);
            case CONSOLE_RULE:
            case OFF:
                return DedupStage.apply(flows, config)
                        .map(FlowRows.mapper(false), FlowRowTypeInfo.INSTANCE)
                        .uid(ROWS_UID)
                        .name("encode rows");
            default:
                throw new IllegalStateException(config.mode().name());
        }
    }

    /** Reporter election on rows (the operator {@link #apply} builds). */
    public static ReporterElection<FlowRow> deduplicator(DedupConfig config) {
        return new ReporterElection<>(
                config, FlowRow.FACTS, FlowRowTypeInfo.INSTANCE, HELD_NAME, FlowRows::withDedupFacts);
    }

    /** The row's dedup key. */
    public static final class RowKey implements KeySelector<FlowRow, Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public Long getKey(FlowRow row) {
            return row.key();
        }
    }
}
