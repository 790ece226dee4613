package io.github.netobservch.parse;

/** Strict UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF). */
final class Utf8 {

    private Utf8() {}

    /** Whether {@code b[off, off+len)} is well-formed UTF-8. */
    static boolean isValid(byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        // ASCII fast path, 8 bytes at a time
        while (i + 8 <= end) {
            if (((b[i] | b[i + 1] | b[i + 2] | b[i + 3] | b[i + 4] | b[i + 5] | b[i + 6] | b[i + 7]) & 0x80) != 0) {
                break;
            }
            i += 8;
        }
        while (i < end) {
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
}
