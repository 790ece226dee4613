package io.github.netobservch.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The hostile-input corpus under {@code src/test/resources/hostile/}: one Kafka message per file,
 * listed in {@code corpus.tsv} with the outcome the job must produce — a dead-letter reason code, or
 * {@link #ROW} when the message must load as a correct row, or {@code WARN:Field:REASON} when it must
 * load as a row with that one parse warning (an optional field whose value does not fit its column:
 * the column stays empty, the value stays in {@code raw}). A file's bytes are the message exactly;
 * {@code *.hex} files hold hex-encoded bytes (invalid UTF-8, raw control characters, BOM) so that no
 * editor or tool can "repair" them. Entries starting with {@code @} are generated here at test time
 * (10 MB messages, 10,000-level nesting) instead of being committed.
 */
public final class HostileCorpus {

    /** Expected outcome of a message that must become a row in {@code flows}. */
    public static final String ROW = "ROW";
    /** Prefix of the expected outcome of a message that must load with one parse warning. */
    public static final String WARN = "WARN:";

    /** One message. {@code value} is null for a Kafka tombstone. */
    public record Entry(String name, byte[] value, String expected, String note) {
        public boolean expectsRow() {
            return ROW.equals(expected) || expected.startsWith(WARN);
        }

        /** The parse warning ({@code Field:REASON}) the row must carry, or {@code null} for none. */
        public String expectedWarning() {
            return expected.startsWith(WARN) ? expected.substring(WARN.length()) : null;
        }

        @Override
        public String toString() {
            return name + " -> " + expected + " (" + (value == null ? "null" : value.length + " B") + ")";
        }
    }

    private static final String DIR = "/hostile/";

    /** Size of the generated oversized message: 10 MiB. */
    public static final int OVERSIZED_BYTES = 10 * 1024 * 1024;

    private HostileCorpus() {}

    /** Every entry of the manifest, in manifest order. */
    public static List<Entry> load() {
        List<Entry> out = new ArrayList<>();
        for (String line : new String(resource("corpus.tsv"), StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", 3);
            if (f.length < 2) {
                throw new IllegalStateException("bad corpus.tsv line: " + line);
            }
            String name = f[0];
            String note = f.length > 2 ? f[2] : "";
            byte[] value;
            if (name.startsWith("@")) {
                value = generate(name);
            } else if (name.endsWith(".hex")) {
                value = HexFormat.of()
                        .parseHex(new String(resource(name), StandardCharsets.US_ASCII).replaceAll("\\s+", ""));
            } else {
                value = resource(name);
            }
            out.add(new Entry(name, value, f[1], note));
        }
        return out;
    }

    /** A valid single-line flow record; {@code srcPort} keeps flow keys distinct. */
    public static String validRecord(int srcPort, String extraJson) {
        return "{\"TimeFlowStartMs\":1754039998112,\"TimeFlowEndMs\":1754040012873,\"SrcAddr\":\"10.128.4.17\","
                + "\"DstAddr\":\"10.129.2.34\",\"SrcPort\":" + srcPort + ",\"DstPort\":8080,\"Proto\":6,\"Bytes\":100,"
                + "\"Packets\":2,\"AgentIP\":\"10.0.142.18\",\"Interfaces\":[\"eth0\"],\"IfDirections\":[0],"
                + "\"SrcK8S_Namespace\":\"shop\"" + extraJson + "}";
    }

    static byte[] generate(String name) {
        switch (name) {
            case "@deep-nesting-10000":
                return utf8(validRecord(41001, ",\"junk\":" + "[".repeat(10_000) + "]".repeat(10_000)));
            case "@deep-nesting-root-10000":
                return utf8("[".repeat(10_000) + "]".repeat(10_000));
            case "@deep-objects-10000":
                return utf8("{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000));
            case "@oversized-10mb":
                return padded(41002, OVERSIZED_BYTES);
            case "@large-900kb":
                return padded(41003, 900 * 1024);
            case "@tombstone":
                return null;
            default:
                throw new IllegalArgumentException("unknown generated corpus entry " + name);
        }
    }

    /** A valid record of exactly {@code size} bytes, padded with an unknown string field. */
    private static byte[] padded(int srcPort, int size) {
        String head = validRecord(srcPort, ",\"padding\":\"");
        head = head.substring(0, head.length() - 1); // drop the closing brace
        int fill = size - head.length() - 2; // + "\"}"
        byte[] out = new byte[size];
        byte[] h = utf8(head);
        System.arraycopy(h, 0, out, 0, h.length);
        Arrays.fill(out, h.length, h.length + fill, (byte) 'x');
        out[size - 2] = '"';
        out[size - 1] = '}';
        return out;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] resource(String name) {
        try (InputStream in = HostileCorpus.class.getResourceAsStream(DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("no test resource " + DIR + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
