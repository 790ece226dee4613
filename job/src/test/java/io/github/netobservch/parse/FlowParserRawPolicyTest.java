package io.github.netobservch.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.format.KeyBits;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * What {@code raw} and {@code raw_key_bits} hold under each {@link RawPolicy} (the rebuilt records are
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
        assertThat(r.has(ColumnRegistry.RAW_KEY_BITS)).isFalse();
        assertThat(r.has(ColumnRegistry.RAW_KEYS)).isFalse();
    }

    @Test
    void unmappedMarksTheColumnsFieldsAndKeepsTheResidue() throws Exception {
        FlowRecord r = parse(
                RawPolicy.UNMAPPED,
                "{\"Future\":{\"a\": [1, 2]}," + BASE + ",\"SrcMac\":\"AA:BB:CC:DD:EE:FF\",\"Dscp\":0,\"Flags\":null}");
        // a zero is a field the message had (Dscp), a residue field is not the column's
        assertThat(KeyBits.joined(r)).isEqualTo("TimeFlowStartMs,TimeFlowEndMs,SrcAddr,DstAddr,Dscp");
        assertThat(r.has(ColumnRegistry.RAW_KEYS)).isFalse();
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
        assertThat(KeyBits.joined(r)).isEqualTo("TimeFlowStartMs,TimeFlowEndMs,SrcAddr,DstAddr,Proto,Flags");
    }

    @Test
    void noneMarksOnlyWhatTheColumnsGiveBack() throws Exception {
        FlowRecord r = parse(RawPolicy.NONE, "{" + BASE + ",\"Future\":1,\"Flags\":18,\"Proto\":6}");
        assertThat(r.has(ColumnRegistry.RAW)).isFalse();
        assertThat(KeyBits.joined(r)).isEqualTo("TimeFlowStartMs,TimeFlowEndMs,SrcAddr,DstAddr,Proto");
        // negative control: the same record under unmapped marks the same fields and keeps the others
        FlowRecord u = parse(RawPolicy.UNMAPPED, "{" + BASE + ",\"Future\":1,\"Flags\":18,\"Proto\":6}");
        assertThat(KeyBits.joined(u)).isEqualTo("TimeFlowStartMs,TimeFlowEndMs,SrcAddr,DstAddr,Proto");
        assertThat(raw(u)).isEqualTo("{\"Future\":1,\"Flags\":18}");
    }

    @Test
    void nonCanonicalAddressesGoToTheResidue() throws Exception {
        FlowRecord r = parse(
                RawPolicy.UNMAPPED,
                "{\"TimeFlowStartMs\":1,\"TimeFlowEndMs\":2,\"SrcAddr\":\"::ffff:10.0.0.1\",\"DstAddr\":\"2001:DB8::1\","
                        + "\"AgentIP\":\"2001:db8::1\",\"SrcK8S_HostIP\":\"::10.0.0.9\",\"DstK8S_HostIP\":\"\"}");
        assertThat(KeyBits.joined(r)).isEqualTo("TimeFlowStartMs,TimeFlowEndMs,AgentIP");
        assertThat(raw(r))
                .isEqualTo(
                        "{\"SrcAddr\":\"::ffff:10.0.0.1\",\"DstAddr\":\"2001:DB8::1\",\"SrcK8S_HostIP\":\"::10.0.0.9\","
                                + "\"DstK8S_HostIP\":\"\"}");
    }

    @Test
    void theL3FieldsOfANonIpFlowGoToTheResidue() throws Exception {
        FlowRecord r = parse(
                RawPolicy.UNMAPPED,
                "{\"TimeFlowStartMs\":1,\"TimeFlowEndMs\":2,\"Etype\":2054,\"SrcAddr\":\"0.0.0.0\",\"Proto\":0,\"Bytes\":42}");
        assertThat(r.has(ColumnRegistry.SRC_ADDR)).isFalse();
        assertThat(raw(r)).isEqualTo("{\"SrcAddr\":\"0.0.0.0\",\"Proto\":0}");
        assertThat(KeyBits.joined(r)).isEqualTo("TimeFlowStartMs,TimeFlowEndMs,Etype,Bytes");
    }

    @Test
    void recordsClickHouseCannotGiveBackAreKeptWhole() throws Exception {
        for (String extra : new String[] {
            "\"\\udc00Future\":1", // a key that is a lone surrogate escaped: no UTF-8 form
            "\"Future\":[1e400]", // a float beyond double
            "\"Future\":{\"n\":18446744073709551616}", // an integer beyond 64 bits
            "\"DnsName\":\"\\ud800\"" // an escaped lone surrogate
        }) {
            String m = "{" + BASE + "," + extra + "}";
            FlowRecord r = parse(RawPolicy.UNMAPPED, m);
            assertThat(raw(r)).as(extra).isEqualTo(m);
            assertThat(r.has(ColumnRegistry.RAW_KEY_BITS)).as(extra).isFalse();
        }
        // negative control: a 64-bit integer, a valid pair and a comma in a key are fine
        FlowRecord r = parse(
                RawPolicy.UNMAPPED,
                "{" + BASE + ",\"Future\":{\"n\":18446744073709551615},\"X\":\"\u00e9\",\"Future,Key\":1}");
        assertThat(raw(r)).isEqualTo("{\"Future\":{\"n\":18446744073709551615},\"X\":\"\u00e9\",\"Future,Key\":1}");
        assertThat(KeyBits.joined(r)).isEqualTo("TimeFlowStartMs,TimeFlowEndMs,SrcAddr,DstAddr");
    }

    @Test
    void recordsOfManyKeysKeepEveryOneInMessageOrder() throws Exception {
        FlowParser p = new FlowParser(
                ParserConfig.builder().rawPolicy(RawPolicy.UNMAPPED).build());
        // past the parser's initial 64 key slots, twice with the same parser
        for (int round = 0; round < 2; round++) {
            StringBuilder m = new StringBuilder("{\"Bytes\":3");
            StringBuilder residue = new StringBuilder("{");
            for (int i = 0; i < 150; i++) {
                m.append(",\"K")
                        .append(round)
                        .append('_')
                        .append(i)
                        .append("\":")
                        .append(i);
                residue.append(i == 0 ? "" : ",")
                        .append("\"K")
                        .append(round)
                        .append('_')
                        .append(i)
                        .append("\":")
                        .append(i);
            }
            m.append(',').append(BASE).append(",\"Duplicate\":false}");
            FlowRecord r = p.parse(m.toString().getBytes(StandardCharsets.UTF_8));
            assertThat(raw(r)).isEqualTo(residue + "}");
            // Duplicate is the last JSON column, bit 101: the high half of raw_key_bits
            assertThat(KeyBits.joined(r)).isEqualTo("TimeFlowStartMs,TimeFlowEndMs,Bytes,SrcAddr,DstAddr,Duplicate");
        }
    }

    @Test
    void thePolicyOptionIsParsedStrictly() {
        assertThat(RawPolicy.parse(" Unmapped ")).isEqualTo(RawPolicy.UNMAPPED);
        assertThatThrownBy(() -> RawPolicy.parse("partial"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("raw.policy");
    }
}
