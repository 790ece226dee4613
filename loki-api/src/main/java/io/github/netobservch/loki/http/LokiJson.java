package io.github.netobservch.loki.http;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.netobservch.loki.query.Results.Entry;
import io.github.netobservch.loki.query.Results.Matrix;
import io.github.netobservch.loki.query.Results.Point;
import io.github.netobservch.loki.query.Results.Result;
import io.github.netobservch.loki.query.Results.Series;
import io.github.netobservch.loki.query.Results.Stream;
import io.github.netobservch.loki.query.Results.Streams;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Loki's JSON answers, byte for byte in the shapes the console plugin decodes: stream values are
 * {@code ["<ns as string>", "<line>"]}, matrix values {@code [<seconds as number>, "<value>"]}
 * with Go's shortest plain float formatting.
 */
public final class LokiJson {

    private static final JsonFactory FACTORY = new JsonFactory();

    private LokiJson() {}

    /** {@code {"status":"success","data":{"resultType":...,"result":[...],"stats":{...}}}}. */
    public static byte[] queryResponse(Result result, long execMicros) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("status", "success");
            g.writeObjectFieldStart("data");
            if (result instanceof Streams s) {
                g.writeStringField("resultType", "streams");
                g.writeArrayFieldStart("result");
                for (Stream st : s.streams()) {
                    g.writeStartObject();
                    writeLabels(g, "stream", st.labels());
                    g.writeArrayFieldStart("values");
                    for (Entry e : st.entries()) {
                        g.writeStartArray();
                        g.writeString(e.tsMs() + "000000");
                        g.writeString(e.line());
                        g.writeEndArray();
                    }
                    g.writeEndArray();
                    g.writeEndObject();
                }
                g.writeEndArray();
                writeStats(g, execMicros, s.entryCount());
            } else {
                Matrix m = (Matrix) result;
                g.writeStringField("resultType", "matrix");
                g.writeArrayFieldStart("result");
                for (Series se : m.series()) {
                    g.writeStartObject();
                    writeLabels(g, "metric", se.metric());
                    g.writeArrayFieldStart("values");
                    for (Point p : se.points()) {
                        g.writeStartArray();
                        g.writeNumber(BigDecimal.valueOf(p.tsMs(), 3)
                                .stripTrailingZeros()
                                .toPlainString());
                        g.writeString(formatValue(p.value()));
                        g.writeEndArray();
                    }
                    g.writeEndArray();
                    g.writeEndObject();
                }
                g.writeEndArray();
                writeStats(g, execMicros, 0);
            }
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    /** {@code {"status":"success","data":["v1",...]}}. */
    public static byte[] labelValues(List<String> values) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("status", "success");
            g.writeArrayFieldStart("data");
            for (String v : values) {
                g.writeString(v);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** An error object with string values only (the plugin decodes it as map[string]string). */
    public static byte[] error(String errorType, String message) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("status", "error");
            g.writeStringField("errorType", errorType);
            g.writeStringField("error", message);
            g.writeEndObject();
        });
    }

    /** A flat JSON object of strings (buildinfo). */
    public static byte[] object(Map<String, String> fields) {
        return write(g -> {
            g.writeStartObject();
            for (Map.Entry<String, String> e : fields.entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        });
    }

    /** Go's {@code strconv.FormatFloat(v, 'f', -1, 64)}: shortest digits, no exponent. */
    public static String formatValue(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == 0) {
            return (1 / v < 0) ? "-0" : "0";
        }
        String plain = new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
        return plain;
    }

    private static void writeLabels(JsonGenerator g, String field, Map<String, String> labels) throws IOException {
        g.writeObjectFieldStart(field);
        for (Map.Entry<String, String> e : labels.entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    private static void writeStats(JsonGenerator g, long execMicros, int entries) throws IOException {
        g.writeObjectFieldStart("stats");
        g.writeObjectFieldStart("summary");
        g.writeNumberField("execTime", execMicros / 1e6);
        g.writeNumberField("totalEntriesReturned", entries);
        g.writeEndObject();
        g.writeEndObject();
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] write(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
