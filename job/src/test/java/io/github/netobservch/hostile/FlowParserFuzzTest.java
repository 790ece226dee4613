package io.github.netobservch.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.enrich.FlowEnricher;
import io.github.netobservch.format.FlowFixtures;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.generate.FlowGenerator;
import io.github.netobservch.generate.GeneratorConfig;
import io.github.netobservch.parse.FlowParseException;
import io.github.netobservch.parse.FlowParser;
import io.github.netobservch.parse.KafkaMessage;
import io.github.netobservch.parse.ParserConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seeded mutation fuzzing of the parser, no extra dependency: generator records and the reference
 * fixtures get byte flips, truncations, insertions of JSON tokens, value/type swaps, deletions and
 * duplications; every result goes through {@link FlowParser} (+ enrichment, as the parse function
 * does). Properties: nothing but {@link FlowParseException} is ever thrown; a rejection always has a
 * reason and a message; an accepted record is RowBinary-encodable and survives Flink's serializer.
 * The seed is fixed ({@link #DEFAULT_SEED}), so every CI run checks the same messages, and logged;
 * {@code -Dfuzz.seed=random} explores new ones, {@code -Dfuzz.seed=N} reproduces a run, {@code
 * -Dfuzz.count=N} changes its size.
 */
class FlowParserFuzzTest {

    private static final Logger LOG = LoggerFactory.getLogger(FlowParserFuzzTest.class);

    static final String[] TOKENS = {
        "null",
        "true",
        "false",
        "0",
        "-1",
        "1e400",
        "18446744073709551616",
        "18446744073709551615",
        "-0",
        "0.5",
        "NaN",
        "\"\"",
        "\"x\"",
        "[]",
        "{}",
        "[1,2]",
        "[{}]",
        "{\"a\":[",
        "]",
        "}",
        ",",
        ":",
        "\"",
        "\\",
        "\\u0000",
        "\"\\ud800\"",
        "\"fe80::1%eth0\"",
        "\"999.1.1.1\"",
        "\"::ffff:1.2.3.4\"",
        "\"'); DROP TABLE flows; --\"",
        "\"\uD83D\uDE80\"",
        "9223372036854775807",
        "-9223372036854775808",
        "4294967296",
        "65536",
        "256",
        "10413791999999",
        "10413792000000",
        "\"SrcAddr\":",
        "\"TimeFlowEndMs\":0,",
        "\"Flags\":",
        "\"NetworkEvents\":[{\"a\":1}]"
    };

    /** The default seed: every run fuzzes the same messages unless asked otherwise. */
    static final long DEFAULT_SEED = 20_261_206L;

    /** {@code -Dfuzz.seed=N} for a given seed, {@code -Dfuzz.seed=random} for a new one (logged); else {@link #DEFAULT_SEED}. */
    static long seed() {
        String s = System.getProperty("fuzz.seed");
        if (s == null || s.isBlank()) {
            return DEFAULT_SEED;
        }
        return s.trim().equals("random") ? System.nanoTime() : Long.parseLong(s.trim());
    }

    static int count() {
        return Integer.getInteger("fuzz.count", 20_000);
    }

    /** Valid inputs to mutate: the fixtures and generator records (valid and invalid ones). */
    static List<byte[]> seeds(long seed) {
        List<byte[]> out = new ArrayList<>();
        for (String f : FlowFixtures.ALL) {
            out.add(FlowFixtures.bytes(f));
        }
        FlowGenerator generator = new FlowGenerator(GeneratorConfig.builder(seed)
                .invalidShare(0.05)
                .legacyShare(0.2)
                .build());
        for (int i = 0; i < 200; i++) {
            out.add(generator.next().value());
        }
        return out;
    }

    static byte[] mutate(byte[] in, SplittableRandom rnd) {
        byte[] b = in;
        int rounds = 1 + rnd.nextInt(3);
        for (int r = 0; r < rounds; r++) {
            if (b.length == 0) {
                b = TOKENS[rnd.nextInt(TOKENS.length)].getBytes(StandardCharsets.UTF_8);
                continue;
            }
            int at = rnd.nextInt(b.length);
            switch (rnd.nextInt(7)) {
                case 0: { // byte flip (any byte value: invalid UTF-8, controls, ...)
                    b = b.clone();
                    b[at] = (byte) (rnd.nextBoolean() ? rnd.nextInt(256) : b[at] ^ (1 << rnd.nextInt(8)));
                    break;
                }
                case 1: // truncation
                    b = java.util.Arrays.copyOf(b, at);
                    break;
                case 2: // token insertion
                    b = splice(b, at, at, TOKENS[rnd.nextInt(TOKENS.length)].getBytes(StandardCharsets.UTF_8));
                    break;
                case 3: { // value/type swap: replace the value after a ':' with a token
                    int colon = indexOf(b, (byte) ':', at);
                    if (colon < 0) {
                        break;
                    }
                    int end = valueEnd(b, colon + 1);
                    b = splice(b, colon + 1, end, TOKENS[rnd.nextInt(TOKENS.length)].getBytes(StandardCharsets.UTF_8));
                    break;
                }
                case 4: { // deletion of a short range
                    int end = Math.min(b.length, at + 1 + rnd.nextInt(16));
                    b = splice(b, at, end, new byte[0]);
                    break;
                }
                case 5: { // duplication of a range (duplicate keys, repeated structure)
                    int end = Math.min(b.length, at + 1 + rnd.nextInt(64));
                    b = splice(b, end, end, java.util.Arrays.copyOfRange(b, at, end));
                    break;
                }
                default: { // numeric tweak: replace a digit run with an extreme number
                    int d = at;
                    while (d < b.length && (b[d] < '0' || b[d] > '9')) {
                        d++;
                    }
                    int e = d;
                    while (e < b.length && b[e] >= '0' && b[e] <= '9') {
                        e++;
                    }
                    if (d < b.length) {
                        String[] nums = {
                            "0",
                            "18446744073709551615",
                            "18446744073709551616",
                            "4294967295",
                            "65535",
                            "255",
                            "10413791999999",
                            "99999999999999999999999"
                        };
                        b = splice(b, d, e, nums[rnd.nextInt(nums.length)].getBytes(StandardCharsets.US_ASCII));
                    }
                }
            }
        }
        return b;
    }

    @Test
    void parserNeverThrowsAndAcceptedRecordsAreWritable() {
        long seed = seed();
        int n = count();
        LOG.info("fuzzing the parser with {} mutated messages, seed {} (reproduce with -Dfuzz.seed={})", n, seed, seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        List<byte[]> seeds = seeds(seed);
        FlowParser parser = new FlowParser(ParserConfig.defaults());
        Map<io.github.netobservch.parse.DeadLetterReason, Integer> reasons =
                new EnumMap<>(io.github.netobservch.parse.DeadLetterReason.class);
        int accepted = 0;
        int unscanned = 0;
        for (int i = 0; i < n; i++) {
            byte[] input = mutate(seeds.get(rnd.nextInt(seeds.size())), rnd);
            try {
                FlowRecord r = parser.parse(new KafkaMessage("flows-export", 0, i, 1_754_040_014_000L, input));
                FlowEnricher.enrich(r);
                HostileAssertions.assertEncodableAndSerializable(r);
                // The source's raw event-time scan agrees with the parser, or finds nothing (then the
                // Kafka timestamp stands in): it never invents another time.
                long scanned = io.github.netobservch.pipeline.RawFlowEndTime.find(input);
                if (scanned != -1) {
                    assertThat(scanned)
                            .as("raw TimeFlowEndMs scan")
                            .isEqualTo(r.getLong(io.github.netobservch.format.ColumnRegistry.TIME_FLOW_END_MS));
                } else {
                    unscanned++;
                }
                accepted++;
            } catch (FlowParseException e) {
                assertThat(e.reason()).isNotNull();
                assertThat(e.getMessage()).isNotBlank();
                reasons.merge(e.reason(), 1, Integer::sum);
            } catch (Throwable t) {
                throw new AssertionError(
                        "seed " + seed + ", message " + i + ": " + t + "; input (base64) "
                                + Base64.getEncoder().encodeToString(input),
                        t);
            }
        }
        LOG.info(
                "fuzz seed {}: {} accepted ({} without a scannable TimeFlowEndMs), rejected by reason {}",
                seed,
                accepted,
                unscanned,
                reasons);
        assertThat(accepted).as("the mutator keeps some records valid").isPositive();
        assertThat(reasons).as("the mutator reaches many rejection paths").hasSizeGreaterThanOrEqualTo(8);
        assertThat(reasons).doesNotContainKey(io.github.netobservch.parse.DeadLetterReason.INTERNAL_ERROR);
    }

    static byte[] splice(byte[] b, int from, int to, byte[] insert) {
        byte[] out = new byte[b.length - (to - from) + insert.length];
        System.arraycopy(b, 0, out, 0, from);
        System.arraycopy(insert, 0, out, from, insert.length);
        System.arraycopy(b, to, out, from + insert.length, b.length - to);
        return out;
    }

    private static int indexOf(byte[] b, byte x, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }

    /** End of a JSON value starting at {@code i} (approximate: up to the next , } ] outside strings). */
    private static int valueEnd(byte[] b, int i) {
        boolean str = false;
        int depth = 0;
        for (int k = i; k < b.length; k++) {
            byte c = b[k];
            if (str) {
                if (c == '\\') {
                    k++;
                } else if (c == '"') {
                    str = false;
                }
            } else if (c == '"') {
                str = true;
            } else if (c == '[' || c == '{') {
                depth++;
            } else if (c == ']' || c == '}') {
                if (depth == 0) {
                    return k;
                }
                depth--;
            } else if (c == ',' && depth == 0) {
                return k;
            }
        }
        return b.length;
    }
}
