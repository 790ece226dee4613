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
 * RecordFieldsTest} checks it is current), with the test of whether a row's column holds it. Lets a
 * query read one field of a row written under {@code raw.policy} unmapped or none from one column
 * instead of rebuilding the whole record.
 */
final class RecordFields {

    private static final Map<String, String[]> FIELDS = load();

    private RecordFields() {}

    /** The SQL of the field from its column, or {@code null} when no column holds it. */
    static String scalar(String field) {
        String[] f = FIELDS.get(field);
        return f == null ? null : f[1];
    }

    /**
     * The SQL of whether a row's column holds the field (its bit in {@code raw_key_bits}, or its key in
     * the {@code raw_keys} of a row written before V008), or {@code null} when no column holds it.
     */
    static String listed(String field) {
        String[] f = FIELDS.get(field);
        return f == null ? null : f[0];
    }

    static Map<String, String[]> all() {
        return FIELDS;
    }

    private static Map<String, String[]> load() {
        try (InputStream in = RecordFields.class.getResourceAsStream("/record-fields.tsv")) {
            if (in == null) {
                throw new IllegalStateException("record-fields.tsv is missing from the class path");
            }
            Map<String, String[]> out = new LinkedHashMap<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", 3);
                out.put(f[0], new String[] {f[1], f[2]});
            }
            return Map.copyOf(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
