package io.github.netobservch.dedup;

import static io.github.netobservch.dedup.DedupTestSupport.MAX_WAIT_MS;
import static io.github.netobservch.dedup.DedupTestSupport.WINDOW_MS;
import static io.github.netobservch.dedup.DedupTestSupport.config;
import static io.github.netobservch.dedup.DedupTestSupport.end;
import static io.github.netobservch.dedup.DedupTestSupport.harness;
import static io.github.netobservch.dedup.DedupTestSupport.ingress;
import static io.github.netobservch.dedup.DedupTestSupport.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.enrich.FlowEnricher;
import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowFixtures;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.parse.FlowParser;
import io.github.netobservch.parse.ParserConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * {@link FlowDeduplicator} on the record shapes of real NetObserv deployments (hand-written in the
 * shapes of published captures): conversation records, partial reports of one flow, non-IP frames.
 * Each case runs next to the record that the old rules would have treated the same way, to show
 * the difference is the rule and not the setup.
 */
class RealRecordsDedupTest {

    private static FlowRecord parse(String json) throws Exception {
        return FlowEnricher.enrich(
                new FlowParser(ParserConfig.defaults()).parse(json.getBytes(StandardCharsets.UTF_8)));
    }

    private static FlowRecord fixture(String name) throws Exception {
        return parse(FlowFixtures.text(name));
    }

    /** The same record as a flow log: what the dedup treated every conversation record as. */
    private static FlowRecord asFlowLog(String name) throws Exception {
        return parse(
                FlowFixtures.text(name).replaceAll("\"_RecordType\": \"[a-zA-Z]+\"", "\"_RecordType\": \"flowLog\""));
    }

