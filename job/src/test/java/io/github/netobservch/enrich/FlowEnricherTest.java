package io.github.netobservch.enrich;

import static io.github.netobservch.format.ColumnRegistry.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.netobservch.format.FlowFixtures;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.parse.FlowParser;
import io.github.netobservch.parse.ParserConfig;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.api.Test;

class FlowEnricherTest {

    private static FlowRecord enriched(String fixture) {
        return FlowEnricher.enrich(FlowFixtures.parse(fixture));
    }

    private static FlowRecord enrichedText(String json) throws Exception {
        return FlowEnricher.enrich(
                new FlowParser(ParserConfig.defaults()).parse(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void example1CrossNodeIngress() {
        FlowRecord r = enriched("example1");
        assertThat(r.getLong(DURATION_MS))
                .isEqualTo(1754040012873L - 1754039998112L)
                .isEqualTo(14761);
        assertThat(r.getString(DIRECTION)).isEqualTo("ingress");
        assertThat(r.getString(SCOPE)).isEqualTo("cross_node");
        assertThat(r.getString(PROTO_NAME)).isEqualTo("TCP");
        assertThat(r.getDouble(BYTES_PER_SECOND)).isCloseTo(45871 / 14.761, within(1e-9));
        assertThat(r.getDouble(PACKETS_PER_SECOND)).isCloseTo(37 / 14.761, within(1e-9));
        assertThat(r.getLong(BYTES_ESTIMATED)).isEqualTo(45871L * 50);
        assertThat(r.getLong(PACKETS_ESTIMATED)).isEqualTo(37L * 50);
        assertThat(r.getBool(IS_CANONICAL)).isTrue();
        assertThat(r.has(DNS_IS_RESPONSE)).isFalse();
        assertThat(r.getLong(FLOW_KEY_HASH)).isEqualTo(FlowKey.of(r).hash64());
    }

    @Test
    void example2PodToServiceEgressIsCanonical() {
        FlowRecord r = enriched("example2");
        assertThat(r.getLong(DURATION_MS)).isEqualTo(424);
        assertThat(r.getString(DIRECTION)).isEqualTo("egress");
        assertThat(r.getString(SCOPE)).isEqualTo("service");
        assertThat(r.getDouble(BYTES_PER_SECOND)).isEqualTo(3120.0); // slice < 1 s: per 1 s window
        assertThat(r.getBool(IS_CANONICAL)).isTrue();
    }

    @Test
    void example3HostNetworkEgressIsNotCanonical() {
        FlowRecord r = enriched("example3");
        assertThat(r.getString(SCOPE)).isEqualTo("host_network");
        assertThat(r.getString(DIRECTION)).isEqualTo("egress");
        assertThat(r.getBool(IS_CANONICAL)).isFalse();
    }

    @Test
    void example4ToExternalUnsampled() {
        FlowRecord r = enriched("example4");
        assertThat(r.getString(SCOPE)).isEqualTo("to_external");
        assertThat(r.getLong(BYTES_ESTIMATED)).isEqualTo(222);
        assertThat(r.getLong(PACKETS_ESTIMATED)).isEqualTo(3);
        assertThat(r.getBool(IS_CANONICAL)).isTrue();
    }

    @Test
    void example5DnsResponseFromAService() {
        FlowRecord r = enriched("example5");
        assertThat(r.getString(SCOPE)).isEqualTo("service");
        assertThat(r.getString(PROTO_NAME)).isEqualTo("UDP");
        assertThat(r.getString(DIRECTION)).isEqualTo("ingress");
        assertThat(r.getLong(DURATION_MS)).isZero();
        assertThat(r.getDouble(BYTES_PER_SECOND)).isEqualTo(228.0);
        assertThat(r.has(DNS_IS_RESPONSE)).isTrue();
        assertThat(r.getBool(DNS_IS_RESPONSE)).isTrue();
        assertThat(r.getLong(DNS_LATENCY_MS)).isEqualTo(2);
    }

    @Test
    void dnsQueryIsNotAResponse() {
        String q = FlowFixtures.text("example5")
                .replace("\"DnsFlags\": 33152", "\"DnsFlags\": 256")
                .replace("\"DnsLatencyMs\": 2", "\"DnsLatencyMs\": 0");
        FlowRecord r = FlowEnricher.enrich(parse(q));
        assertThat(r.getBool(DNS_IS_RESPONSE)).isFalse();
        assertThat(r.has(DNS_LATENCY_MS)).isTrue();
        assertThat(r.getLong(DNS_LATENCY_MS)).isZero();
    }

    @Test
    void sameNodeInnerAndMissingDirection() {
        String inner = FlowFixtures.text("example1")
                .replace("\"DstK8S_HostIP\": \"10.0.142.18\"", "\"DstK8S_HostIP\": \"10.0.131.7\"")
                .replace("\"FlowDirection\": 0", "\"FlowDirection\": 2");
        FlowRecord r = FlowEnricher.enrich(parse(inner));
        assertThat(r.getString(SCOPE)).isEqualTo("same_node");
        assertThat(r.getString(DIRECTION)).isEqualTo("inner");
        assertThat(r.getBool(IS_CANONICAL)).isTrue();

        FlowRecord none =
                FlowEnricher.enrich(parse(FlowFixtures.text("example1").replace("\"FlowDirection\": 0,", "")));
        assertThat(none.getString(DIRECTION)).isEqualTo("unknown");
        assertThat(none.getBool(IS_CANONICAL)).isTrue();

        FlowRecord odd = FlowEnricher.enrich(
                parse(FlowFixtures.text("example1").replace("\"FlowDirection\": 0", "\"FlowDirection\": 7")));
        assertThat(odd.getString(DIRECTION)).isEqualTo("unknown");
    }

    @Test
    void externalScopes() throws Exception {
        String base =
                "{\"TimeFlowStartMs\":1,\"TimeFlowEndMs\":2,\"SrcAddr\":\"140.82.121.4\",\"DstAddr\":\"10.128.4.17\",\"Proto\":6,";
        assertThat(enrichedText(
                                base
                                        + "\"SrcSubnetLabel\":\"EXT:github\",\"DstK8S_Type\":\"Pod\",\"DstK8S_HostIP\":\"10.0.131.7\"}")
                        .getString(SCOPE))
                .isEqualTo("from_external");
        assertThat(enrichedText(base + "\"DstK8S_Type\":\"Pod\"}").getString(SCOPE))
                .isEqualTo("from_external");
        assertThat(enrichedText(base + "\"SrcSubnetLabel\":\"EXT:a\"}").getString(SCOPE))
                .isEqualTo("external");
        assertThat(enrichedText(base + "\"SrcSubnetLabel\":\"Pods\",\"DstSubnetLabel\":\"Pods\"}")
                        .getString(SCOPE))
                .isEqualTo("unknown");
        FlowRecord r = enrichedText(base.replace("\"Proto\":6,", "") + "\"Proto\":1}");
        assertThat(r.getString(PROTO_NAME)).isEqualTo("ICMP");
        assertThat(r.getLong(BYTES_ESTIMATED)).isZero();
    }

    @Test
    void flowKeyIgnoresReporterAndTimeButNotDirection() {
        FlowRecord ingress = enriched("example1");
        // the source node's egress sibling: same 7-tuple, other reporter, times and counters
        String egressText = FlowFixtures.text("example1")
                .replace("\"AgentIP\": \"10.0.142.18\"", "\"AgentIP\": \"10.0.131.7\"")
                .replace("\"FlowDirection\": 0", "\"FlowDirection\": 1")
                .replace("\"Bytes\": 45871", "\"Bytes\": 44012")
                .replace("\"TimeFlowStartMs\": 1754039998112", "\"TimeFlowStartMs\": 1754039998101");
        FlowRecord egress = FlowEnricher.enrich(parse(egressText));
        assertThat(FlowKey.of(egress)).isEqualTo(FlowKey.of(ingress));
        assertThat(egress.getLong(FLOW_KEY_HASH)).isEqualTo(ingress.getLong(FLOW_KEY_HASH));
        assertThat(egress.getBool(IS_CANONICAL)).isFalse(); // egress to a Pod: the ingress copy is canonical

        String reversed = FlowFixtures.text("example1")
                .replace("\"SrcAddr\": \"10.128.4.17\"", "\"SrcAddr\": \"10.129.2.34\"")
                .replace("\"DstAddr\": \"10.129.2.34\"", "\"DstAddr\": \"10.128.4.17\"")
                .replace("\"SrcPort\": 43718", "\"SrcPort\": 8080")
                .replace("\"DstPort\": 8080", "\"DstPort\": 43718");
        FlowRecord back = FlowEnricher.enrich(parse(reversed));
        assertThat(FlowKey.of(back)).isNotEqualTo(FlowKey.of(ingress));
        assertThat(back.getLong(FLOW_KEY_HASH)).isNotEqualTo(ingress.getLong(FLOW_KEY_HASH));

        FlowRecord otherCluster =
                FlowEnricher.enrich(parse(FlowFixtures.text("example1").replace("prod-eu", "prod-us")));
        assertThat(otherCluster.getLong(FLOW_KEY_HASH)).isNotEqualTo(ingress.getLong(FLOW_KEY_HASH));
    }

    @Test
    void flowKeyHashIsPinned() {
        // a change of this value changes stored flow_key_hash values and state keys: a format change
        FlowRecord r = enriched("example1");
        assertThat(r.getLong(FLOW_KEY_HASH)).isEqualTo(PINNED_EXAMPLE1_HASH);
        assertThat(FlowKey.of(r).hashCode()).isEqualTo((int) (PINNED_EXAMPLE1_HASH ^ (PINNED_EXAMPLE1_HASH >>> 32)));
        assertThat(new FlowKeyHashSelector().getKey(r)).isEqualTo(PINNED_EXAMPLE1_HASH);
        assertThat(new FlowKeySelector().getKey(r).toString())
                .isEqualTo("prod-eu:10.128.4.17:43718 -> 10.129.2.34:8080 proto 6");
    }

    @Test
    void flowKeyIsAFlinkPojo() {
        assertThat(TypeInformation.of(FlowKey.class)).isInstanceOf(PojoTypeInfo.class);
    }

    @Test
    void estimatesSaturate() {
        assertThat(FlowEnricher.saturatingUnsignedMultiply(-1L, 50)).isEqualTo(-1L);
        assertThat(FlowEnricher.saturatingUnsignedMultiply(Long.MAX_VALUE, 2)).isEqualTo(-2L); // 2^64-2 unsigned
        assertThat(FlowEnricher.saturatingUnsignedMultiply(1L << 40, 1L << 30)).isEqualTo(-1L);
        assertThat(FlowEnricher.saturatingUnsignedMultiply(45871, 50)).isEqualTo(2293550);
    }

    static final long PINNED_EXAMPLE1_HASH = -7067215846267989590L;

    private static FlowRecord parse(String json) {
        try {
            return new FlowParser(ParserConfig.defaults()).parse(json.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
