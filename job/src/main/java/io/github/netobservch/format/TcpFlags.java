package io.github.netobservch.format;

import java.util.ArrayList;
import java.util.List;

/**
 * TCP flag names and bits as FLP decodes them ({@code pkg/utils/tcp_flags.go}): the 8 header flags
 * plus the agent's per-packet combinations {@code SYN_ACK}, {@code FIN_ACK}, {@code RST_ACK}. Before
 * NetObserv 1.8 {@code Flags} was this bitmask as a number.
 */
public final class TcpFlags {

    /** Names indexed by bit position (bit i has value 1 << i). */
    private static final String[] NAMES = {
        "FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "SYN_ACK", "FIN_ACK", "RST_ACK"
    };

    private static final String[][] DECODED = new String[1 << NAMES.length][];

    private TcpFlags() {}

    /** Bit value of a flag name, or 0 for an unknown name. */
    public static int bit(String name) {
        switch (name) {
            case "FIN":
                return 1;
            case "SYN":
                return 2;
            case "RST":
                return 4;
            case "PSH":
                return 8;
            case "ACK":
                return 16;
            case "URG":
                return 32;
            case "ECE":
                return 64;
            case "CWR":
                return 128;
            case "SYN_ACK":
                return 256;
            case "FIN_ACK":
                return 512;
            case "RST_ACK":
                return 1024;
            default:
                return 0;
        }
    }

    /** OR of the bits of the given names (unknown names contribute nothing). */
    public static int mask(String[] names) {
        int m = 0;
        for (String n : names) {
            m |= bit(n);
        }
        return m;
    }

    /**
     * Names for a bitmask, in bit order (FLP's order: {@code ["SYN","PSH","ACK"]}); bits above
     * {@code RST_ACK} have no name and are dropped. The returned array is shared: do not modify.
     */
    public static String[] decode(int mask) {
        int m = mask & ((1 << NAMES.length) - 1);
        String[] cached = DECODED[m];
        if (cached == null) {
            List<String> l = new ArrayList<>();
            for (int i = 0; i < NAMES.length; i++) {
                if ((m & (1 << i)) != 0) {
                    l.add(NAMES[i]);
                }
            }
            cached = l.toArray(new String[0]);
            DECODED[m] = cached;
        }
        return cached;
    }
}
