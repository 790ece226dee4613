package io.github.netobservch.format;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A string value together with its UTF-8 bytes, for values many records share (the parser's string
 * cache, the enricher's constants): a record holding one gives readers the {@link String} and
 * writers (the shuffle's serializer, the RowBinary encoder) the bytes, so a shared value is encoded
 * once instead of once per record ({@code String.getBytes} for every string of every record was 5 %
 * of the source thread's CPU in the benchmark's profile). Immutable; the array is never modified.
 */
public final class Utf8Text {

    private final String text;
    private final byte[] utf8;

    private Utf8Text(String text, byte[] utf8) {
        this.text = text;
        this.utf8 = utf8;
    }

    public static Utf8Text of(String text) {
        return new Utf8Text(text, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A value whose UTF-8 form is already at hand: {@code utf8} must be {@code text}'s UTF-8 bytes and
     * is kept (not copied): the caller never changes it afterwards.
     */
    public static Utf8Text of(String text, byte[] utf8) {
        return new Utf8Text(Objects.requireNonNull(text, "text"), Objects.requireNonNull(utf8, "utf8"));
    }

    public String text() {
        return text;
    }

    /** The UTF-8 bytes: callers must not modify them. */
    public byte[] utf8() {
        return utf8;
    }

    @Override
    public String toString() {
        return text;
    }
}
