package io.github.netobservch.generate;

import static io.github.netobservch.format.ColumnRegistry.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.netobservch.enrich.FlowEnricher;
import io.github.netobservch.enrich.FlowKey;
import io.github.netobservch.format.FlowFixtures;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.generate.GeneratedMessage.Role;
import io.github.netobservch.parse.DeadLetter;
import io.github.netobservch.parse.DeadLetterReason;
import io.github.netobservch.parse.FlowParseException;
import io.github.netobservch.parse.FlowParseFunction;
import io.github.netobservch.parse.FlowParser;
import io.github.netobservch.parse.KafkaMessage;
import io.github.netobservch.parse.ParserConfig;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FlowGeneratorTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final GeneratorConfig MIXED = GeneratorConfig.builder(7)
            .recordsPerSecond(100)
            .invalidShare(0.05)
            .resendShare(0.02)
            .legacyShare(0.1)
            .oversizedBytes(5000)
            .build();
    private static List<GeneratedMessage> messages;
    private static Map<Long, FlowRecord> parsed;
    private static Map<Long, DeadLetterReason> rejected;

    @BeforeAll
    static void generateAndParse() {
        messages = FlowGenerator.generate(MIXED, 20_000);
        FlowParser parser =
                new FlowParser(ParserConfig.builder().maxMessageBytes(4096).build());
        parsed = new HashMap<>();
        rejected = new HashMap<>();
        for (GeneratedMessage m : messages) {
            try {
                parsed.put(m.index(), FlowEnricher.enrich(parser.parse(m.value())));
            } catch (FlowParseException e) {
                rejected.put(m.index(), e.reason());
            }
        }
    }

    /**
     * Like a NetObserv agent, one reporter never reports two overlapping flows of one key: the
     * generator's port-less ICMP keys stay quiet while a flow uses them. (Dozens of concurrent ICMP
     * "flows" per key used to overflow dedup's fingerprint ring and let re-sends through.)
     */
    @Test
    void aReporterNeverReportsOverlappingFlowsOfOneKey() {
        FlowGenerator generator = new FlowGenerator(
                GeneratorConfig.builder(42).recordsPerSecond(20_000).build());
        FlowParser parser = new FlowParser(ParserConfig.defaults());
        Map<String, long[]> lastByKeyAndAgent = new HashMap<>();
        int icmp = 0;
        for (int i = 0; i < 100_000; i++) {
            GeneratedMessage m = generator.next();
            if (!m.valid() || m.role() == Role.RESEND || m.role() == Role.DUPLICATE_FLAG_COPY) {
                continue;
            }
            FlowRecord r;
            try {
                r = parser.parse(new KafkaMessage("t", 0, i, 0L, m.value()));
            } catch (FlowParseException e) {
                throw new AssertionError(e);
            }
            if (r.getLong(PROTO) != 1 && r.getLong(PROTO) != 58) {
                continue;
            }
            icmp++;
            String key = FlowKey.hashOf(r) + "/" + r.ipText(AGENT_IP);
            long[] last = lastByKeyAndAgent.put(key, new long[] {m.flowId(), r.getLong(TIME_FLOW_END_MS)});
            if (last != null && last[0] != m.flowId()) {
                assertThat(r.getLong(TIME_FLOW_START_MS))
                        .as("flow %d after flow %d on %s", m.flowId(), last[0], key)
                        .isGreaterThanOrEqualTo(last[1]);
            }
        }
        assertThat(icmp).isGreaterThan(1_000);
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherBytes() {
        List<GeneratedMessage> again = FlowGenerator.generate(MIXED, 20_000);
        for (int i = 0; i < messages.size(); i++) {
            assertThat(again.get(i).value())
                    .as("message %d", i)
                    .isEqualTo(messages.get(i).value());
            assertThat(again.get(i).role()).isEqualTo(messages.get(i).role());
        }
        GeneratorConfig other = GeneratorConfig.builder(8)
                .recordsPerSecond(100)
                .invalidShare(0.05)
                .resendShare(0.02)
                .legacyShare(0.1)
                .oversizedBytes(5000)
                .build();
        assertThat(FlowGenerator.generate(other, 10).get(0).value())
                .isNotEqualTo(messages.get(0).value());
    }

    @Test
    void validMessagesParseAndInvalidOnesProduceTheirLabelledReason() {
        int valid = 0;
        Map<DeadLetterReason, Integer> byReason = new EnumMap<>(DeadLetterReason.class);
        for (GeneratedMessage m : messages) {
            if (m.valid()) {
                valid++;
                assertThat(rejected.get(m.index()))
                        .as("%s: %s", m, new String(m.value()))
                        .isNull();
            } else {
                assertThat(rejected.get(m.index())).as(m.toString()).isEqualTo(m.expectedReason());
                byReason.merge(m.expectedReason(), 1, Integer::sum);
            }
        }
        assertThat(valid).isBetween(18_500, 19_500);
        assertThat(byReason.keySet())
                .contains(
                        DeadLetterReason.EMPTY,
                        DeadLetterReason.MALFORMED_JSON,
                        DeadLetterReason.NOT_AN_OBJECT,
                        DeadLetterReason.NOT_UTF8,
                        DeadLetterReason.MISSING_FIELD,
                        DeadLetterReason.WRONG_TYPE,
                        DeadLetterReason.OUT_OF_RANGE,
                        DeadLetterReason.INVALID_IP,
                        DeadLetterReason.INVALID_MAC,
                        DeadLetterReason.END_BEFORE_START,
                        DeadLetterReason.DUPLICATE_FIELD,
                        DeadLetterReason.NESTING_TOO_DEEP,
                        DeadLetterReason.OVERSIZED);
    }

    @Test
    void parseFunctionCountersMatchTheGroundTruth() throws Exception {
        FlowParseFunction fn = new FlowParseFunction(
                ParserConfig.builder().maxMessageBytes(4096).build());
        OneInputStreamOperatorTestHarness<KafkaMessage, FlowRecord> h =
                ProcessFunctionTestHarnesses.forProcessFunction(fn);
        List<GeneratedMessage> first = messages.subList(0, 5000);
        for (GeneratedMessage m : first) {
            h.processElement(m.toKafkaMessage("flows-export", 1, 1754040000000L), 0);
        }
        Map<DeadLetterReason, Long> expected = first.stream()
                .filter(m -> !m.valid())
                .collect(Collectors.groupingBy(
                        GeneratedMessage::expectedReason,
                        () -> new EnumMap<>(DeadLetterReason.class),
                        Collectors.counting()));
        for (DeadLetterReason r : DeadLetterReason.values()) {
            assertThat(fn.deadLetterCount(r)).as(r.code()).isEqualTo(expected.getOrDefault(r, 0L));
        }
        assertThat(fn.parsedCount())
                .isEqualTo(first.stream().filter(GeneratedMessage::valid).count());
        for (StreamRecord<DeadLetter> d : h.getSideOutput(FlowParseFunction.DEAD_LETTERS)) {
            assertThat(d.getValue().reason)
                    .isEqualTo(first.get((int) d.getValue().offset).expectedReason());
        }
        h.close();
    }

    @Test
    void groundTruthMatchesParsedRecords() {
        Map<Long, GeneratedMessage> byIndex = new HashMap<>();
        messages.forEach(m -> byIndex.put(m.index(), m));
        for (GeneratedMessage m : messages) {
            if (!m.valid()) {
                continue;
            }
            FlowRecord r = parsed.get(m.index());
            assertThat(r.getLong(BYTES)).isEqualTo(m.bytes());
            assertThat(r.getLong(PACKETS)).isEqualTo(m.packets());
            assertThat(r.getLong(SAMPLING)).isEqualTo(m.sampling());
            Role role = m.role() == Role.RESEND ? byIndex.get(m.resendOf()).role() : m.role();
            assertThat(role).isNotEqualTo(Role.RESEND);
            assertThat(r.getBool(DUPLICATE)).isEqualTo(role == Role.DUPLICATE_FLAG_COPY);
            assertThat(r.has(INTERFACES)).isTrue();
            if (m.role() == Role.PRIMARY) {
                assertThat(r.getBool(IS_CANONICAL)).as(m.toString()).isTrue();
            } else if (m.role() == Role.CROSS_REPORTER_COPY) {
                assertThat(r.getBool(IS_CANONICAL)).as(m.toString()).isFalse();
            } else if (m.role() == Role.RESEND) {
                assertThat(m.value()).isEqualTo(byIndex.get(m.resendOf()).value());
                assertThat(m.resendOf()).isLessThan(m.index());
            }
        }
    }

    @Test
    void crossNodeFlowsAreReportedByBothNodesWithDifferentDetails() {
        Map<String, List<GeneratedMessage>> bySlice = messages.stream()
                .filter(m -> m.scenario().equals("cross_node")
                        && (m.role() == Role.PRIMARY || m.role() == Role.CROSS_REPORTER_COPY))
                .collect(Collectors.groupingBy(m -> m.flowId() + "/" + m.slice()));
        assertThat(bySlice).hasSizeGreaterThan(500);
        int differentCounters = 0;
        for (List<GeneratedMessage> pair : bySlice.values()) {
            assertThat(pair)
                    .extracting(GeneratedMessage::role)
                    .containsExactlyInAnyOrder(Role.PRIMARY, Role.CROSS_REPORTER_COPY);
            FlowRecord a = parsed.get(pair.get(0).index());
            FlowRecord b = parsed.get(pair.get(1).index());
            assertThat(FlowKey.of(a)).isEqualTo(FlowKey.of(b));
            assertThat(a.ipText(AGENT_IP)).isNotEqualTo(b.ipText(AGENT_IP));
            assertThat(a.getStrings(INTERFACES)).isNotEqualTo(b.getStrings(INTERFACES));
            assertThat(new TreeSet<>(List.of(a.getString(DIRECTION), b.getString(DIRECTION))))
                    .containsExactly("egress", "ingress");
            if (a.getLong(BYTES) != b.getLong(BYTES)
                    || a.getLong(TIME_FLOW_START_MS) != b.getLong(TIME_FLOW_START_MS)) {
                differentCounters++;
            }
        }
        assertThat(differentCounters).isGreaterThan(bySlice.size() / 2);
    }

    @Test
    void longLivedFlowsComeAsSuccessiveFifteenSecondSlices() {
        Map<Long, List<FlowRecord>> primaries = new HashMap<>();
        for (GeneratedMessage m : messages) {
            if (m.role() == Role.PRIMARY) {
                primaries.computeIfAbsent(m.flowId(), k -> new ArrayList<>()).add(parsed.get(m.index()));
            }
        }
        List<List<FlowRecord>> longOnes =
                primaries.values().stream().filter(l -> l.size() >= 3).collect(Collectors.toList());
        assertThat(longOnes).hasSizeGreaterThan(50);
        for (List<FlowRecord> slices : longOnes) {
            for (int i = 1; i < slices.size(); i++) {
                long gap = slices.get(i).getLong(TIME_FLOW_START_MS)
                        - slices.get(i - 1).getLong(TIME_FLOW_START_MS);
                assertThat(gap).isBetween(14_950L, 15_050L);
                assertThat(FlowKey.of(slices.get(i))).isEqualTo(FlowKey.of(slices.get(0)));
            }
        }
    }

    @Test
    void scenarioAndFeatureCoverage() {
        Set<String> scopes = new HashSet<>();
        int ipv6 = 0;
        int icmp = 0;
        int dnsResponses = 0;
        int dnsNames = 0;
        int xlat = 0;
        int events = 0;
        int rtt = 0;
        int drops = 0;
        int legacy = 0;
        int duplicates = 0;
        long totalSize = 0;
        int count = 0;
        for (GeneratedMessage m : messages) {
            if (!m.valid()) {
                continue;
            }
            FlowRecord r = parsed.get(m.index());
            scopes.add(r.getString(SCOPE));
            ipv6 += r.getLong(ETYPE) == 34525 ? 1 : 0;
            icmp += r.getString(PROTO_NAME).startsWith("ICMP") ? 1 : 0;
            dnsResponses += r.getBool(DNS_IS_RESPONSE) ? 1 : 0;
            dnsNames += r.has(DNS_NAME) ? 1 : 0;
            xlat += r.has(XLAT_DST_ADDR) ? 1 : 0;
            events += r.has(NETWORK_EVENTS_COL) ? 1 : 0;
            rtt += r.has(TIME_FLOW_RTT_NS) ? 1 : 0;
            drops += r.has(PKT_DROP_BYTES) ? 1 : 0;
            legacy += m.legacy() ? 1 : 0;
            duplicates += m.role() == Role.DUPLICATE_FLAG_COPY ? 1 : 0;
            totalSize += m.value().length;
            count++;
        }
        assertThat(scopes)
                .contains("cross_node", "same_node", "service", "host_network", "to_external", "from_external");
        assertThat(ipv6).isGreaterThan(count / 20);
        assertThat(List.of(icmp, dnsResponses, dnsNames, xlat, events, rtt, drops, legacy, duplicates))
                .allSatisfy(n -> assertThat(n).isGreaterThan(20));
        assertThat(totalSize / count).isBetween(800L, 1500L);
    }

    /** Field for field: generated records have exactly the key sets of the reference examples. */
    @Test
    void keySetsMatchTheReferenceExamples() throws Exception {
        Set<Set<String>> generated = new HashSet<>();
        for (GeneratedMessage m : messages) {
            if (m.valid() && !m.legacy()) {
                generated.add(keys(MAPPER.readTree(m.value())));
            }
        }
        for (String example : FlowFixtures.EXAMPLES) {
            Set<String> expected = keys(MAPPER.readTree(FlowFixtures.bytes(example)));
            assertThat(generated).as(example).contains(expected);
        }
        Set<String> legacyKeys = keys(MAPPER.readTree(FlowFixtures.bytes("legacy-1.5")));
        assertThat(messages.stream()
                        .filter(m -> m.legacy() && m.valid() && m.role() == Role.PRIMARY)
                        .map(m -> {
                            try {
                                return keys(MAPPER.readTree(m.value()));
                            } catch (Exception e) {
                                throw new AssertionError(e);
                            }
                        }))
                .contains(legacyKeys);
    }

    private static Set<String> keys(JsonNode n) {
        Set<String> s = new TreeSet<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            s.add(it.next());
        }
        return s;
    }
}
