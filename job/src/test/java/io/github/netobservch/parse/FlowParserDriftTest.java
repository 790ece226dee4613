package io.github.netobservch.parse;

import static io.github.netobservch.parse.FlowParserRejectionTest.plus;
import static io.github.netobservch.parse.FlowParserRejectionTest.with;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.format.Column;
import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowFixtures;
import io.github.netobservch.format.FlowRecord;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Field drift: an optional field whose value does not fit its column (the type or range changed
 * between agent versions) costs that column, not the flow. Until V004 each of these was a dead
 * letter ({@code WRONG_TYPE} / {@code OUT_OF_RANGE}); the same values on a required field still are
 * ({@link FlowParserRejectionTest}).
 */
class FlowParserDriftTest {

    private static final ParserConfig WHOLE =
            ParserConfig.builder().rawPolicy(RawPolicy.WHOLE).build();

    private static final String BASE = FlowFixtures.text("example1");

    static Stream<Arguments> drifts() {
        return Stream.of(
                // warning, column left empty, payload
                Arguments.of("Bytes:WRONG_TYPE", "Bytes", with("Bytes", "\"45871\"")),
                Arguments.of("Bytes:WRONG_TYPE", "Bytes", with("Bytes", "45871.5")),
                Arguments.of("Bytes:WRONG_TYPE", "Bytes", with("Bytes", "4.5871e4")),
                Arguments.of("Bytes:WRONG_TYPE", "Bytes", with("Bytes", "true")),
                Arguments.of("Interfaces:WRONG_TYPE", "Interfaces", with("Interfaces", "\"genev_sys_6081\"")),
                Arguments.of("Interfaces:WRONG_TYPE", "Interfaces", with("Interfaces", "[\"a\", 1]")),
                Arguments.of("IfDirections:WRONG_TYPE", "IfDirections", with("IfDirections", "[\"0\"]")),
                Arguments.of("Flags:WRONG_TYPE", "Flags", with("Flags", "\"SYN\"")),
                Arguments.of(
                        "K8S_ClusterName:WRONG_TYPE",
                        "K8S_ClusterName",
                        with("K8S_ClusterName", "{\"name\":\"prod\"}")),
                Arguments.of("NetworkEvents:WRONG_TYPE", "NetworkEvents", plus("\"NetworkEvents\":[\"drop\"]")),
                Arguments.of(
                        "NetworkEvents:WRONG_TYPE", "NetworkEvents", plus("\"NetworkEvents\":[{\"Type\":{\"a\":1}}]")),
                Arguments.of("_IsFirst:WRONG_TYPE", "_IsFirst", plus("\"_IsFirst\":1")),
                Arguments.of("Bytes:OUT_OF_RANGE", "Bytes", with("Bytes", "-1")),
                Arguments.of("Bytes:OUT_OF_RANGE", "Bytes", with("Bytes", "18446744073709551616")),
                Arguments.of("Packets:OUT_OF_RANGE", "Packets", with("Packets", "4294967296")),
                Arguments.of("Packets:OUT_OF_RANGE", "Packets", with("Packets", "-37")),
                Arguments.of("SrcPort:OUT_OF_RANGE", "SrcPort", with("SrcPort", "65536")),
                Arguments.of("Proto:OUT_OF_RANGE", "Proto", with("Proto", "256")),
                Arguments.of("Dscp:OUT_OF_RANGE", "Dscp", with("Dscp", "64")),
                Arguments.of("FlowDirection:OUT_OF_RANGE", "FlowDirection", with("FlowDirection", "-1")),
                Arguments.of("IfDirections:OUT_OF_RANGE", "IfDirections", with("IfDirections", "[0, 256]")),
                Arguments.of("TimeReceived:OUT_OF_RANGE", "TimeReceived", with("TimeReceived", "4294967296")),
                Arguments.of("IPSecRetCode:OUT_OF_RANGE", "IPSecRetCode", plus("\"IPSecRetCode\":2147483648")),
                Arguments.of("Flags:OUT_OF_RANGE", "Flags", with("Flags", "65536")),
                // array of strings where an array of numbers was (and the reverse), nested deeper
                Arguments.of("IfDirections:WRONG_TYPE", "IfDirections", with("IfDirections", "[[0], {\"a\": [1, 2]}]")),
                // a sum that outgrows its column: conversation aggregates are UInt64, packets UInt32
                Arguments.of("PktDropPackets:OUT_OF_RANGE", "PktDropPackets", plus("\"PktDropPackets\":4294967296")));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("drifts")
    void anOptionalFieldThatDoesNotFitIsLeftEmptyAndTheFlowLoads(String warning, String field, String payload)
            throws Exception {
        FlowRecord baseline = new FlowParser(WHOLE).parse(BASE.getBytes(StandardCharsets.UTF_8));
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        FlowRecord r = new FlowParser(WHOLE).parse(bytes);
        // under the default raw.policy (unmapped) raw keeps the drifted field (or, for a number
        // ClickHouse cannot read, the whole message)
        FlowRecord u = new FlowParser(ParserConfig.defaults()).parse(bytes);
        if (u.has(ColumnRegistry.RAW_KEY_BITS)) {
            assertThat(new com.fasterxml.jackson.databind.ObjectMapper()
                            .readTree(u.getBytes(ColumnRegistry.RAW))
                            .has(field))
                    .as("the residue holds %s", field)
                    .isTrue();
            assertThat(io.github.netobservch.format.KeyBits.keys(u))
                    .doesNotContain(field)
                    .contains("TimeFlowStartMs");
        } else {
            assertThat(u.getBytes(ColumnRegistry.RAW)).isEqualTo(bytes);
        }
        Column drifted = ColumnRegistry.byJsonName(field);
        assertThat(r.has(drifted)).as("the drifted column is empty").isFalse();
        assertThat(r.getStrings(ColumnRegistry.PARSE_WARNINGS)).containsExactly(warning);
        assertThat(r.getBytes(ColumnRegistry.RAW))
                .as("the original value stays in raw")
                .isEqualTo(bytes);
        assertThat(r.has(ColumnRegistry.UNTYPED_FIELDS_HASH)).isTrue();
        // every other column is what the record gives without the drifted field
        for (Column c : ColumnRegistry.columns()) {
            if (c == drifted
                    || c == ColumnRegistry.PARSE_WARNINGS
                    || c == ColumnRegistry.RAW
                    || (drifted == ColumnRegistry.FLAGS && c == ColumnRegistry.TCP_FLAGS_MASK)) {
                continue;
            }
            assertThat(r.value(c)).as(c.name()).isEqualTo(baseline.value(c));
        }
    }

    @Test
    void severalDriftedFieldsAreAllListedInInputOrder() throws Exception {
        String payload = with("Bytes", "\"big\"").replace("\"Packets\": 37", "\"Packets\": -1");
        FlowRecord r = new FlowParser(ParserConfig.defaults()).parse(payload.getBytes(StandardCharsets.UTF_8));
        assertThat(r.getStrings(ColumnRegistry.PARSE_WARNINGS))
                .containsExactly("Bytes:WRONG_TYPE", "Packets:OUT_OF_RANGE");
        // the parser is reused: the next clean record carries no warning
        FlowParser parser = new FlowParser(ParserConfig.defaults());
        parser.parse(payload.getBytes(StandardCharsets.UTF_8));
        FlowRecord clean = parser.parse(BASE.getBytes(StandardCharsets.UTF_8));
        assertThat(clean.has(ColumnRegistry.PARSE_WARNINGS)).isFalse();
        assertThat(clean.has(ColumnRegistry.UNTYPED_FIELDS_HASH)).isFalse();
    }

    /** Negative control: the same kinds of values on the required fields are still dead letters. */
    @Test
    void requiredFieldsStayStrict() {
        FlowParser p = new FlowParser(ParserConfig.defaults());
        assertThat(FlowParserRejectionTest.reject(
                                p, with("TimeFlowStartMs", "\"1754039998112\"").getBytes(StandardCharsets.UTF_8))
                        .reason())
                .isEqualTo(DeadLetterReason.WRONG_TYPE);
        assertThat(FlowParserRejectionTest.reject(p, with("TimeFlowEndMs", "-5").getBytes(StandardCharsets.UTF_8))
                        .reason())
                .isEqualTo(DeadLetterReason.OUT_OF_RANGE);
        assertThat(FlowParserRejectionTest.reject(
                                p, with("SrcAddr", "[\"10.128.4.17\"]").getBytes(StandardCharsets.UTF_8))
                        .reason())
                .isEqualTo(DeadLetterReason.WRONG_TYPE);
        // and the other reasons on optional fields too: an address that is not one, a duplicate key
        assertThat(FlowParserRejectionTest.reject(
                                p, with("AgentIP", "\"192.xx.xx.2\"").getBytes(StandardCharsets.UTF_8))
                        .reason())
                .isEqualTo(DeadLetterReason.INVALID_IP);
        assertThat(FlowParserRejectionTest.reject(
                                p, with("SrcMac", "\"0A:xx:xx:xx:xx:01\"").getBytes(StandardCharsets.UTF_8))
                        .reason())
                .isEqualTo(DeadLetterReason.INVALID_MAC);
    }

    /** A drifted address on an IP flow is rejected with its own reason (not as a missing field). */
    @Test
    void aDriftedAddressOnAnIpFlowIsRejectedWithItsOwnReason() {
        String payload = with("DstAddr", "167772161");
        FlowParseException e = FlowParserRejectionTest.reject(
                new FlowParser(ParserConfig.defaults()), payload.getBytes(StandardCharsets.UTF_8));
        assertThat(e.reason()).isEqualTo(DeadLetterReason.WRONG_TYPE);
        assertThat(e.field()).isEqualTo("DstAddr");
    }
}
