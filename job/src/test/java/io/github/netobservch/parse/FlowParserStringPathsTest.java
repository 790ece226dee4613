package io.github.netobservch.parse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.github.netobservch.format.Column;
import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.format.IpAddresses;
import io.github.netobservch.format.ValueKind;
import io.github.netobservch.generate.FlowGenerator;
import io.github.netobservch.generate.GeneratorConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The parser reads a string value one of two ways (plain ASCII straight from the input bytes,
 * anything else decoded by Jackson) and finds a key one of two ways (the predicted next key, or a
 * lookup), so both must give the same values in every mix. Generated records (legacy shapes, IPv6,
 * network events) get some string values rewritten with escapes and non-ASCII text, so that the two
 * string paths alternate within a record, and some records get their keys shuffled, so that key
 * predictions fail; one parser reads them all in sequence, and every string, address and number
 * must equal what an independent JSON tree reads.
 */
class FlowParserStringPathsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String[] ODD_TEXT = {"é", "\"", "\\", "\t", "✓", "\uD83D\uDE00", "\u0001"};

    @Test
    void everyValueEqualsTheJsonTreesWhicheverPathReadIt() throws Exception {
        SplittableRandom rnd = new SplittableRandom(20250801L);
        FlowGenerator generator = new FlowGenerator(GeneratorConfig.builder(11)
                .invalidShare(0)
                .legacyShare(0.2)
                .ipv6Share(0.2)
                .networkEventsShare(0.2)
                .build());
        FlowParser parser = new FlowParser(ParserConfig.defaults());
        int oddStrings = 0;
        for (int n = 0; n < 3_000; n++) {
            ObjectNode tree = (ObjectNode) MAPPER.readTree(generator.next().value());
            oddStrings += rewriteSomeStrings(tree, rnd);
            if (rnd.nextInt(4) == 0) {
                tree = shuffled(tree, rnd);
            }
            byte[] json = MAPPER.writeValueAsBytes(tree);
            FlowRecord r = parser.parse(json);
            for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                Column c = ColumnRegistry.byJsonName(f.getKey());
                if (c != null) {
                    assertSameValue(r, c, f.getValue(), json);
                }
            }
        }
        assertThat(oddStrings).as("rewritten strings").isGreaterThan(1_000);
    }

    private static void assertSameValue(FlowRecord r, Column c, JsonNode v, byte[] json) {
        String where = c.jsonName() + " in " + new String(json, StandardCharsets.UTF_8);
        if (v.isNull()) {
            return;
        }
        switch (c.kind()) {
            case STRING:
            case LOW_CARDINALITY_STRING:
                assertThat(r.getString(c)).as(where).isEqualTo(v.textValue());
                break;
            case MAC:
                assertThat(r.getString(c)).as(where).isEqualTo(v.textValue().toLowerCase());
                break;
            case IP:
                long[] ip = new long[2];
                assertThat(IpAddresses.parse(v.textValue(), ip)).as(where).isTrue();
                assertThat(r.ipText(c)).as(where).isEqualTo(IpAddresses.format(ip[0], ip[1]));
                break;
            case STRING_ARRAY:
            case LOW_CARDINALITY_STRING_ARRAY:
            case TCP_FLAGS:
                if (v.isArray()) {
                    List<String> expected = new ArrayList<>();
                    v.forEach(x -> expected.add(x.textValue()));
                    assertThat(r.getStrings(c)).as(where).containsExactlyElementsOf(expected);
                }
                break;
            case NETWORK_EVENTS:
                String[][] events = r.getEvents(c);
                assertThat(events.length).as(where).isEqualTo(v.size());
                for (int e = 0; e < events.length; e++) {
                    JsonNode event = v.get(e);
                    for (int i = 0; i + 1 < events[e].length; i += 2) {
                        JsonNode x = event.get(events[e][i]);
                        if (x.isTextual()) {
                            assertThat(events[e][i + 1]).as(where).isEqualTo(x.textValue());
                        }
                    }
                }
                break;
            case BOOL:
                assertThat(r.getBool(c)).as(where).isEqualTo(v.booleanValue());
                break;
            case UINT8_ARRAY:
                break;
            default:
                assertThat(r.getLong(c)).as(where).isEqualTo(v.longValue());
        }
    }

    /** Rewrites ~1 in 4 free-text string values (not addresses) to contain escapes or non-ASCII text. */
    private static int rewriteSomeStrings(ObjectNode tree, SplittableRandom rnd) {
        int n = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            Column c = ColumnRegistry.byJsonName(f.getKey());
            if (c == null || c.kind() == ValueKind.IP || c.kind() == ValueKind.MAC || c.kind() == ValueKind.TCP_FLAGS) {
                continue;
            }
            JsonNode v = f.getValue();
            if (v.isTextual() && rnd.nextInt(4) == 0) {
                f.setValue(TextNode.valueOf(odd(v.textValue(), rnd)));
                n++;
            } else if (v.isArray()) {
                ArrayNode a = (ArrayNode) v;
                for (int i = 0; i < a.size(); i++) {
                    if (a.get(i).isTextual() && rnd.nextInt(4) == 0) {
                        a.set(i, TextNode.valueOf(odd(a.get(i).textValue(), rnd)));
                        n++;
                    }
                }
            }
        }
        return n;
    }

    private static String odd(String s, SplittableRandom rnd) {
        int at = rnd.nextInt(s.length() + 1);
        return s.substring(0, at) + ODD_TEXT[rnd.nextInt(ODD_TEXT.length)] + s.substring(at);
    }

    private static ObjectNode shuffled(ObjectNode tree, SplittableRandom rnd) {
        List<String> keys = new ArrayList<>();
        tree.fieldNames().forEachRemaining(keys::add);
        Collections.shuffle(keys, new Random(rnd.nextLong()));
        ObjectNode out = MAPPER.createObjectNode();
        for (String k : keys) {
            out.set(k, tree.get(k));
        }
        return out;
    }
}
