package io.github.netobservch.parse;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Utf8#isValid} agrees with the JDK's strict UTF-8 decoder (which rejects overlongs,
 * surrogates and code points above U+10FFFF) on every 2-byte sequence and on 3- and 4-byte ones
 * built from boundary bytes, each placed at offsets before, inside and after the 32- and 8-byte
 * ASCII fast paths, and on seeded random mixes of ASCII and multi-byte text. {@link
 * Utf8#plainStringEnd} agrees with a byte-by-byte scan.
 */
class Utf8Test {

    /** The JDK's UTF-8 decoder, reporting instead of replacing malformed input. */
    private static final CharsetDecoder STRICT = StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    /** Continuation-byte boundaries of the lead bytes' special cases (E0, ED, F0, F4) and non-continuations. */
    private static final byte[] EDGES = {
        0x00,
        0x41,
        0x7F,
        (byte) 0x80,
        (byte) 0x8F,
        (byte) 0x90,
        (byte) 0x9F,
        (byte) 0xA0,
        (byte) 0xBF,
        (byte) 0xC0,
        (byte) 0xFF
    };

    @Test
    void everyTwoByteSequenceAroundTheFastPaths() {
        for (int b0 = 0; b0 < 256; b0++) {
            for (int b1 = 0; b1 < 256; b1++) {
                byte[] seq = {(byte) b0, (byte) b1};
                assertAgreesEverywhere(seq, b0 >= 0xC0 ? 40 : 1);
            }
        }
    }

    @Test
    void threeAndFourByteSequencesWithEdgeContinuations() {
        for (int b0 = 0xC0; b0 < 256; b0++) {
            for (byte b1 : EDGES) {
                for (byte b2 : EDGES) {
                    assertAgreesEverywhere(new byte[] {(byte) b0, b1, b2}, 2);
                    if (b0 >= 0xF0) {
                        for (byte b3 : EDGES) {
                            assertAgreesEverywhere(new byte[] {(byte) b0, b1, b2, b3}, 2);
                        }
                    }
                }
            }
        }
    }

    @Test
    void randomMixesOfAsciiRunsAndMultiByteText() {
        SplittableRandom rnd = new SplittableRandom(20240801L);
        String[] pieces = {"a", "frontend-", "é", "✓", "\uD83D\uDE00", "0123456789abcdef0123", "\"k\":1,"};
        for (int n = 0; n < 50_000; n++) {
            StringBuilder sb = new StringBuilder();
            int parts = rnd.nextInt(12);
            for (int i = 0; i < parts; i++) {
                sb.append(pieces[rnd.nextInt(pieces.length)]);
            }
            byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
            if (b.length > 0 && rnd.nextInt(3) > 0) {
                b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256); // mostly makes it invalid
            }
            int off = b.length == 0 ? 0 : rnd.nextInt(b.length);
            int len = rnd.nextInt(b.length - off + 1);
            if (Utf8.isValid(b, off, len) != strictlyDecodes(b, off, len)) {
                throw new AssertionError(
                        "isValid(" + hex(b) + ", " + off + ", " + len + ") disagrees with the JDK decoder");
            }
        }
    }

    @Test
    void plainStringEndFindsTheClosingQuoteOnlyForPlainAscii() {
        byte[] alphabet = {
            'a',
            'Z',
            ' ',
            '~',
            0x7F,
            '"',
            '\\',
            0x00,
            0x1F,
            0x21,
            0x23,
            0x5B,
            0x5D,
            (byte) 0x80,
            (byte) 0xA2,
            (byte) 0xDC,
            (byte) 0xFF
        };
        SplittableRandom rnd = new SplittableRandom(7L);
        for (int n = 0; n < 200_000; n++) {
            byte[] b = new byte[rnd.nextInt(40)];
            int plainRun = rnd.nextInt(b.length + 1); // mostly plain text, then anything
            for (int i = 0; i < b.length; i++) {
                b[i] = i < plainRun ? (byte) ('a' + rnd.nextInt(26)) : alphabet[rnd.nextInt(alphabet.length)];
            }
            int from = b.length == 0 ? 0 : rnd.nextInt(b.length);
            int end = Utf8.plainStringEnd(b, from);
            if (end != plainStringEndByteByByte(b, from)) {
                throw new AssertionError("plainStringEnd(" + hex(b) + ", " + from + ") = " + end + ", byte by byte "
                        + plainStringEndByteByByte(b, from));
            }
        }
    }

    private static int plainStringEndByteByByte(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            int c = b[i] & 0xFF;
            if (c == '"') {
                return i;
            }
            if (c < 0x20 || c == '\\' || c >= 0x80) {
                return -1;
            }
        }
        return -1;
    }

    /** The sequence embedded in ASCII at offsets 0..spread, so it lands before, inside and after the fast paths' blocks and at the end. */
    private static void assertAgreesEverywhere(byte[] seq, int spread) {
        for (int pre = 0; pre <= spread; pre += pre < 2 || pre > spread - 3 ? 1 : 7) {
            for (int post : new int[] {0, 17}) {
                byte[] b = new byte[pre + seq.length + post];
                java.util.Arrays.fill(b, (byte) 'x');
                System.arraycopy(seq, 0, b, pre, seq.length);
                boolean expected = strictlyDecodes(b, 0, b.length);
                if (Utf8.isValid(b, 0, b.length) != expected) {
                    throw new AssertionError("isValid(" + hex(b) + ") should be " + expected);
                }
            }
        }
    }

    private static boolean strictlyDecodes(byte[] b, int off, int len) {
        try {
            STRICT.decode(ByteBuffer.wrap(b, off, len)); // resets the decoder first
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x & 0xFF));
        }
        return sb.toString();
    }
}
