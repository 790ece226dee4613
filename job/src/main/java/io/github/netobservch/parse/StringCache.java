package io.github.netobservch.parse;

import io.github.netobservch.format.Utf8Text;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A small, lossy, per-parser cache that turns repeated character sequences (namespaces, pod
 * names, interface names, MACs…) into one shared {@code String}: fewer allocations while parsing
 * and less heap when records sit in dedup state. Not thread-safe; one per parser.
 *
 * <p>Two tables: plain ASCII text looked up by its input bytes ({@link #asciiText}, nearly every value
 * of a flow record, no decoding needed), and any other text by its decoded characters ({@link
 * #get}). Keys are kept as arrays so that a hit is one comparison (bytes 8 at a time, chars with
 * {@link Arrays#equals}).
 */
final class StringCache {

    private static final int MAX_LENGTH = 96;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long MIX =
            0x9E37_79B9_7F4A_7C15L; // 2^64 / golden ratio, a common multiplicative-hash constant

    /** The cached ASCII values with their bytes (which are their UTF-8 form, and the key compared). */
    private final Utf8Text[] asciiTable;

    private final String[] charTable;
    private final char[][] charKeys;
    private final int mask;

    StringCache(int sizePowerOfTwo) {
        this.asciiTable = new Utf8Text[sizePowerOfTwo];
        this.charTable = new String[sizePowerOfTwo];
        this.charKeys = new char[sizePowerOfTwo][];
        this.mask = sizePowerOfTwo - 1;
    }

    /**
     * The string of the ASCII bytes {@code buf[off, off+len)} (the caller has checked they are ASCII)
     * with its UTF-8 form (those bytes): the cached entry itself, so that records holding it share
     * one encoded copy.
     */
    Utf8Text asciiText(byte[] buf, int off, int len) {
        if (len == 0) {
            return EMPTY;
        }
        if (len > MAX_LENGTH) {
            byte[] bytes = Arrays.copyOfRange(buf, off, off + len);
            return Utf8Text.of(new String(bytes, StandardCharsets.ISO_8859_1), bytes);
        }
        int slot = hash(buf, off, len) & mask;
        Utf8Text cached = asciiTable[slot];
        if (cached != null) {
            byte[] key = cached.utf8();
            if (key.length == len && Utf8.sameBytes(buf, off, key, len)) {
                return cached;
            }
        }
        // ISO-8859-1 of ASCII bytes is the same text, and a plain copy (no UTF-8 decoding)
        byte[] bytes = Arrays.copyOfRange(buf, off, off + len);
        Utf8Text t = Utf8Text.of(new String(bytes, StandardCharsets.ISO_8859_1), bytes);
        asciiTable[slot] = t;
        return t;
    }

    private static final Utf8Text EMPTY = Utf8Text.of("");

    /**
     * Hash of {@code buf[off, off+len)}, 8 bytes per step: a byte-by-byte {@code 31 * h + b} chain
     * was the slowest part of a lookup (one multiply's latency per byte).
     */
    private static int hash(byte[] buf, int off, int len) {
        long h = len;
        int i = off;
        int end = off + len;
        for (; i + 8 <= end; i += 8) {
            h = (h ^ (long) LONGS.get(buf, i)) * MIX;
        }
        if (i < end) {
            long tail = 0;
            for (; i < end; i++) {
                tail = (tail << 8) | (buf[i] & 0xFF);
            }
            h = (h ^ tail) * MIX;
        }
        return (int) (h ^ (h >>> 32));
    }

    /** The string of {@code buf[off, off+len)}. */
    String get(char[] buf, int off, int len) {
        if (len == 0) {
            return "";
        }
        if (len > MAX_LENGTH) {
            return new String(buf, off, len);
        }
        int h = 0;
        for (int i = off; i < off + len; i++) {
            h = 31 * h + buf[i];
        }
        int slot = (h ^ (h >>> 16)) & mask;
        char[] key = charKeys[slot];
        if (key != null && Arrays.equals(key, 0, key.length, buf, off, off + len)) {
            return charTable[slot];
        }
        String s = new String(buf, off, len);
        charKeys[slot] = Arrays.copyOfRange(buf, off, off + len);
        charTable[slot] = s;
        return s;
    }
}
