package io.github.netobservch.testing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Comparator;

/**
 * "The same JSON": the same keys with the same values, numbers compared by value ({@code 1.0} and
 * {@code 1}, {@code 1e3} and {@code 1000} are one number; floats read exactly), objects regardless of
 * key order, strings by their decoded text. What "no field lost" means for a rebuilt record.
 */
public final class JsonSameness {

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private static final Comparator<JsonNode> NUMBERS_BY_VALUE = (x, y) -> {
        if (x.isNumber() && y.isNumber()) {
            return x.decimalValue().compareTo(y.decimalValue());
        }
        return x.equals(y) ? 0 : 1;
    };

    private JsonSameness() {}

    /** The tree of a JSON text (a UTF-8 BOM before it is skipped); {@code null} when it is not JSON. */
    public static JsonNode tree(String json) {
        try {
            return JSON.readTree(json.startsWith("\uFEFF") ? json.substring(1) : json);
        } catch (IOException e) {
            return null;
        }
    }

    public static boolean same(JsonNode a, JsonNode b) {
        return a != null && b != null && a.equals(NUMBERS_BY_VALUE, b);
    }

    /** Whether two texts are the same JSON (false when either is not JSON). */
    public static boolean same(String a, String b) {
        return same(tree(a), tree(b));
    }

    public static ObjectMapper mapper() {
        return JSON;
    }
}
