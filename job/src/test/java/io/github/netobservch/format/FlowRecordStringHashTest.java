package io.github.netobservch.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The hash of undecoded UTF-8 strings is {@link String#hashCode()} of the text (the dedup
 * fingerprints in state were computed from Strings): every length around the four-byte steps,
 * ASCII and non-ASCII at every position.
 */
class FlowRecordStringHashTest {

    @Test
    void equalsStringHashCodeForAsciiAndNonAsciiText() {
        Random random = new Random(11);
        String alphabet = "abcXYZ019-_.:/ ,!\"\\é☃\uD83D\uDE00";
        int nonAscii = 0;
        for (int round = 0; round < 20_000; round++) {
            StringBuilder b = new StringBuilder();
            int length = random.nextInt(42);
            for (int i = 0; i < length; i++) {
                int k = random.nextInt(round % 2 == 0 ? 18 : alphabet.length());
                char c = alphabet.charAt(k);
                if (Character.isHighSurrogate(c)) {
                    b.append("\uD83D\uDE00");
                } else if (!Character.isLowSurrogate(c)) {
                    b.append(c);
                }
            }
            String s = b.toString();
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            if (utf8.length != s.length()) {
                nonAscii++;
            }
            assertThat(FlowRecord.stringHash(utf8)).as(s).isEqualTo(s.hashCode());
        }
        assertThat(nonAscii).isGreaterThan(5_000);
        assertThat(FlowRecord.stringHash(new byte[0])).isZero();
    }
}
