package io.github.netobservch.loki.query;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The record fields the job keeps in columns, and how to read each as a {@code | json} scalar from its
 * column ({@code record-fields.tsv}, generated from the job's column registry; {@code
 * RecordFieldsTest} checks it is current). Lets a query read one field of a row written under {@code
 * raw.policy} unmapped or none from one column instead of rebuilding the whole record.
 */
final class RecordFields {

    private static final Map<String, String> SCALARS = load();

    private RecordFields() {}

    /** The SQL of the field from its column, or {@code null} when no column holds it. */
    static String scalar(String field) {
        return SCALARS.get(field);
    }

    static Map<String, String> all() {
        return SCALARS;
    }

    private static Map<String, String> load() {
        try (InputStream in = RecordFields.class.getResourceAsStream("/record-fields.tsv")) {
            if (in == null) {
                throw new IllegalStateException("record-fields.tsv is missing from the class path");
            }
            Map<String, String> out = new LinkedHashMap<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int tab = line.indexOf('\t');
                out.put(line.substring(0, tab), line.substring(tab + 1));
            }
            return Map.copyOf(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
