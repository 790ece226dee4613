package io.github.netobservch.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.github.netobservch.hostile.ParserOutcomes;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tokenizer against Jackson's streaming parser (on the test classpath) as the reference: the
 * same verdict on every text of the JSON grammar's corners (with the same reason for the limits),
 * the same tokens, texts, numbers and positions on texts both accept.
 */
class JsonCursorTest {

    private static final ParserConfig CONFIG = ParserConfig.defaults();

    /** Texts at the corners of RFC 8259 and of Jackson's defaults and limits. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "{}",
                "[]",
                " {} ",
                "\t{\r\n}\n",
                "{\f}",
                "{\u000b}",
                "{}x",
                "{} {}",
                "{}{}",
                "[1] [2]",
                "5",
                "5 ",
                "5x",
                "5 6",
                "-",
                "-0",
                "-01",
                "01",
                "00",
                "0",
                "0.5",
                "0.",
                ".5",
                "-.5",
                "+1",
                "1e5",
                "1E+5",
                "1e-05",
                "1e",
                "1e+",
                "1.5e",
                "1.e5",
                "NaN",
                "-Infinity",
                "Infinity",
                "true",
                "tru",
                "truex",
                "true x",
                "nul",
                "null",
                "false",
                "falsey",
                "\"a\"",
                "\"a",
                "\"\\\"\"",
                "\"\\/\"",
                "\"\\x\"",
                "\"\\u00e9\"",
                "\"\\u00G9\"",
                "\"\\u00e\"",
                "\"\\ud800\"",
                "\"\\ud83d\\ude80\"",
                "\"\t\"",
                "\"\u007f\"",
                "\"é\"",
                "{\"a\":1,}",
                "{,}",
                "{\"a\" 1}",
                "{\"a\":}",
                "{\"a\"}",
                "{'a':1}",
                "{a:1}",
                "{\"a\":1 \"b\":2}",
                "[1,]",
                "[,1]",
                "[1 2]",
                "[1,,2]",
                "[",
                "{",
                "{\"a\":[1,{\"b\":[]}]}",
                "{\"a\":1}//c",
                "/*c*/{}",
                "#{}",
                "{\"a\":1}\u0000",
                "\ufeff{}",
                "\ufeff ",
                "\ufeff\ufeff{}",
                "{\"\\u0041\":1}",
                "{\"a\":\"\\ud800\"}",
                "{\"é\":\"ü\"}",
                "{\"a\":1}\n\n",
                "{\"a\":[1,2,3],\"b\":{\"c\":null}}",
                "[true,false,null]",
                "{\"a\":-}",
                "{\"a\":--1}",
                "{\"a\":1.5.5}",
                "{\"a\":0x10}",
                "{\"a\":1e5e5}",
                "{\"a\":[1]]}",
                "{\"a\":{}}}",
                "]",
                "}",
                ":",
                ",",
                "\"\\\"",
                "{\"a\":\"b\"",
                "{\"a\":\"b\",",
                "{\"a\":\"b\":\"c\"}",
                "9223372036854775807",
                "9223372036854775808",
                "-9223372036854775808",
                "-9223372036854775809",
                "18446744073709551615",
                "18446744073709551616",
                "123456789012345678901234567890"
            })
    void agreesWithJacksonOnTheGrammar(String text) throws Exception {
        assertSameAsJackson(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The one text where the parser does not follow Jackson: a message of exactly a byte-order mark.
     * Jackson 2.18 reads it as invalid UTF-8 (its encoding detection wants 4 bytes; with a space after
     * the mark it gives no token); it is an empty value like a mark and whitespace.
     */
    @Test
    void aByteOrderMarkAloneIsAnEmptyValue() {
        FlowParser parser = new FlowParser(CONFIG);
        for (String text : List.of("\ufeff", "\ufeff ", " ")) {
            assertThatThrownBy(() -> parser.parse(text.getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(FlowParseException.class)
                    .extracting(e -> ((FlowParseException) e).reason())
                    .isEqualTo(DeadLetterReason.EMPTY);
        }
    }

    @Test
    void agreesWithJacksonOnTheLimits() throws Exception {
        // nesting: the parser's limit (16) and one more
        for (int depth : new int[] {15, 16, 17, 40}) {
            assertSameAsJackson(("[".repeat(depth) + "]".repeat(depth)).getBytes(StandardCharsets.UTF_8));
            assertSameAsJackson(("{\"a\":".repeat(depth) + "1" + "}".repeat(depth)).getBytes(StandardCharsets.UTF_8));
        }
        // numbers: 64 digits and 65, as integers and as fractions, at the root and inside an object
        for (int digits : new int[] {63, 64, 65}) {
            String n = "1".repeat(digits);
            for (String text : List.of(
                    n,
                    "-" + n,
                    "{\"a\":" + n + "}",
                    n + "x",
                    "{\"a\":1." + "2".repeat(digits - 1) + "}",
                    "{\"a\":1e" + "2".repeat(digits - 1) + "}",
                    "[" + n + ",x]")) {
                assertSameAsJackson(text.getBytes(StandardCharsets.UTF_8));
            }
        }
        // keys: 50,000 bytes and one more, plain, escaped and non-ASCII
        for (int len : new int[] {49_999, 50_000, 50_001}) {
            assertSameAsJackson(("{\"" + "k".repeat(len) + "\":1}").getBytes(StandardCharsets.UTF_8));
            assertSameAsJackson(("{\"\\u0041" + "k".repeat(len - 1) + "\":1}").getBytes(StandardCharsets.UTF_8));
            assertSameAsJackson(("{\"é" + "k".repeat(len - 2) + "\":1}").getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void agreesWithJacksonOnRandomTexts() throws Exception {
        // short random texts over JSON's own characters: most are faults, at every position
        String alphabet = "{}[]:,\"\\-+.0123456789eEtrufalsn \t\n\r\u00e9x/u";
        SplittableRandom rnd = new SplittableRandom(20_261_207L);
        int accepted = 0;
        for (int i = 0; i < 30_000; i++) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + rnd.nextInt(12);
            for (int k = 0; k < len; k++) {
                sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            if (assertSameAsJackson(sb.toString().getBytes(StandardCharsets.UTF_8))) {
                accepted++;
            }
        }
        assertThat(accepted).as("some random texts are JSON").isGreaterThan(100);
    }

    @Test
    void numbersAreJacksons() throws Exception {
        SplittableRandom rnd = new SplittableRandom(7);
        JsonCursor c = new JsonCursor(16);
        for (int i = 0; i < 20_000; i++) {
            String n = (rnd.nextBoolean() ? "-" : "")
                    + (1 + rnd.nextInt(9))
                    + "0123456789".repeat(3).substring(0, rnd.nextInt(22));
            byte[] text = ("[" + n + "]").getBytes(StandardCharsets.US_ASCII);
            c.reset(text);
            c.next();
            assertThat(c.next()).isEqualTo(JsonToken.VALUE_NUMBER_INT);
            try (JsonParser p = jackson().createParser(text)) {
                p.nextToken();
                p.nextToken();
                boolean big = p.getNumberType() == JsonParser.NumberType.BIG_INTEGER;
                assertThat(c.big()).as(n).isEqualTo(big);
                if (big) {
                    assertThat(c.bigValue()).isEqualTo(p.getBigIntegerValue());
                } else {
                    assertThat(c.longValue()).as(n).isEqualTo(p.getLongValue());
                }
                assertThat(c.text()).isEqualTo(p.getText());
            }
        }
        c.reset("[1.5e3]".getBytes(StandardCharsets.US_ASCII));
        c.next();
        assertThat(c.next()).isEqualTo(JsonToken.VALUE_NUMBER_FLOAT);
        assertThat(c.doubleValue()).isEqualTo(1500.0);
        assertThat(c.text()).isEqualTo("1.5e3");
        assertThat(new BigInteger("18446744073709551616").bitLength()).isEqualTo(65); // the reason big() exists
    }

    @Test
    void stringsDecodeAsJacksonDecodesThem() throws Exception {
        String[] texts = {
            "plain",
            "é and ü",
            "tab\\there",
            "q\\\"uote",
            "back\\\\slash",
            "sl\\/ash",
            "\\b\\f\\n\\r\\t",
            "\\u0000\\u001f\\u00e9\\u20ac",
            "\\ud83d\\ude80 rocket",
            "lone \\ud800 high",
            "lone \\udc00 low",
            "🚀 raw",
            "mixed é\\n🚀\\u0041"
        };
        JsonCursor c = new JsonCursor(16);
        for (String s : texts) {
            byte[] text = ("{\"" + s + "\":\"" + s + "\"}").getBytes(StandardCharsets.UTF_8);
            c.reset(text);
            c.next();
            assertThat(c.next()).isEqualTo(JsonToken.FIELD_NAME);
            String key = c.text();
            assertThat(c.next()).isEqualTo(JsonToken.VALUE_STRING);
            String value = c.text();
            assertThat(new String(c.chars(), 0, c.decode())).isEqualTo(value);
            try (JsonParser p = jackson().createParser(text)) {
                p.nextToken();
                assertThat(key).as(s).isEqualTo(p.nextFieldName());
                p.nextToken();
                assertThat(value).as(s).isEqualTo(p.getText());
            }
            assertThat(c.plain()).as(s).isEqualTo(s.equals("plain"));
        }
    }

    @Test
    void positionsCoverEachTokenAsWritten() throws Exception {
        String text = "{\"a\" : \"xy\", \"b\":[12, true ,{\"c\":null}], \"d\":-3.5e1}";
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        JsonCursor c = new JsonCursor(16);
        c.reset(b);
        List<String> seen = new ArrayList<>();
        for (JsonToken t = c.next(); t != null; t = c.next()) {
            seen.add(t + "=" + text.substring(c.start(), c.end()) + "@" + c.depth());
        }
        assertThat(seen)
                .containsExactly(
                        "START_OBJECT={@1",
                        "FIELD_NAME=\"a\"@1",
                        "VALUE_STRING=\"xy\"@1",
                        "FIELD_NAME=\"b\"@1",
                        "START_ARRAY=[@2",
                        "VALUE_NUMBER_INT=12@2",
                        "VALUE_TRUE=true@2",
                        "START_OBJECT={@3",
                        "FIELD_NAME=\"c\"@3",
                        "VALUE_NULL=null@3",
                        "END_OBJECT=}@2",
                        "END_ARRAY=]@1",
                        "FIELD_NAME=\"d\"@1",
                        "VALUE_NUMBER_FLOAT=-3.5e1@1",
                        "END_OBJECT=}@0");
        // skipChildren ends past the container
        c.reset(b);
        c.next();
        c.next();
        c.next();
        c.next();
        assertThat(c.next()).isEqualTo(JsonToken.START_ARRAY);
        int from = c.start();
        c.skipChildren();
        assertThat(text.substring(from, c.end())).isEqualTo("[12, true ,{\"c\":null}]");
    }

    @Test
    void anExpectedKeyIsTakenWithoutScanningOnlyWhenItIsThere() throws Exception {
        byte[] text = "{\"Bytes\":1,\"BytesX\":2,\"Byte\":3,\"B\\u0079tes\":4}".getBytes(StandardCharsets.UTF_8);
        byte[] key = "Bytes".getBytes(StandardCharsets.US_ASCII);
        JsonCursor c = new JsonCursor(16);
        c.reset(text);
        c.next();
        List<String> matched = new ArrayList<>();
        while (c.next(key) == JsonToken.FIELD_NAME) {
            matched.add(c.text() + "=" + c.matched() + "/" + c.nameIs(key));
            c.next();
        }
        assertThat(matched)
                .containsExactly("Bytes=true/true", "BytesX=false/false", "Byte=false/false", "Bytes=false/false");
    }

    @Test
    void faultsSayWhereAndMarkTheCursor() {
        JsonCursor c = new JsonCursor(16);
        c.reset("{\"a\":1,}".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> {
                    while (c.next() != null) {
                        // read on
                    }
                })
                .isInstanceOf(FlowParseException.class)
                .hasMessageContaining("offset 7")
                .extracting(e -> ((FlowParseException) e).reason())
                .isEqualTo(DeadLetterReason.MALFORMED_JSON);
        assertThat(c.failed()).isTrue();
        c.reset("{}".getBytes(StandardCharsets.US_ASCII));
        assertThat(c.failed()).isFalse();
    }

    /** Returns whether the text is JSON; fails the test where the cursor and Jackson disagree. */
    private static boolean assertSameAsJackson(byte[] text) throws Exception {
        DeadLetterReason jackson = ParserOutcomes.documentFault(text, CONFIG);
        boolean utf8 = ParserOutcomes.reachesJson(text, CONFIG);
        JsonCursor c = new JsonCursor(CONFIG.maxNestingDepth());
        c.reset(text);
        DeadLetterReason cursor = null;
        List<JsonToken> tokens = new ArrayList<>();
        try {
            c.skipToEnd();
        } catch (FlowParseException e) {
            cursor = e.reason();
            assertThat(c.failed()).isTrue();
        }
        String shown = new String(text, StandardCharsets.UTF_8);
        if (!utf8) {
            // not reached in the parser (checked before); the cursor still rejects it
            assertThat(cursor).as(shown).isNotNull();
            return false;
        }
        assertThat(cursor).as("verdict on %s", shown).isEqualTo(jackson);
        if (jackson == null) {
            // the same tokens as Jackson
            c.reset(text);
            for (JsonToken t = c.next(); t != null; t = c.next()) {
                tokens.add(t);
            }
            List<JsonToken> expected = new ArrayList<>();
            try (JsonParser p = jackson().createParser(text)) {
                for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                    expected.add(t);
                }
            }
            assertThat(tokens).as(shown).isEqualTo(expected);
        }
        return jackson == null;
    }

    private static JsonFactory jackson() {
        return JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(16)
                        .maxNumberLength(64)
                        .build())
                .build();
    }
}
