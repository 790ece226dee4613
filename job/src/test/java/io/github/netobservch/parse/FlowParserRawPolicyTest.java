package io.github.netobservch.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowRecord;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * What {@code raw} and {@code raw_keys} hold under each {@link RawPolicy} (the rebuilt records are
 * checked against ClickHouse in {@link RawPolicyITCase}).
 */
class FlowParserRawPolicyTest {

    private static final String BASE =
            "\"TimeFlowStartMs\":1,\"TimeFlowEndMs\":2,\"SrcAddr\":\"10.0.0.1\"," + "\"DstAddr\":\"10.0.0.2\"";

    private static FlowRecord parse(RawPolicy policy, String json) throws FlowParseException {
        return new FlowParser(ParserConfig.builder().rawPolicy(policy).build())
                .parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String raw(FlowRecord r) {
        return r.rawText();
    }

    @Test
    void wholeKeepsTheMessageAndNoKeys() throws Exception {
        String m = "{" + BASE + ",\"Future\":1}";
        FlowRecord r = parse(RawPolicy.WHOLE, m);
        assertThat(raw(r)).isEqualTo(m);
        assertThat(r.has(ColumnRegistry.RAW_KEYS)).isFalse();
    }

    @Test
    void unmappedListsEveryKeyInOrderAndMarksTheResidue() throws Exception {
        FlowRecord r = parse(
                RawPolicy.UNMAPPED,
                "{\"Future\":{\"a\": [1, 2]}," + BASE + ",\"SrcMac\":\"AA:BB:CC:DD:EE:FF\",\"Dscp\":0,\"Flags\":null}");
        assertThat(r.getString(ColumnRegistry.RAW_KEYS))
                .isEqualTo("!Future,TimeFlowStartMs,TimeFlowEndMs,SrcAddr,DstAddr,!SrcMac,Dscp,!Flags");
        // values as written (the nested object byte for byte), in message order
        assertThat(raw(r)).isEqualTo("{\"Future\":{\"a\": [1, 2]},\"SrcMac\":\"AA:BB:CC:DD:EE:FF\",\"Flags\":null}");
        // the columns still hold their (normalised) values
        assertThat(r.getString(ColumnRegistry.SRC_MAC)).isEqualTo("aa:bb:cc:dd:ee:ff");
    }

    @Test
    void aFullyMappedRecordKeepsNothing() throws Exception {
        FlowRecord r = parse(RawPolicy.UNMAPPED, "{" + BASE + ",\"Proto\":6,\"Flags\":[\"SYN\"]}");
        assertThat(r.has(ColumnRegistry.RAW)).isFalse();
        assertThat(raw(r)).isEmpty();
        assertThat(r.getString(ColumnRegistry.RAW_KEYS))
                .isEqualTo("TimeFlowStartMs,TimeFlowEndMs,SrcAddr,DstAddr,Proto,Flags");
    }

    @Test
    void noneListsOnlyWhatTheColumnsGiveBack() throws Exception {
        FlowRecord r = parse(RawPolicy.NONE, "{" + BASE + ",\"Future\":1,\"Flags\":18,\"Proto\":6}");
        assertThat(r.has(ColumnRegistry.RAW)).isFalse();
        assertThat(r.getString(ColumnRegistry.RAW_KEYS))
                .isEqualTo("TimeFlowStartMs,TimeFlowEndMs,SrcAddr,DstAddr,Proto");
        // negative control: the same record under unmapped lists and keeps them
        FlowRecord u = parse(RawPolicy.UNMAPPED, "{" + BASE + ",\"Future\":1,\"Flags\":18,\"Proto\":6}");
        assertThat(u.getString(ColumnRegistry.RAW_KEYS))
                .isEqualTo("TimeFlowStartMs,TimeFlowEndMs,SrcAddr,DstAddr,!Future,!Flags,Proto");
        assertThat(raw(u)).isEqualTo("{\"Future\":1,\"Flags\":18}");
    }

    @Test
    void nonCanonicalAddressesGoToTheResidue() throws Exception {
        FlowRecord r = parse(
                RawPolicy.UNMAPPED,
                "{\"TimeFlowStartMs\":1,\"TimeFlowEndMs\":2,\"SrcAddr\":\"::ffff:10.0.0.1\",\"DstAddr\":\"2001:DB8::1\","
                        + "\"AgentIP\":\"2001:db8::1\",\"SrcK8S_HostIP\":\"::10.0.0.9\",\"DstK8S_HostIP\":\"\"}");
        assertThat(r.getString(ColumnRegistry.RAW_KEYS))
                .isEqualTo("TimeFlowStartMs,TimeFlowEndMs,!SrcAddr,!DstAddr,AgentIP,!SrcK8S_HostIP,!DstK8S_HostIP");
    }

    @Test
    void theL3FieldsOfANonIpFlowGoToTheResidue() throws Exception {
        FlowRecord r = parse(
                RawPolicy.UNMAPPED,
                "{\"TimeFlowStartMs\":1,\"TimeFlowEndMs\":2,\"Etype\":2054,\"SrcAddr\":\"0.0.0.0\",\"Proto\":0,\"Bytes\":42}");
        assertThat(r.has(ColumnRegistry.SRC_ADDR)).isFalse();
        assertThat(raw(r)).isEqualTo("{\"SrcAddr\":\"0.0.0.0\",\"Proto\":0}");
        assertThat(r.getString(ColumnRegistry.RAW_KEYS))
                .isEqualTo("TimeFlowStartMs,TimeFlowEndMs,Etype,!SrcAddr,!Proto,Bytes");
    }

    @Test
    void recordsClickHouseCannotGiveBackAreKeptWhole() throws Exception {
        for (String extra : new String[] {
            "\"Future,Key\":1", // the separator in a key
            "\"Future\":[1e400]", // a float beyond double
            "\"Future\":{\"n\":18446744073709551616}", // an integer beyond 64 bits
            "\"DnsName\":\"\\ud800\"" // an escaped lone surrogate
        }) {
            String m = "{" + BASE + "," + extra + "}";
            FlowRecord r = parse(RawPolicy.UNMAPPED, m);
            assertThat(raw(r)).as(extra).isEqualTo(m);
            assertThat(r.has(ColumnRegistry.RAW_KEYS)).as(extra).isFalse();
        }
        // negative control: a 64-bit integer and a valid pair are fine
        FlowRecord r =
                parse(RawPolicy.UNMAPPED, "{" + BASE + ",\"Future\":{\"n\":18446744073709551615},\"X\":\"\u00e9\"}");
        assertThat(raw(r)).isEqualTo("{\"Future\":{\"n\":18446744073709551615},\"X\":\"\u00e9\"}");
    }

    @Test
    void theKeysCacheStaysCorrectPastItsCapacity() throws Exception {
        FlowParser p = new FlowParser(
                ParserConfig.builder().rawPolicy(RawPolicy.UNMAPPED).build());
        // 6,000 distinct unknown key names (more than the parser gives ids) and 6,000 shapes
        for (int i = 0; i < 6_000; i++) {
            FlowRecord r = p.parse(("{" + BASE + ",\"K" + i + "\":" + i + "}").getBytes(StandardCharsets.UTF_8));
            assertThat(r.getString(ColumnRegistry.RAW_KEYS))
                    .isEqualTo("TimeFlowStartMs,TimeFlowEndMs,SrcAddr,DstAddr,!K" + i);
            assertThat(raw(r)).isEqualTo("{\"K" + i + "\":" + i + "}");
        }
        // and a repeated shape still gives its own keys
        FlowRecord again = p.parse(("{" + BASE + ",\"K7\":1}").getBytes(StandardCharsets.UTF_8));
        assertThat(again.getString(ColumnRegistry.RAW_KEYS))
                .isEqualTo("TimeFlowStartMs,TimeFlowEndMs,SrcAddr,DstAddr,!K7");
    }

    @Test
    void thePolicyOptionIsParsedStrictly() {
        assertThat(RawPolicy.parse(" Unmapped ")).isEqualTo(RawPolicy.UNMAPPED);
        assertThatThrownBy(() -> RawPolicy.parse("partial"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("raw.policy");
    }
}
