package io.github.netobservch.pipeline;

import io.github.netobservch.config.PipelineConfig;
import io.github.netobservch.dedup.DedupStage;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.parse.DeadLetter;
import io.github.netobservch.parse.FlowParseFunction;
import io.github.netobservch.parse.KafkaMessage;
import io.github.netobservch.rows.FlowRow;
import io.github.netobservch.rows.FlowRowStage;
import java.util.Optional;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The job's data path, from raw Kafka messages to the two sinks:
 *
 * <pre>
 * source → parse + enrich ──(dead letters)──→ dead-letter sink(s)
 *            → event time (TimeFlowEndMs) → dedup (keyed by flow key) → flows sink
 * </pre>
 *
 * <p>The same factory runs in {@code main}, on the MiniCluster in tests, in the local demo and in
 * the benchmark; only the source and sinks differ. It never calls {@code execute()}. Every
 * stateful operator has a fixed uid (see {@link Uids}) so savepoints survive upgrades.
 */
public final class FlowPipeline {

    /** Operator uids; renaming one orphans its state in existing savepoints. */
    public static final class Uids {
        public static final String SOURCE = FlowSources.SOURCE_UID;
        public static final String PARSE = FlowParseFunction.UID;
        public static final String ROWS = FlowRowStage.ROWS_UID;
        public static final String DEDUP = DedupStage.UID;
        public static final String FLOWS_SINK = "clickhouse-flows-sink";
        public static final String DEAD_LETTER_SINK = "clickhouse-dead-letter-sink";
        public static final String DEAD_LETTER_TOPIC_SINK = "kafka-dead-letter-sink";

        private Uids() {}
    }

    /** Where the pipeline writes. */
    public record Sinks(Sink<FlowRow> flows, Sink<DeadLetter> deadLetters, Optional<Sink<DeadLetter>> deadLetterTopic) {
        public Sinks(Sink<FlowRow> flows, Sink<DeadLetter> deadLetters) {
            this(flows, deadLetters, Optional.empty());
        }
    }

    /** The streams the pipeline built, for tests that want to observe them. */
    public record Streams(
            DataStream<FlowRecord> parsed, DataStream<FlowRow> deduplicated, DataStream<DeadLetter> deadLetters) {}

    private FlowPipeline() {}

    /**
     * The source's event time: read from the raw message ({@link RawFlowEndTime}), so the KafkaSource
     * keeps one watermark (and one idleness timer) per partition and emits their minimum.
     */
    public static WatermarkStrategy<KafkaMessage> eventTime(PipelineConfig config) {
        return WatermarkStrategy.<KafkaMessage>forBoundedOutOfOrderness(config.maxOutOfOrderness())
                .withTimestampAssigner(RawFlowEndTime.bounded(config.maxAheadOfKafka()))
                .withIdleness(config.idleness());
    }

    public static Streams build(
            StreamExecutionEnvironment env, Source<KafkaMessage, ?, ?> source, Sinks sinks, PipelineConfig config) {
        return build(env, source, sinks, config, true);
    }

    /**
     * {@code watermarksPerPartition = false} builds the pipeline as it was before event time moved
     * into the source — timestamps assigned after parsing, one watermark per parse subtask — only so
     * that {@code PerPartitionWatermarkITCase} can show, with this very builder, what the per-partition
     * watermarks prevent. The job always uses {@code true}.
     */
    static Streams build(
            StreamExecutionEnvironment env,
            Source<KafkaMessage, ?, ?> source,
            Sinks sinks,
            PipelineConfig config,
            boolean watermarksPerPartition) {
        // Chained operators hand each other their records without a defensive copy (by default Flink
        // copies every record between chained operators through its serializer: the Kafka message,
        // 1 KB of bytes, into the parser, each record into the row encoder and each row into the sink
        // writer). Safe here: every operator of this pipeline emits a new object per record and none
        // changes or keeps a record it received or emitted, except dedup's held rows, which it
        // received over the network (never reused) and only reads (rows are immutable).
        env.getConfig().enableObjectReuse();

        DataStream<KafkaMessage> messages = env.fromSource(
                        source,
                        watermarksPerPartition ? eventTime(config) : WatermarkStrategy.noWatermarks(),
                        "kafka: flows")
                .uid(Uids.SOURCE);

        // Parsed records and dead letters keep their message's timestamp.
        SingleOutputStreamOperator<FlowRecord> parsed = messages.process(
                        new FlowParseFunction(config.parser()), FlowParseFunction.OUTPUT_TYPE)
                .uid(Uids.PARSE)
                .name("parse + enrich");
        DataStream<DeadLetter> deadLetters = parsed.getSideOutput(FlowParseFunction.DEAD_LETTERS);

        DataStream<FlowRecord> timed = watermarksPerPartition
                ? parsed
                : parsed.assignTimestampsAndWatermarks(
                        WatermarkStrategy.<FlowRecord>forBoundedOutOfOrderness(config.maxOutOfOrderness())
                                .withTimestampAssigner((record, ts) ->
                                        record.getLong(io.github.netobservch.format.ColumnRegistry.TIME_FLOW_END_MS))
                                .withIdleness(config.idleness()));
        DataStream<FlowRow> deduplicated = FlowRowStage.apply(timed, config.dedup());

        deduplicated.sinkTo(sinks.flows()).uid(Uids.FLOWS_SINK).name("clickhouse: flows");
        deadLetters.sinkTo(sinks.deadLetters()).uid(Uids.DEAD_LETTER_SINK).name("clickhouse: dead letters");
        sinks.deadLetterTopic().ifPresent(topicSink -> deadLetters
                .sinkTo(topicSink)
                .uid(Uids.DEAD_LETTER_TOPIC_SINK)
                .name("kafka: dead letters"));
        return new Streams(parsed, deduplicated, deadLetters);
    }
}
