package io.github.netobservch.dedup;

import static io.github.netobservch.format.ColumnRegistry.TIME_FLOW_END_MS;

import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.generate.FlowGenerator;
import io.github.netobservch.generate.GeneratedMessage;
import io.github.netobservch.generate.GeneratorConfig;
import io.github.netobservch.parse.FlowParseFunction;
import io.github.netobservch.parse.KafkaMessage;
import io.github.netobservch.parse.ParserConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Generator → parse → event time → {@link DedupStage} on a MiniCluster with parallelism 2 (so
 * the keyBy shuffle is real): the collected records are exactly the generator's counted messages.
 */
@org.junit.jupiter.api.Timeout(300)
class DedupStageITCase {

    private static final int MESSAGES = 6_000;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    @Test
    void reporterElectionOnTwoSubtasksKeepsExactlyTheCountedMessages() throws Exception {
        List<GeneratedMessage> generated = FlowGenerator.generate(
                GeneratorConfig.builder(11L)
                        .recordsPerSecond(200)
                        .resendShare(0.03)
                        .legacyShare(0.2)
                        .invalidShare(0.02)
                        .build(),
                MESSAGES + 50);
        // cut after a canonical record so no egress copy is left without its sibling (see DedupGeneratorTest)
        int n = MESSAGES;
        while (!generated.get(n - 1).counts()) {
            n++;
        }
        List<GeneratedMessage> messages = generated.subList(0, n);
        List<KafkaMessage> input = new ArrayList<>();
        for (GeneratedMessage m : messages) {
            input.add(m.toKafkaMessage("flows-export", 1, 1754040000000L)); // offset = index
        }

        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        SingleOutputStreamOperator<FlowRecord> parsed = env.fromData(input, TypeInformation.of(KafkaMessage.class))
                .rebalance()
                .process(new FlowParseFunction(ParserConfig.defaults()))
                .uid(FlowParseFunction.UID);
        DataStream<FlowRecord> timed = parsed.assignTimestampsAndWatermarks(
                WatermarkStrategy.<FlowRecord>forBoundedOutOfOrderness(Duration.ofSeconds(20))
                        .withTimestampAssigner((r, t) -> r.getLong(TIME_FLOW_END_MS))
                        .withIdleness(Duration.ofSeconds(30)));
        SingleOutputStreamOperator<FlowRecord> deduped = DedupStage.apply(timed, DedupConfig.defaults());

        List<FlowRecord> kept = new ArrayList<>();
        try (CloseableIterator<FlowRecord> it = deduped.executeAndCollect("dedup-it")) {
            it.forEachRemaining(kept::add);
        }
        DedupGeneratorTest.assertExactlyTheCountedMessages(messages, kept);
    }
}
