package io.github.netobservch.parse;

import static io.github.netobservch.format.ColumnRegistry.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.netobservch.format.Column;
import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowFixtures;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.format.ValueKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every field of the reference examples (both eras) parsed into the right column and value. */
class FlowParserTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    static List<String> fixtures() {
        return FlowFixtures.ALL;
    }

    /**
     * Independent check against a generic JSON tree: every key of the fixture lands in its column
     * (or its legacy target) with the same value, and nothing else is set except parse-time columns.
     */
    @ParameterizedTest
    @MethodSource("fixtures")
    void everyJsonFieldLandsInItsColumn(String name) throws Exception {
        JsonNode tree = MAPPER.readTree(FlowFixtures.bytes(name));
        FlowRecord r = FlowFixtures.parse(name);
        int expectedPresent = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Column c = ColumnRegistry.byJsonName(e.getKey());
            if (c == null) {
                continue; // legacy keys: checked in legacyRecordIsNormalised
            }
            expectedPresent++;
            assertThat(r.has(c)).as(e.getKey()).isTrue();
            if (c.kind() == ValueKind.TCP_FLAGS && e.getValue().isNumber()) {
                assertThat(r.getLong(TCP_FLAGS_MASK)).isEqualTo(e.getValue().longValue());
                continue;
            }
            assertThat(r.value(c)).as(e.getKey()).isEqualTo(expected(c, e.getValue()));
        }
        // parse-time extras: record_type (when absent), tcp_flags_mask (with Flags), raw, 4 Kafka columns
        int extras = 5
                + (tree.has("_RecordType") ? 0 : 1)
                + (tree.has("Flags") ? 1 : 0)
                + (tree.has("Interface") && !tree.has("Interfaces") ? 1 : 0)
                + (tree.has("IfDirection") && !tree.has("IfDirections") ? 1 : 0);
        assertThat(r.presentCount()).isEqualTo(expectedPresent + extras);
        assertThat(r.rawText()).isEqualTo(FlowFixtures.text(name));
        assertThat(r.getString(KAFKA_TOPIC)).isEqualTo("flows-export");
        assertThat(r.getLong(KAFKA_PARTITION)).isEqualTo(3);
        assertThat(r.getLong(KAFKA_OFFSET)).isEqualTo(42);
        assertThat(r.getLong(KAFKA_TIMESTAMP)).isEqualTo(1754040014000L);
    }

    private static Object expected(Column c, JsonNode v) {
        switch (c.kind()) {
            case BOOL:
                return v.booleanValue();
            case MAC:
                return v.textValue().toLowerCase();
            case STRING:
            case LOW_CARDINALITY_STRING:
            case IP:
                return v.textValue();
            case STRING_ARRAY:
            case LOW_CARDINALITY_STRING_ARRAY:
            case TCP_FLAGS:
            case UINT8_ARRAY: {
                List<Object> l = new ArrayList<>();
                v.forEach(x -> l.add(x.isNumber() ? (Object) x.intValue() : x.textValue()));
                return l;
            }
            case NETWORK_EVENTS: {
                List<Map<String, String>> l = new ArrayList<>();
                v.forEach(ev -> {
                    Map<String, String> m = new LinkedHashMap<>();
                    ev.fields()
                            .forEachRemaining(
                                    f -> m.put(f.getKey(), f.getValue().asText()));
                    l.add(m);
                });
                return l;
            }
            default:
                return v.longValue();
        }
    }

    @Test
    void example1PodToPodIngressWithRtt() {
        FlowRecord r = FlowFixtures.parse("example1");
        assertThat(r.getLong(TIME_FLOW_START_MS)).isEqualTo(1754039998112L);
        assertThat(r.getLong(TIME_FLOW_END_MS)).isEqualTo(1754040012873L);
        assertThat(r.getLong(TIME_RECEIVED)).isEqualTo(1754040013L);
        assertThat(r.ipText(AGENT_IP)).isEqualTo("10.0.142.18");
        assertThat(r.ipText(SRC_ADDR)).isEqualTo("10.128.4.17");
        assertThat(r.ipHigh(SRC_ADDR)).isZero();
        assertThat(r.ipLow(SRC_ADDR)).isEqualTo(0x0000_FFFF_0A80_0411L);
        assertThat(r.getLong(BYTES)).isEqualTo(45871);
        assertThat(r.getLong(PACKETS)).isEqualTo(37);
        assertThat(r.getLong(SAMPLING)).isEqualTo(50);
        assertThat(r.getLong(PROTO)).isEqualTo(6);
        assertThat(r.getLong(SRC_PORT)).isEqualTo(43718);
        assertThat(r.getLong(DST_PORT)).isEqualTo(8080);
        assertThat(r.getLong(ETYPE)).isEqualTo(2048);
        assertThat(r.getStrings(FLAGS)).containsExactly("PSH", "ACK");
        assertThat(r.getLong(TCP_FLAGS_MASK)).isEqualTo(8 | 16);
        assertThat(r.getLong(FLOW_DIRECTION)).isZero();
        assertThat(r.has(FLOW_DIRECTION)).isTrue();
        assertThat(r.getStrings(INTERFACES)).containsExactly("genev_sys_6081", "5d3f0a1b2c4e6f7");
        assertThat(r.getBytes(IF_DIRECTIONS)).containsExactly(0, 1);
        assertThat(r.getStrings(UDNS)).containsExactly("", "");
        assertThat(r.getLong(TIME_FLOW_RTT_NS)).isEqualTo(412000);
        assertThat(r.getString(SRC_K8S_ZONE)).isEqualTo("eu-west-3a");
        assertThat(r.getString(DST_K8S_OWNER_NAME)).isEqualTo("checkout");
        assertThat(r.ipText(DST_K8S_HOST_IP)).isEqualTo("10.0.142.18");
        assertThat(r.getString(K8S_CLUSTER_NAME)).isEqualTo("prod-eu");
        assertThat(r.getString(RECORD_TYPE)).isEqualTo("flowLog");
        assertThat(r.has(DNS_LATENCY_MS)).isFalse();
        assertThat(r.has(ICMP_TYPE)).isFalse();
    }

    @Test
    void example2XlatFields() {
        FlowRecord r = FlowFixtures.parse("example2");
        assertThat(r.ipText(XLAT_DST_ADDR)).isEqualTo("10.131.0.22");
        assertThat(r.getLong(XLAT_DST_PORT)).isEqualTo(8443);
        assertThat(r.getLong(XLAT_SRC_PORT)).isEqualTo(51544);
        assertThat(r.getLong(ZONE_ID)).isEqualTo(27);
        assertThat(r.getString(XLAT_DST_K8S_NAME)).isEqualTo("payments-5c8d7b9f6d-qq7lz");
        assertThat(r.ipText(XLAT_DST_K8S_HOST_IP)).isEqualTo("10.0.150.9");
        assertThat(r.getString(DST_K8S_TYPE)).isEqualTo("Service");
        assertThat(r.has(DST_K8S_HOST_IP)).isFalse();
        assertThat(r.getStrings(FLAGS)).containsExactly("SYN", "PSH", "ACK");
        assertThat(r.getLong(TCP_FLAGS_MASK)).isEqualTo(2 | 8 | 16);
    }

    @Test
    void example4DropsAndNetworkEvents() {
        FlowRecord r = FlowFixtures.parse("example4");
        assertThat(r.getEvents(NETWORK_EVENTS_COL)).hasDimensions(1, 12);
        assertThat(r.value(NETWORK_EVENTS_COL))
                .isEqualTo(List.of(Map.of(
                        "Action",
                        "drop",
                        "Direction",
                        "Egress",
                        "Feature",
                        "acl",
                        "Name",
                        "default",
                        "Namespace",
                        "shop",
                        "Type",
                        "EgressFirewall")));
        assertThat(r.getLong(PKT_DROP_BYTES)).isEqualTo(222);
        assertThat(r.getLong(PKT_DROP_PACKETS)).isEqualTo(3);
        assertThat(r.getString(PKT_DROP_LATEST_DROP_CAUSE)).isEqualTo("NetworkEvent_EgressFirewall");
        assertThat(r.has(PKT_DROP_LATEST_FLAGS)).isTrue();
        assertThat(r.getLong(PKT_DROP_LATEST_FLAGS)).isZero();
        assertThat(r.getLong(SAMPLING)).isEqualTo(1);
        assertThat(r.has(DST_K8S_TYPE)).isFalse();
        assertThat(r.has(DST_SUBNET_LABEL)).isFalse();
    }

    @Test
    void example5DnsResponse() {
        FlowRecord r = FlowFixtures.parse("example5");
        assertThat(r.getLong(DNS_ID)).isEqualTo(40317);
        assertThat(r.getLong(DNS_FLAGS)).isEqualTo(33152);
        assertThat(r.getString(DNS_FLAGS_RESPONSE_CODE)).isEqualTo("NoError");
        assertThat(r.getLong(DNS_LATENCY_MS)).isEqualTo(2);
        assertThat(r.getString(DNS_NAME)).isEqualTo("api.github.com");
        assertThat(r.ipText(SRC_ADDR)).isEqualTo("172.30.0.10");
        assertThat(r.getLong(SRC_PORT)).isEqualTo(53);
        assertThat(r.has(FLAGS)).isFalse();
        assertThat(r.has(TCP_FLAGS_MASK)).isFalse();
    }

    @Test
    void legacyRecordIsNormalised() {
        FlowRecord r = FlowFixtures.parse("legacy-1.5");
        assertThat(r.getStrings(INTERFACES)).containsExactly("genev_sys_6081");
        assertThat(r.getBytes(IF_DIRECTIONS)).containsExactly(0);
        assertThat(r.has(UDNS)).isFalse();
        assertThat(r.getStrings(FLAGS)).containsExactly("PSH", "ACK"); // 24 = PSH|ACK
        assertThat(r.getLong(TCP_FLAGS_MASK)).isEqualTo(24);
        assertThat(r.getString(SRC_MAC)).isEqualTo("0a:58:0a:81:02:01");
        assertThat(r.getString(DST_MAC)).isEqualTo("0a:58:0a:81:02:22");
        assertThat(r.has(DUPLICATE)).isTrue();
        assertThat(r.getBool(DUPLICATE)).isFalse();
        assertThat(r.has(SAMPLING)).isFalse();
        assertThat(r.rawText()).contains("\"Interface\": \"genev_sys_6081\"");
    }

    @Test
    void currentArraysWinOverLegacyKeysAndFlowDirectionsIsAccepted() throws Exception {
        FlowParser p = new FlowParser(ParserConfig.defaults());
        FlowRecord r = p.parse(
                json(
                        "{\"TimeFlowStartMs\":1,\"TimeFlowEndMs\":2,\"SrcAddr\":\"10.0.0.1\",\"DstAddr\":\"10.0.0.2\",\"Proto\":17,"
                                + "\"Interfaces\":[\"eth0\",\"br-ex\"],\"Interface\":\"old0\",\"FlowDirections\":[1,0],\"Duplicate\":true,\"Flags\":1027}"));
        assertThat(r.getStrings(INTERFACES)).containsExactly("eth0", "br-ex");
        assertThat(r.getBytes(IF_DIRECTIONS)).containsExactly(1, 0);
        assertThat(r.getBool(DUPLICATE)).isTrue();
        assertThat(r.getStrings(FLAGS)).containsExactly("FIN", "SYN", "RST_ACK");
        assertThat(r.getLong(TCP_FLAGS_MASK)).isEqualTo(1027);
    }

    @Test
    void conversationRecord() {
        FlowRecord r = FlowFixtures.parse("conversation-end");
        assertThat(r.getString(RECORD_TYPE)).isEqualTo("endConnection");
        assertThat(r.getString(HASH_ID)).isEqualTo("9f3c2a7be4d10c55");
        assertThat(r.has(IS_FIRST)).isTrue();
        assertThat(r.getBool(IS_FIRST)).isFalse();
        assertThat(r.getLong(NUM_FLOW_LOGS)).isEqualTo(4);
        assertThat(r.getLong(BYTES_AB)).isEqualTo(3120);
        assertThat(r.getLong(BYTES_BA)).isEqualTo(48114);
        assertThat(r.getLong(PACKETS_AB)).isEqualTo(41);
        assertThat(r.getLong(MAX_TIME_FLOW_RTT_NS)).isEqualTo(520000);
        assertThat(r.has(INTERFACES)).isFalse();
        assertThat(r.has(SRC_MAC)).isFalse();
    }

    @Test
    void toleratedShapes() throws Exception {
        FlowParser p =
                new FlowParser(ParserConfig.builder().rawPolicy(RawPolicy.NONE).build());
        FlowRecord r = p.parse(json(
                "{\"TimeFlowStartMs\":5,\"TimeFlowEndMs\":5,\"SrcAddr\":\"fd01::1\",\"DstAddr\":\"::ffff:10.0.0.9\",\"Proto\":58,"
                        + "\"Bytes\":18446744073709551615,\"Flags\":null,\"SrcK8S_HostIP\":\"\",\"SrcMac\":\"\",\"DnsLatencyMs\":null,"
                        + "\"IcmpType\":128,\"IcmpCode\":0,\"FutureField\":{\"nested\":[1,2,{\"x\":null}]},\"TLSTypes\":[\"ClientHello\"],"
                        + "\"NetworkEvents\":[{\"Message\":\"hello\",\"Count\":3,\"Flag\":true,\"Null\":null}]}"));
        assertThat(r.getLong(BYTES)).isEqualTo(-1L); // 2^64-1
        assertThat(r.value(BYTES)).isEqualTo("18446744073709551615");
        assertThat(r.has(FLAGS)).isTrue();
        assertThat(r.getStrings(FLAGS)).isEmpty();
        assertThat(r.getLong(TCP_FLAGS_MASK)).isZero();
        assertThat(r.has(SRC_K8S_HOST_IP)).isFalse();
        assertThat(r.has(SRC_MAC)).isFalse();
        assertThat(r.has(DNS_LATENCY_MS)).isFalse();
        assertThat(r.ipText(SRC_ADDR)).isEqualTo("fd01::1");
        assertThat(r.ipText(DST_ADDR)).isEqualTo("10.0.0.9");
        assertThat(r.getLong(ICMP_TYPE)).isEqualTo(128);
        assertThat(r.getStrings(TLS_TYPES)).containsExactly("ClientHello");
        assertThat(r.value(NETWORK_EVENTS_COL))
                .isEqualTo(List.of(Map.of("Message", "hello", "Count", "3", "Flag", "true")));
        assertThat(r.has(RAW)).isFalse();
    }

    @Test
    void repeatedStringsAreShared() throws Exception {
        FlowParser p = new FlowParser(ParserConfig.defaults());
        FlowRecord a = p.parse(FlowFixtures.bytes("example1"));
        FlowRecord b = p.parse(FlowFixtures.bytes("example1"));
        assertThat(b.getString(SRC_K8S_NAMESPACE)).isSameAs(a.getString(SRC_K8S_NAMESPACE));
        assertThat(b.getString(DST_MAC)).isSameAs(a.getString(DST_MAC));
    }

    static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
