package io.github.netobservch.format;

/**
 * Strict, allocation-free IP text parsing into the 128-bit form used by {@code IPv6} columns, and
 * formatting back. Never resolves names (unlike {@code InetAddress.getByName}).
 *
 * <p>Accepted: dotted-quad IPv4 ({@code 0-255}, no leading zeros, no extra dots), stored as the
 * IPv4-mapped address {@code ::ffff:a.b.c.d}; RFC 4291 IPv6 text with at most one {@code ::} and an
 * optional dotted-quad tail. Rejected: zone ids ({@code %eth0}), brackets, prefixes ({@code /64}),
 * whitespace, anything else.
 */
public final class IpAddresses {

    /** High 64 bits of every IPv4-mapped address ({@code ::ffff:0:0/96} lives in the low half). */
    public static final long V4_MAPPED_HIGH = 0L;

    private static final long V4_MAPPED_LOW_PREFIX = 0x0000_FFFF_0000_0000L;

    private IpAddresses() {}

    /**
     * Parses {@code chars[off, off+len)}; on success stores high/low 64 bits in {@code out[0..1]}
     * and returns {@code true}.
     */
    public static boolean parse(char[] chars, int off, int len, long[] out) {
        if (len <= 0 || len > 45) {
            return false;
        }
        // IPv4 first: it accepts only digits and dots, so a success means there was no ':' to look for
        long v4 = parseV4(chars, off, off + len);
        if (v4 >= 0) {
            out[0] = V4_MAPPED_HIGH;
            out[1] = V4_MAPPED_LOW_PREFIX | v4;
            return true;
        }
        for (int i = off; i < off + len; i++) {
            if (chars[i] == ':') {
                return parseV6(chars, off, off + len, out);
            }
        }
        return false;
    }

    /** Convenience for tests and the generator. */
    public static boolean parse(CharSequence s, long[] out) {
        char[] c = s.toString().toCharArray();
        return parse(c, 0, c.length, out);
    }

    /** Returns the IPv4 value (0..2^32-1) or -1. */
    private static long parseV4(char[] c, int from, int to) {
        long result = 0;
        int octets = 0;
        int i = from;
        while (true) {
            if (i >= to) {
                return -1;
            }
            int start = i;
            int value = 0;
            while (i < to && c[i] >= '0' && c[i] <= '9') {
                value = value * 10 + (c[i] - '0');
                i++;
                if (i - start > 3) {
                    return -1;
                }
            }
            int digits = i - start;
            if (digits == 0 || value > 255 || (digits > 1 && c[start] == '0')) {
                return -1;
            }
            result = (result << 8) | value;
            octets++;
            if (octets == 4) {
                return i == to ? result : -1;
            }
            if (i >= to || c[i] != '.') {
                return -1;
            }
            i++;
        }
    }

    private static boolean parseV6(char[] c, int from, int to, long[] out) {
        int[] groups = new int[8];
        int count = 0;
        int gap = -1; // group index where "::" sits
        int i = from;
        if (to - from >= 2 && c[i] == ':' && c[i + 1] == ':') {
            gap = 0;
            i += 2;
            if (i == to) {
                out[0] = 0;
                out[1] = 0;
                return true;
            }
        } else if (c[i] == ':') {
            return false;
        }
        while (i < to) {
            int start = i;
            int value = 0;
            while (i < to && i - start < 5 && hex(c[i]) >= 0) {
                value = (value << 4) | hex(c[i]);
                i++;
            }
            int digits = i - start;
            if (i < to && c[i] == '.') {
                // dotted-quad tail: occupies two groups and must end the address
                long v4 = parseV4(c, start, to);
                if (v4 < 0 || count > 6) {
                    return false;
                }
                groups[count++] = (int) (v4 >>> 16);
                groups[count++] = (int) (v4 & 0xFFFF);
                i = to;
                break;
            }
            if (digits == 0 || digits > 4 || count == 8) {
                return false;
            }
            groups[count++] = value;
            if (i == to) {
                break;
            }
            if (c[i] != ':') {
                return false;
            }
            i++;
            if (i < to && c[i] == ':') {
                if (gap >= 0) {
                    return false;
                }
                gap = count;
                i++;
                if (i == to) {
                    break;
                }
            } else if (i == to) {
                return false; // trailing single colon
            }
        }
        if (gap < 0 && count != 8) {
            return false;
        }
        if (gap >= 0) {
            if (count > 7) {
                return false;
            }
            int move = count - gap;
            int[] full = new int[8];
            System.arraycopy(groups, 0, full, 0, gap);
            System.arraycopy(groups, gap, full, 8 - move, move);
            groups = full;
        }
        long hi = 0;
        long lo = 0;
        for (int g = 0; g < 4; g++) {
            hi = (hi << 16) | groups[g];
            lo = (lo << 16) | groups[g + 4];
        }
        out[0] = hi;
        out[1] = lo;
        return true;
    }

    private static int hex(char ch) {
        if (ch >= '0' && ch <= '9') {
            return ch - '0';
        }
        if (ch >= 'a' && ch <= 'f') {
            return ch - 'a' + 10;
        }
        if (ch >= 'A' && ch <= 'F') {
            return ch - 'A' + 10;
        }
        return -1;
    }

    /** Whether the 128-bit value is an IPv4-mapped address. */
    public static boolean isV4Mapped(long hi, long lo) {
        return hi == V4_MAPPED_HIGH && (lo >>> 32) == 0xFFFFL;
    }

    /**
     * Whether {@code chars[off, off+len)}, which {@link #parse} read as {@code hi}/{@code lo}, is the
     * text the address is written back as: a dotted quad for IPv4 (the only IPv4 text {@link #parse}
     * accepts), RFC 5952 for IPv6 ({@link #format}). Not canonical: IPv4-mapped addresses written as
     * IPv6 ({@code ::ffff:10.0.0.1}), upper case, uncompressed zeros, and IPv4-compatible addresses
     * ({@code ::a.b.c.d}, above {@code ::ffff}), which ClickHouse writes as a dotted tail.
     */
    public static boolean isCanonical(char[] chars, int off, int len, long hi, long lo) {
        boolean colon = false;
        for (int i = off; i < off + len; i++) {
            if (chars[i] == ':') {
                colon = true;
                break;
            }
        }
        if (isV4Mapped(hi, lo)) {
            return !colon;
        }
        if (hi == 0 && (lo >>> 32) == 0 && lo > 0xFFFFL) {
            return false;
        }
        return format(hi, lo).contentEquals(java.nio.CharBuffer.wrap(chars, off, len));
    }

    /** Dotted quad for IPv4-mapped values, RFC 5952 text otherwise. */
    public static String format(long hi, long lo) {
        if (isV4Mapped(hi, lo)) {
            return ((lo >>> 24) & 0xFF) + "." + ((lo >>> 16) & 0xFF) + "." + ((lo >>> 8) & 0xFF) + "." + (lo & 0xFF);
        }
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) ((hi >>> (48 - 16 * i)) & 0xFFFF);
            g[i + 4] = (int) ((lo >>> (48 - 16 * i)) & 0xFFFF);
        }
        // longest run of zero groups (length >= 2) is compressed
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] == 0) {
                int j = i;
                while (j < 8 && g[j] == 0) {
                    j++;
                }
                if (j - i > bestLen && j - i >= 2) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    /** The 16 network-order bytes (as ClickHouse's IPv6 RowBinary expects). */
    public static byte[] toBytes(long hi, long lo) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (hi >>> (56 - 8 * i));
            b[i + 8] = (byte) (lo >>> (56 - 8 * i));
        }
        return b;
    }
}
