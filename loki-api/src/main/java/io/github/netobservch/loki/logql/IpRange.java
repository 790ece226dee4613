package io.github.netobservch.loki.logql;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * The argument of Loki's {@code ip("...")} label filter: one address, a CIDR prefix or an
 * inclusive range {@code a-b}, IPv4 or IPv6. An address matches only a spec of its own family.
 */
public record IpRange(Kind kind, String spec, byte[] low, byte[] high) {

    /** The three forms of the argument. */
    public enum Kind {
        SINGLE,
        CIDR,
        RANGE
    }

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    /** Parses {@code spec}; {@code at} is the offset for the error message. */
    public static IpRange parse(String spec, int at) {
        String s = spec.trim();
        try {
            int slash = s.indexOf('/');
            if (slash >= 0) {
                byte[] base = address(s.substring(0, slash));
                int bits = Integer.parseInt(s.substring(slash + 1));
                if (bits < 0 || bits > base.length * 8) {
                    throw new IllegalArgumentException("prefix length " + bits);
                }
                byte[] low = base.clone();
                byte[] high = base.clone();
                for (int i = 0; i < base.length * 8; i++) {
                    if (i >= bits) {
                        low[i / 8] &= (byte) ~(0x80 >>> (i % 8));
                        high[i / 8] |= (byte) (0x80 >>> (i % 8));
                    }
                }
                return new IpRange(Kind.CIDR, s, low, high);
            }
            int dash = s.indexOf('-');
            if (dash >= 0) {
                byte[] low = address(s.substring(0, dash).trim());
                byte[] high = address(s.substring(dash + 1).trim());
                if (low.length != high.length) {
                    throw new IllegalArgumentException("mixed address families");
                }
                return new IpRange(Kind.RANGE, s, low, high);
            }
            byte[] a = address(s);
            return new IpRange(Kind.SINGLE, s, a, a);
        } catch (IllegalArgumentException e) {
            throw LogQLException.syntax(at, "invalid ip(\"" + spec + "\"): " + e.getMessage());
        }
    }

    /** True for an IPv4 spec. */
    public boolean ipv4() {
        return low.length == 4;
    }

    /** The lowest address in ClickHouse's textual form. */
    public String lowText() {
        return text(low);
    }

    /** The highest address in ClickHouse's textual form. */
    public String highText() {
        return text(high);
    }

    /** True when {@code value} is an address of the spec's family inside it. */
    public boolean contains(String value) {
        byte[] a;
        try {
            a = address(value);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (a.length != low.length) {
            return false;
        }
        return compare(a, low) >= 0 && compare(a, high) <= 0;
    }

    static byte[] address(String s) {
        boolean v4 = IPV4.matcher(s).matches();
        if (!v4 && !IPV6.matcher(s).matches()) {
            throw new IllegalArgumentException("not an IP address: " + s);
        }
        if (v4) {
            for (String octet : s.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    throw new IllegalArgumentException("not an IP address: " + s);
                }
            }
        }
        try {
            // Literal addresses only (the patterns above): no name lookup happens.
            byte[] b = InetAddress.getByName(s).getAddress();
            if (b.length == 4 && !IPV4.matcher(s).matches()) {
                // ::ffff:a.b.c.d is folded to IPv4 by the JDK; keep it IPv6 like Go's netip.
                byte[] v6 = new byte[16];
                v6[10] = (byte) 0xff;
                v6[11] = (byte) 0xff;
                System.arraycopy(b, 0, v6, 12, 4);
                return v6;
            }
            return b;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + s);
        }
    }

    private static int compare(byte[] a, byte[] b) {
        for (int i = 0; i < a.length; i++) {
            int c = Integer.compare(a[i] & 0xff, b[i] & 0xff);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static String text(byte[] b) {
        try {
            return InetAddress.getByAddress(b).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
