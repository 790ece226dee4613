package io.github.netobservch.parse;

import io.github.netobservch.enrich.FlowEnricher;
import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.format.FlowRecordTypeInfo;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * {@link KafkaMessage} → {@link FlowRecord} (parsed, and enriched unless disabled); anything that
 * is not a valid flow record goes to the {@link #DEAD_LETTERS} side output with a stable reason.
 * Never throws on bad input, so a poison message cannot fail the job.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<FlowRecord> flows = env
 *         .fromSource(kafkaSource, WatermarkStrategy.noWatermarks(), "flows-export")
 *         .process(new FlowParseFunction(ParserConfig.defaults()))
 *         .returns(FlowRecordTypeInfo.INSTANCE)            // optional: inferred via @TypeInfo
 *         .uid(FlowParseFunction.UID).name("parse + enrich");
 * DataStream<DeadLetter> deadLetters = flows.getSideOutput(FlowParseFunction.DEAD_LETTERS);
 * flows.keyBy(new FlowKeySelector())...
 * }</pre>
 *
 * <p>Metrics (operator group): {@code flowParse.recordsParsed}; {@code
 * flowParse.reason.<CODE>.deadLetters} — one counter per {@link DeadLetterReason}, registered up
 * front so every reason reports 0 until it happens (reporters with labels see {@code reason} as a
 * label); {@code flowParse.field.<Field>.reason.<REASON>.fieldWarnings} — flows loaded with an
 * optional field left empty because its value did not fit (field drift, see {@link FlowParser}),
 * registered when a field first drifts.
 */
public class FlowParseFunction extends ProcessFunction<KafkaMessage, FlowRecord> {

    private static final long serialVersionUID = 1L;

    /** Stable operator uid for savepoint compatibility. */
    public static final String UID = "flow-parse";

    public static final String METRIC_GROUP = "flowParse";
    public static final String METRIC_REASON_KEY = "reason";
    public static final String METRIC_DEAD_LETTERS = "deadLetters";
    public static final String METRIC_PARSED = "recordsParsed";
    public static final String METRIC_FIELD_KEY = "field";
    public static final String METRIC_FIELD_WARNINGS = "fieldWarnings";

    /** Side output for rejected messages. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    /** Main output type (equal to what Flink infers from {@code @TypeInfo}). */
    public static final TypeInformation<FlowRecord> OUTPUT_TYPE = FlowRecordTypeInfo.INSTANCE;

    private final ParserConfig config;

    private transient FlowParser parser;
    private transient Map<DeadLetterReason, Counter> deadLetterCounters;
    private transient Counter parsedCounter;
    private transient MetricGroup group;
    /** Per {@code Field:REASON} warning, created on first use (a field that never drifts has no counter). */
    private transient Map<String, Counter> warningCounters;

    public FlowParseFunction(ParserConfig config) {
        this.config = config;
    }

    public FlowParseFunction() {
        this(ParserConfig.defaults());
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        parser = new FlowParser(config);
        group = getRuntimeContext().getMetricGroup().addGroup(METRIC_GROUP);
        warningCounters = new HashMap<>();
        parsedCounter = group.counter(METRIC_PARSED);
        deadLetterCounters = new EnumMap<>(DeadLetterReason.class);
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            deadLetterCounters.put(
                    reason, group.addGroup(METRIC_REASON_KEY, reason.code()).counter(METRIC_DEAD_LETTERS));
        }
    }

    @Override
    public void processElement(KafkaMessage message, Context ctx, Collector<FlowRecord> out) {
        FlowRecord record;
        try {
            record = parser.parse(message);
            if (config.enrich()) {
                FlowEnricher.enrich(record);
            }
        } catch (FlowParseException e) {
            reject(e.reason(), e.getMessage(), e.field(), message, ctx);
            return;
        } catch (RuntimeException e) {
            reject(DeadLetterReason.INTERNAL_ERROR, e.toString(), null, message, ctx);
            return;
        }
        parsedCounter.inc();
        if (record.has(ColumnRegistry.PARSE_WARNINGS)) {
            for (String warning : record.getStrings(ColumnRegistry.PARSE_WARNINGS)) {
                warningCounter(warning).inc();
            }
        }
        out.collect(record);
    }

    private void reject(DeadLetterReason reason, String text, String field, KafkaMessage message, Context ctx) {
        deadLetterCounters.get(reason).inc();
        long now = ctx.timerService().currentProcessingTime();
        ctx.output(DEAD_LETTERS, DeadLetter.of(reason, text, field, message, now, config.maxDeadLetterPayloadBytes()));
    }

    private Counter warningCounter(String warning) {
        Counter c = warningCounters.get(warning);
        if (c == null) {
            int colon = warning.lastIndexOf(':');
            c = group.addGroup(METRIC_FIELD_KEY, warning.substring(0, colon))
                    .addGroup(METRIC_REASON_KEY, warning.substring(colon + 1))
                    .counter(METRIC_FIELD_WARNINGS);
            warningCounters.put(warning, c);
        }
        return c;
    }

    /** Parse warnings ({@code Field:REASON}) counted by this instance (tests, diagnostics). */
    public long fieldWarningCount(String warning) {
        Counter c = warningCounters.get(warning);
        return c == null ? 0 : c.getCount();
    }

    /** Current value of a reason's counter in this instance (tests, diagnostics). */
    public long deadLetterCount(DeadLetterReason reason) {
        return deadLetterCounters.get(reason).getCount();
    }

    /** Records emitted by this instance. */
    public long parsedCount() {
        return parsedCounter.getCount();
    }
}
