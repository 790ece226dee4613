package io.github.netobservch.dedup;

import static io.github.netobservch.dedup.DedupTestSupport.egress;
import static io.github.netobservch.dedup.DedupTestSupport.end;
import static io.github.netobservch.dedup.DedupTestSupport.ingress;
import static io.github.netobservch.format.ColumnRegistry.DUPLICATE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.netobservch.enrich.FlowEnricher;
import io.github.netobservch.format.FlowFixtures;
import io.github.netobservch.format.FlowRecord;
import java.util.List;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** The stateless modes {@code console-rule} and {@code off}. */
class StatelessDedupFunctionTest {

    private static List<FlowRecord> input() {
        FlowRecord duplicateCopy = FlowEnricher.enrich(FlowFixtures.parse("legacy-1.5"));
        duplicateCopy.setBool(DUPLICATE, true);
        FlowRecord serviceEgress =
                FlowEnricher.enrich(FlowFixtures.parse("example2")); // egress to a Service: canonical
        FlowRecord nodeEgress = FlowEnricher.enrich(FlowFixtures.parse("example3")); // egress to a Node: not canonical
        return List.of(ingress(0), egress(0), ingress(0), duplicateCopy, serviceEgress, nodeEgress);
    }

    private static List<FlowRecord> run(StatelessDedupFunction f) throws Exception {
        try (OneInputStreamOperatorTestHarness<FlowRecord, FlowRecord> h =
                ProcessFunctionTestHarnesses.forProcessFunction(f)) {
            for (FlowRecord r : input()) {
                h.processElement(r, end(r));
            }
            return h.extractOutputValues();
        }
    }

    @Test
    void consoleRuleKeepsCanonicalRecordsOnlyAndNoState() throws Exception {
        StatelessDedupFunction f = new StatelessDedupFunction(DedupMode.CONSOLE_RULE);
        List<FlowRecord> in = input();
        // the re-send of ingress(0) passes: console-rule has no state
        assertThat(run(f)).containsExactly(in.get(0), in.get(2), in.get(4));
        assertThat(f.metrics().kept()).isEqualTo(3);
        assertThat(f.metrics().droppedCrossReporter()).isEqualTo(2);
        assertThat(f.metrics().droppedSameNodeCopy()).isEqualTo(1);
        assertThat(f.metrics().droppedExactResend()).isZero();
    }

    @Test
    void offPassesEverything() throws Exception {
        StatelessDedupFunction f = new StatelessDedupFunction(DedupMode.OFF);
        assertThat(run(f)).containsExactlyElementsOf(input());
        assertThat(f.metrics().kept()).isEqualTo(6);
        assertThat(f.metrics().droppedCrossReporter() + f.metrics().droppedSameNodeCopy())
                .isZero();
    }

    @Test
    void reporterElectionIsNotStateless() {
        assertThatThrownBy(() -> new StatelessDedupFunction(DedupMode.REPORTER_ELECTION))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
