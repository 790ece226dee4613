package io.github.netobservch.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.netobservch.format.FlowFixtures;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every dead-letter reason, with its exact code and offending field. */
class FlowParserRejectionTest {

    private static final String BASE = FlowFixtures.text("example1");

    /** example1 with one field's JSON value replaced (the field must exist). */
    static String with(String field, String jsonValue) {
        int k = BASE.indexOf("\"" + field + "\": ");
        assertThat(k).as(field).isGreaterThanOrEqualTo(0);
        int start = k + field.length() + 4;
        int end = valueEnd(BASE, start);
        return BASE.substring(0, start) + jsonValue + BASE.substring(end);
    }

    /** example1 without a field. */
    static String without(String field) {
        int k = BASE.indexOf("  \"" + field + "\": ");
        int end = BASE.indexOf('\n', k);
        return BASE.substring(0, k) + BASE.substring(end + 1);
    }

    /** example1 with an extra first key. */
    static String plus(String rawKeyValue) {
        return "{" + rawKeyValue + "," + BASE.substring(BASE.indexOf('{') + 1);
    }

    private static int valueEnd(String s, int start) {
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '[' || c == '{') {
                depth++;
            } else if (c == ']' || c == '}') {
                if (depth == 0) {
                    return i;
                }
                depth--;
            } else if (c == ',' && depth == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException();
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // reason, field, payload
                Arguments.of(DeadLetterReason.EMPTY, null, ""),
                Arguments.of(DeadLetterReason.EMPTY, null, " \n\t "),
                Arguments.of(DeadLetterReason.MALFORMED_JSON, null, "{"),
                Arguments.of(DeadLetterReason.MALFORMED_JSON, null, "{\"Bytes\":}"),
                Arguments.of(DeadLetterReason.MALFORMED_JSON, null, "{'Bytes':1}"),
                Arguments.of(DeadLetterReason.MALFORMED_JSON, null, "hello"),
                Arguments.of(DeadLetterReason.MALFORMED_JSON, null, with("Bytes", "NaN")),
                Arguments.of(DeadLetterReason.MALFORMED_JSON, null, with("Bytes", "Infinity")),
                Arguments.of(DeadLetterReason.MALFORMED_JSON, null, with("Bytes", "-Infinity")),
                Arguments.of(DeadLetterReason.MALFORMED_JSON, null, BASE + BASE),
                Arguments.of(DeadLetterReason.MALFORMED_JSON, null, BASE + " x"),
                Arguments.of(DeadLetterReason.MALFORMED_JSON, null, "[1,2] 3"),
                Arguments.of(DeadLetterReason.NOT_AN_OBJECT, null, "[" + BASE + "]"),
                Arguments.of(DeadLetterReason.NOT_AN_OBJECT, null, "42"),
                Arguments.of(DeadLetterReason.NOT_AN_OBJECT, null, "\"flow\""),
                Arguments.of(DeadLetterReason.NOT_AN_OBJECT, null, "null"),
                Arguments.of(DeadLetterReason.NOT_AN_OBJECT, null, "true"),
                Arguments.of(
                        DeadLetterReason.NESTING_TOO_DEEP, null, plus("\"Future\":" + "[".repeat(20) + "]".repeat(20))),
                Arguments.of(DeadLetterReason.DUPLICATE_FIELD, "Bytes", plus("\"Bytes\":1")),
                Arguments.of(DeadLetterReason.DUPLICATE_FIELD, "Future", plus("\"Future\":1,\"Future\":2")),
                Arguments.of(
                        DeadLetterReason.DUPLICATE_FIELD, "Interface", plus("\"Interface\":\"a\",\"Interface\":\"b\"")),
                // a key seen first as null or as a drifted value, which leave the column empty
                Arguments.of(DeadLetterReason.DUPLICATE_FIELD, "Dscp", plus("\"Dscp\":null,\"Dscp\":4")),
                Arguments.of(DeadLetterReason.DUPLICATE_FIELD, "Dscp", plus("\"Dscp\":\"x\",\"Dscp\":4")),
                Arguments.of(
                        DeadLetterReason.DUPLICATE_FIELD, "Interface", plus("\"Interface\":null,\"Interface\":\"b\"")),
                Arguments.of(
                        DeadLetterReason.DUPLICATE_FIELD,
                        "IfDirection",
                        plus("\"IfDirection\":\"x\",\"IfDirection\":1")),
                Arguments.of(
                        DeadLetterReason.DUPLICATE_FIELD,
                        "NetworkEvents[].Type",
                        plus("\"NetworkEvents\":[{\"Type\":\"a\",\"Type\":\"b\"}]")),
                Arguments.of(DeadLetterReason.MISSING_FIELD, "TimeFlowStartMs", without("TimeFlowStartMs")),
                Arguments.of(DeadLetterReason.MISSING_FIELD, "TimeFlowEndMs", without("TimeFlowEndMs")),
                Arguments.of(DeadLetterReason.MISSING_FIELD, "SrcAddr", without("SrcAddr")),
                Arguments.of(DeadLetterReason.MISSING_FIELD, "DstAddr", without("DstAddr")),
                Arguments.of(DeadLetterReason.MISSING_FIELD, "SrcAddr", with("SrcAddr", "null")),
                Arguments.of(DeadLetterReason.MISSING_FIELD, "TimeFlowStartMs", "{}"),
                Arguments.of(DeadLetterReason.WRONG_TYPE, "SrcAddr", with("SrcAddr", "168822801")),
                Arguments.of(
                        DeadLetterReason.OUT_OF_RANGE, "TimeFlowStartMs", with("TimeFlowStartMs", "-1754039998112")),
                Arguments.of(
                        DeadLetterReason.OUT_OF_RANGE, "TimeFlowEndMs", with("TimeFlowEndMs", "99999999999999999")),
                Arguments.of(DeadLetterReason.OUT_OF_RANGE, null, with("Bytes", "1" + "0".repeat(80))),
                Arguments.of(DeadLetterReason.INVALID_IP, "SrcAddr", with("SrcAddr", "\"10.128.4.256\"")),
                Arguments.of(DeadLetterReason.INVALID_IP, "SrcAddr", with("SrcAddr", "\"\"")),
                Arguments.of(DeadLetterReason.INVALID_IP, "DstAddr", with("DstAddr", "\"fe80::1%eth0\"")),
                Arguments.of(DeadLetterReason.INVALID_IP, "AgentIP", with("AgentIP", "\"localhost\"")),
                Arguments.of(DeadLetterReason.INVALID_IP, "DstK8S_HostIP", with("DstK8S_HostIP", "\"10.0.142.18/32\"")),
                Arguments.of(DeadLetterReason.INVALID_MAC, "SrcMac", with("SrcMac", "\"0a:58:0a:81:02\"")),
                Arguments.of(DeadLetterReason.INVALID_MAC, "DstMac", with("DstMac", "\"0a-58-0a-81-02-22\"")),
                Arguments.of(DeadLetterReason.INVALID_MAC, "DstMac", with("DstMac", "\"0g:58:0a:81:02:22\"")),
                Arguments.of(
                        DeadLetterReason.END_BEFORE_START, "TimeFlowEndMs", with("TimeFlowEndMs", "1754039998111")),
                Arguments.of(
                        DeadLetterReason.WRONG_TYPE, "TimeFlowStartMs", with("TimeFlowStartMs", "\"1754039998112\"")),
                Arguments.of(DeadLetterReason.WRONG_TYPE, "DstAddr", with("DstAddr", "[\"10.129.2.34\"]")),
                Arguments.of(DeadLetterReason.MISSING_FIELD, "DstAddr", with("DstAddr", "null")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void rejects(DeadLetterReason reason, String field, String payload) {
        FlowParseException e =
                reject(new FlowParser(ParserConfig.defaults()), payload.getBytes(StandardCharsets.UTF_8));
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
        assertThat(e.reason().code()).isEqualTo(reason.name());
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.getMessage()).isNotBlank();
    }

    @Test
    void tombstoneIsEmpty() {
        assertThat(reject(new FlowParser(ParserConfig.defaults()), null).reason())
                .isEqualTo(DeadLetterReason.EMPTY);
    }

    @Test
    void oversizedUsesTheConfiguredLimit() {
        byte[] b = FlowFixtures.bytes("example2");
        assertThat(b.length).isGreaterThan(1024);
        FlowParser small =
                new FlowParser(ParserConfig.builder().maxMessageBytes(1024).build());
        assertThat(reject(small, b).reason()).isEqualTo(DeadLetterReason.OVERSIZED);
        FlowParser exact =
                new FlowParser(ParserConfig.builder().maxMessageBytes(b.length).build());
        assertThat(catchThrowableOfType(FlowParseException.class, () -> exact.parse(b)))
                .isNull();
    }

    @Test
    void nestingLimitIsConfigurable() throws Exception {
        byte[] deep5 = plus("\"Future\":[[[[[]]]]]").getBytes(StandardCharsets.UTF_8);
        new FlowParser(ParserConfig.defaults()).parse(deep5);
        assertThat(reject(
                                new FlowParser(ParserConfig.builder()
                                        .maxNestingDepth(5)
                                        .build()),
                                deep5)
                        .reason())
                .isEqualTo(DeadLetterReason.NESTING_TOO_DEEP);
    }

    @Test
    void invalidUtf8IsNotUtf8() {
        byte[] ok = FlowFixtures.bytes("example1");
        int at = new String(ok, StandardCharsets.UTF_8).indexOf("frontend");
        byte[][] corruptions = {
            {(byte) 0xFF},
            {(byte) 0xC0, (byte) 0xAF},
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            {(byte) 0xE2, (byte) 0x82},
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}
        };
        for (byte[] bad : corruptions) {
            byte[] b = Arrays.copyOf(ok, ok.length);
            System.arraycopy(bad, 0, b, at, bad.length);
            assertThat(reject(new FlowParser(ParserConfig.defaults()), b).reason())
                    .as(Arrays.toString(bad))
                    .isEqualTo(DeadLetterReason.NOT_UTF8);
        }
        // valid multi-byte text is fine
        byte[] b = with("SrcK8S_Name", "\"fröntend-✓-\uD83D\uDE00\"").getBytes(StandardCharsets.UTF_8);
        assertThat(catchThrowableOfType(
                        FlowParseException.class, () -> new FlowParser(ParserConfig.defaults()).parse(b)))
                .isNull();
    }

    @Test
    void everyReasonExceptInternalErrorIsCovered() {
        assertThat(cases().map(a -> a.get()[0]).distinct())
                .containsAll(Arrays.stream(DeadLetterReason.values())
                        .filter(r -> r != DeadLetterReason.INTERNAL_ERROR
                                && r != DeadLetterReason.NOT_UTF8
                                && r != DeadLetterReason.OVERSIZED)
                        .toList());
    }

    static FlowParseException reject(FlowParser p, byte[] payload) {
        FlowParseException e = catchThrowableOfType(FlowParseException.class, () -> p.parse(payload));
        assertThat(e).as("expected a rejection").isNotNull();
        return e;
    }
}