    @Test
    void conversationRecordsOfTheOtherNodeAreKeptWhenTheFlowLogsElectedThisOne() throws Exception {
        FlowDeduplicator f = new FlowDeduplicator(config());
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(f)) {
            FlowRecord flowLog = ingress(0); // the destination node's flow log elects 10.0.142.18 for the 7-tuple
            send(h, flowLog);
            List<FlowRecord> conversation = List.of(
                    fixture("conversation-new"), fixture("conversation-heartbeat"), fixture("conversation-end"));
            for (FlowRecord c : conversation) {
                assertThat(c.ipText(ColumnRegistry.AGENT_IP)).isEqualTo("10.0.131.7"); // the source node's FLP
                assertThat(c.getBool(ColumnRegistry.IS_CANONICAL)).isFalse();
                send(h, c);
            }
            h.processWatermark(end(conversation.get(2)) + MAX_WAIT_MS + WINDOW_MS + 1);
            assertThat(h.extractOutputValues())
                    .containsExactly(flowLog, conversation.get(0), conversation.get(1), conversation.get(2));
            assertThat(f.metrics().droppedCrossReporter()).isZero();
            assertThat(h.numKeyedStateEntries()).as("both keys expired").isZero();
        }
    }

    /** Negative control: the same three records as flow logs are second reports and are dropped. */
    @Test
    void theSameRecordsAsFlowLogsAreDroppedAsSecondReports() throws Exception {
        FlowDeduplicator f = new FlowDeduplicator(config());
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(f)) {
            send(h, ingress(0));
            for (String name : List.of("conversation-new", "conversation-heartbeat", "conversation-end")) {
                send(h, asFlowLog(name));
            }
            h.processWatermark(Long.MAX_VALUE);
            assertThat(h.extractOutputValues()).containsExactly(ingress(0));
            assertThat(f.metrics().droppedCrossReporter()).isEqualTo(3);
        }
    }

    @Test
    void onlyAnExactResendOfAConversationRecordIsDropped() throws Exception {
        FlowDeduplicator f = new FlowDeduplicator(config());
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(f)) {
            FlowRecord heartbeat = fixture("conversation-heartbeat");
            FlowRecord resent = fixture("conversation-heartbeat");
            resent.setLong(ColumnRegistry.KAFKA_OFFSET, 99); // another Kafka message, same record
            FlowRecord otherInstance = parse(
                    FlowFixtures.text("conversation-heartbeat").replace("\"_IsFirst\": false", "\"_IsFirst\": true"));
            send(h, heartbeat);
            send(h, resent);
            send(h, otherInstance);
            h.processWatermark(Long.MAX_VALUE);
            assertThat(h.extractOutputValues()).containsExactly(heartbeat, otherInstance);
            assertThat(f.metrics().droppedExactResend()).isEqualTo(1);
            assertThat(f.metrics().kept()).isEqualTo(2);
        }
    }

    @Test
    void twoPartialReportsOfOneFlowAreBothKeptAndTheirResendsDropped() throws Exception {
        FlowDeduplicator f = new FlowDeduplicator(config());
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(f)) {
            FlowRecord a = fixture("partial-1.6-a");
            FlowRecord b = fixture("partial-1.6-b");
            FlowRecord aAgain = parse(FlowFixtures.text("partial-1.6-a")
                    .replace("\"TimeReceived\":1754039998", "\"TimeReceived\":1754040031"));
            send(h, a);
            send(h, b);
            send(h, aAgain);
            h.processWatermark(Long.MAX_VALUE);
            assertThat(h.extractOutputValues()).containsExactly(a, b);
            assertThat(f.metrics().droppedExactResend()).isEqualTo(1);
            // the state holds one fingerprint per record kept, as before: 4 header longs + 2
            assertThat(f.metrics().kept()).isEqualTo(2);
        }
    }

    /**
     * Agents before 1.4 reported the same packets once per interface, unmarked (no {@code
     * Duplicate}, no {@code AgentIP}): the copy from the node's other interface is a same-node copy.
     */
    @Test
    void anUnmarkedPre14CopyFromAnotherInterfaceIsASameNodeCopy() throws Exception {
        FlowDeduplicator f = new FlowDeduplicator(config());
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(f)) {
            FlowRecord vxlan = fixture("legacy-2022-vxlan");
            FlowRecord veth = fixture("legacy-2022-veth");
            send(h, vxlan);
            send(h, veth);
            h.processWatermark(Long.MAX_VALUE);
            assertThat(h.extractOutputValues()).containsExactly(vxlan);
            assertThat(f.metrics().droppedSameNodeCopy()).isEqualTo(1);
            assertThat(f.metrics().droppedExactResend()).isZero();
        }
    }

    /** Negative control: records that name their node (1.4+) and differ in interface are two records. */
    @Test
    void recordsThatNameTheirNodeAndDifferInInterfaceAreBothKept() throws Exception {
        FlowDeduplicator f = new FlowDeduplicator(config());
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(f)) {
            FlowRecord vxlan =
                    parse(FlowFixtures.text("legacy-2022-vxlan").replace("{", "{\"AgentIP\":\"10.0.128.3\","));
            FlowRecord veth = parse(FlowFixtures.text("legacy-2022-veth").replace("{", "{\"AgentIP\":\"10.0.128.3\","));
            send(h, vxlan);
            send(h, veth);
            h.processWatermark(Long.MAX_VALUE);
            assertThat(h.extractOutputValues()).containsExactly(vxlan, veth);
        }
    }

    @Test
    void nonIpFramesAreDedupedByEthertypeAndMacs() throws Exception {
        FlowDeduplicator f = new FlowDeduplicator(config());
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(f)) {
            FlowRecord arp = fixture("arp-1.5");
            FlowRecord sameNodeCopy = fixture("arp-1.5-duplicate");
            FlowRecord otherNode = parse(FlowFixtures.text("arp-1.5")
                    .replace("10.0.131.7", "10.0.142.18")
                    .replace("\"FlowDirection\":0", "\"FlowDirection\":1"));
            FlowRecord otherExchange = fixture("arp-1.6");
            send(h, arp);
            send(h, sameNodeCopy);
            send(h, otherNode);
            send(h, otherExchange);
            h.processWatermark(Long.MAX_VALUE);
            assertThat(h.extractOutputValues()).containsExactly(arp, otherExchange);
            assertThat(f.metrics().droppedSameNodeCopy()).isEqualTo(1);
            assertThat(f.metrics().droppedCrossReporter()).isEqualTo(1);
        }
    }

    @Test
    void consoleRuleModeKeepsConversationRecordsOfANonCanonicalReporter() throws Exception {
        StatelessDedupFunction f = new StatelessDedupFunction(DedupMode.CONSOLE_RULE);
        try (var h = new org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness<>(
                new org.apache.flink.streaming.api.operators.ProcessOperator<>(f))) {
            h.open();
            h.processElement(fixture("conversation-end"), 0L);
            h.processElement(asFlowLog("conversation-end"), 0L);
            assertThat(h.extractOutputValues()).hasSize(1);
            assertThat(DedupRules.isConversation(h.extractOutputValues().get(0)))
                    .isTrue();
            assertThat(f.metrics().droppedCrossReporter()).isEqualTo(1);
        }
    }
}
