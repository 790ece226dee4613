package io.github.netobservch.hostile;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.github.netobservch.format.FlowFixtures;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.format.FlowRecordSerializer;
import io.github.netobservch.parse.DeadLetterReason;
import io.github.netobservch.parse.FlowParseException;
import io.github.netobservch.parse.FlowParser;
import io.github.netobservch.parse.ParserConfig;
import io.github.netobservch.parse.RawPolicy;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * The parser's outcome for a fixed, reproducible set of messages: the reference fixtures, the
 * hostile corpus, generator records (legacy and invalid ones included) and 20,000 mutations of
 * them ({@link FlowParserFuzzTest#mutate}, fixed seed). An outcome is the dead-letter reason and
 * field, or a digest of the accepted record's serialized bytes (every column, {@code raw} and
 * {@code raw_key_bits} included).
 *
 * <p>{@link #main} writes the outcomes of the parser on the classpath to a file: it wrote {@code
 * parser-outcomes.tsv.gz} with the Jackson-based parser of 446bdeb, with one rule applied on top
 * (the order of checks {@link FlowParser} documents): a message that is not one well-formed JSON
 * document within the limits is rejected for that (as Jackson's streaming parser, read to its end,
 * says; one root value only), even where that parser stopped earlier at a field-level fault.
 * {@link ParserOutcomesTest} holds today's parser to that file. When the messages change (the
 * generator, the fixtures, the corpus), the file is rewritten with {@link #main} and the parser of
 * the commit before the change, so that it still records what an unchanged parser gives.
 *
 * <p>Rewritten once by a parser change, with schema V008 ({@code raw_key_bits} instead of the key list
 * {@code raw_keys}): before that, the outcomes of both parsers were compared message by message on a
 * form that does not depend on the change (every other column's value, {@code raw}, and the set of
 * keys whose value a column holds): all 60,927 the same except 51 under unmapped, exactly the
 * messages with a comma in an unknown key, which are now kept as residue instead of whole (a comma
 * no longer needs to be listed anywhere).
 */
public final class ParserOutcomes {

    static final long SEED = 20_261_207L;
    static final int MUTATIONS = 20_000;
    static final String RESOURCE = "/hostile/parser-outcomes.tsv.gz";

    private ParserOutcomes() {}

    /** The messages, in a fixed order. */
    public static List<byte[]> messages() {
        List<byte[]> out = new ArrayList<>();
        for (String f : FlowFixtures.ALL) {
            out.add(FlowFixtures.bytes(f));
        }
        for (HostileCorpus.Entry e : HostileCorpus.load()) {
            out.add(e.value());
        }
        List<byte[]> seeds = FlowParserFuzzTest.seeds(SEED);
        out.addAll(seeds);
        SplittableRandom rnd = new SplittableRandom(SEED);
        for (int i = 0; i < MUTATIONS; i++) {
            out.add(FlowParserFuzzTest.mutate(seeds.get(rnd.nextInt(seeds.size())), rnd));
        }
        return out;
    }

    /** One line per message and raw policy: {@code <index> <policy> <outcome>}. */
    static List<String> outcomes(List<byte[]> messages) {
        List<String> lines = new ArrayList<>(messages.size() * RawPolicy.values().length);
        for (RawPolicy policy : RawPolicy.values()) {
            ParserConfig config = ParserConfig.builder().rawPolicy(policy).build();
            FlowParser parser = new FlowParser(config);
            for (int i = 0; i < messages.size(); i++) {
                lines.add(i + " " + policy.name().charAt(0) + " " + outcome(parser, config, messages.get(i)));
            }
        }
        return lines;
    }

    /** {@code ok <digest>} or {@code <REASON> <field or ->}. */
    static String outcome(FlowParser parser, ParserConfig config, byte[] message) {
        try {
            return "ok " + digest(parser.parse(message));
        } catch (FlowParseException e) {
            return e.reason().name() + " " + (e.field() == null ? "-" : e.field());
        }
    }

    /**
     * Whether Jackson's streaming parser, with the parser's limits, reads the message to its end
     * without an error: {@code null} if so (or if a check before the JSON text rejects it: empty,
     * oversized, not UTF-8, NUL at the start), else the reason that error maps to.
     */
    public static DeadLetterReason documentFault(byte[] message, ParserConfig config) {
        if (!reachesJson(message, config)) {
            return null;
        }
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(config.maxNestingDepth())
                        .maxNumberLength(64)
                        .build())
                .build();
        try (JsonParser p = factory.createParser(message)) {
            JsonToken t = p.nextToken();
            int depth = 0;
            while (t != null) {
                // every token read (strings are checked when skipped); one root value only
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    depth++;
                } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    depth--;
                }
                t = p.nextToken();
                if (depth == 0 && t != null) {
                    return DeadLetterReason.MALFORMED_JSON; // a second root value
                }
            }
            return null;
        } catch (StreamConstraintsException e) {
            String m = String.valueOf(e.getOriginalMessage());
            return m.contains("depth")
                    ? DeadLetterReason.NESTING_TOO_DEEP
                    : m.contains("Number") ? DeadLetterReason.OUT_OF_RANGE : DeadLetterReason.OVERSIZED;
        } catch (JsonParseException e) {
            return DeadLetterReason.MALFORMED_JSON;
        } catch (IOException e) {
            return DeadLetterReason.MALFORMED_JSON;
        }
    }

    /** Whether the message passes the checks before its JSON text is read (not empty, not oversized, UTF-8, no NUL at the start). */
    public static boolean reachesJson(byte[] message, ParserConfig config) {
        return message != null
                && message.length > 0
                && message.length <= config.maxMessageBytes()
                && isUtf8(message)
                && !startsWithNul(message);
    }

    /** Well-formed UTF-8, as the JDK's strict decoder says (no lone surrogates, no overlongs). */
    private static boolean isUtf8(byte[] value) {
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static boolean startsWithNul(byte[] value) {
        for (int i = 0, n = Math.min(4, value.length); i < n; i++) {
            if (value[i] == 0) {
                return true;
            }
        }
        return false;
    }

    static String digest(FlowRecord r) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(2048);
            new FlowRecordSerializer().serialize(r, out);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(out.getSharedBuffer(), 0, out.length());
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes the outcomes of the parser on the classpath, with the document rule applied, to the
     * file given (gzip): {@code java -cp … ParserOutcomes job/src/test/resources/hostile/parser-outcomes.tsv.gz}.
     */
    public static void main(String[] args) throws IOException {
        List<byte[]> messages = messages();
        List<String> lines = outcomes(messages);
        int overridden = 0;
        StringBuilder sb = new StringBuilder();
        for (String line : lines) {
            String[] f = line.split(" ", 3);
            byte[] m = messages.get(Integer.parseInt(f[0]));
            DeadLetterReason fault = documentFault(m, ParserConfig.defaults());
            if (fault != null && !f[2].startsWith(fault.name() + " ")) {
                line = f[0] + " " + f[1] + " " + fault.name() + " -";
                overridden++;
            }
            sb.append(line).append('\n');
        }
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(Path.of(args[0])))) {
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        System.out.println(lines.size() + " outcomes of " + messages.size() + " messages written to " + args[0] + "; "
                + overridden + " set to the document's fault");
    }
}
