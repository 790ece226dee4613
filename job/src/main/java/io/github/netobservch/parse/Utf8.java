package io.github.netobservch.parse;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Byte-level text checks: strict UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing
 * above U+10FFFF) and the extent of plain-ASCII JSON strings.
 */
final class Utf8 {

    // Reads 8 bytes as one long: the ASCII check costs one load and one OR per 8 bytes, not 8 of each.
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080_8080_8080_8080L;
    private static final long ONES = 0x0101_0101_0101_0101L;

    private Utf8() {}

    /** Whether {@code b[off, off+len)} is well-formed UTF-8. */
    static boolean isValid(byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        while (i < end) {
            // ASCII fast path, 32 then 8 bytes at a time; resumed after every multi-byte sequence
            while (i + 32 <= end
                    && (((long) LONGS.get(b, i)
                                            | (long) LONGS.get(b, i + 8)
                                            | (long) LONGS.get(b, i + 16)
                                            | (long) LONGS.get(b, i + 24))
                                    & HIGH_BITS)
                            == 0) {
                i += 32;
            }
            while (i + 8 <= end && ((long) LONGS.get(b, i) & HIGH_BITS) == 0) {
                i += 8;
            }
            if (i >= end) {
                break;
            }
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                i++;
                continue;
            }
            if (c < 0xC2) {
                return false; // continuation byte or overlong 2-byte lead
            }
            if (c < 0xE0) {
                if (i + 1 >= end || !cont(b[i + 1])) {
                    return false;
                }
                i += 2;
            } else if (c < 0xF0) {
                if (i + 2 >= end || !cont(b[i + 1]) || !cont(b[i + 2])) {
                    return false;
                }
                int c1 = b[i + 1] & 0xFF;
                if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) {
                    return false; // overlong or surrogate
                }
                i += 3;
            } else if (c < 0xF5) {
                if (i + 3 >= end || !cont(b[i + 1]) || !cont(b[i + 2]) || !cont(b[i + 3])) {
                    return false;
                }
                int c1 = b[i + 1] & 0xFF;
                if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90)) {
                    return false; // overlong or above U+10FFFF
                }
                i += 4;
            } else {
                return false;
            }
        }
        return true;
    }

    /**
     * Index of the quote that ends a JSON string whose content starts at {@code b[from]}, when all
     * of the content is printable ASCII without escapes (so the bytes are the text); -1 otherwise
     * (an escape, a control character, a non-ASCII byte, or no closing quote).
     */
    static int plainStringEnd(byte[] b, int from) {
        int i = from;
        // 8 bytes per step (SWAR): most strings of a record are plain, and a byte-by-byte loop with three tests
        // per byte was the slowest part of scanning them
        for (; i + 8 <= b.length; i += 8) {
            long w = (long) LONGS.get(b, i);
            long special = ((w - ONES * 0x20) | w) // a byte < 0x20 or >= 0x80
                    | ((w ^ ONES * '"') - ONES) & ~(w ^ ONES * '"') // a quote
                    | ((w ^ ONES * '\\') - ONES) & ~(w ^ ONES * '\\'); // a backslash
            special &= HIGH_BITS;
            if (special != 0) {
                // the lowest flagged byte is exact (borrows only propagate to higher bytes)
                int at = i + (Long.numberOfTrailingZeros(special) >>> 3);
                return b[at] == '"' ? at : -1;
            }
        }
        for (; i < b.length; i++) {
            byte c = b[i];
            if (c == '"') {
                return i;
            }
            if (c < 0x20 || c == '\\') {
                return -1; // control character, escape, or (negative) a byte of a multi-byte character
            }
        }
        return -1;
    }

    /**
     * {@code a[from, from+len) == b[0, len)}, 8 bytes per step (the last step overlapping): keys are
     * short, and {@link java.util.Arrays#equals} costs more to set up than it saves on them.
     */
    static boolean sameBytes(byte[] a, int from, byte[] b, int len) {
        if (len >= 8) {
            int i = 0;
            for (; i + 8 < len; i += 8) {
                if ((long) LONGS.get(a, from + i) != (long) LONGS.get(b, i)) {
                    return false;
                }
            }
            return (long) LONGS.get(a, from + len - 8) == (long) LONGS.get(b, len - 8);
        }
        if (len >= 4) {
            return (int) INTS.get(a, from) == (int) INTS.get(b, 0)
                    && (int) INTS.get(a, from + len - 4) == (int) INTS.get(b, len - 4);
        }
        for (int i = 0; i < len; i++) {
            if (a[from + i] != b[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Largest {@code n ≤ max} such that {@code b[0, n)} does not end inside a multi-byte sequence
     * (input assumed valid UTF-8).
     */
    static int truncationPoint(byte[] b, int max) {
        if (b.length <= max) {
            return b.length;
        }
        int n = max;
        while (n > 0 && (b[n] & 0xC0) == 0x80) {
            n--;
        }
        return n;
    }

    private static boolean cont(byte x) {
        return (x & 0xC0) == 0x80;
    }

    /** Whether decoded text holds a surrogate without its pair (JSON can escape one; UTF-8 cannot encode it). */
    static boolean hasLoneSurrogate(CharSequence text) {
        for (int i = 0, end = text.length(); i < end; i++) {
            char ch = text.charAt(i);
            if (Character.isHighSurrogate(ch) && i + 1 < end && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(ch)) {
                return true;
            }
        }
        return false;
    }
}
