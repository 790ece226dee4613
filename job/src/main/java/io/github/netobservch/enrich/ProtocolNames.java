package io.github.netobservch.enrich;

import io.github.netobservch.format.Utf8Text;

/** IANA protocol keywords for {@code Proto}; unlisted numbers map to their decimal text. */
public final class ProtocolNames {

    private static final String[] NAMES = new String[256];

    static {
        for (int i = 0; i < 256; i++) {
            NAMES[i] = Integer.toString(i);
        }
        NAMES[1] = "ICMP";
        NAMES[2] = "IGMP";
        NAMES[4] = "IPIP";
        NAMES[6] = "TCP";
        NAMES[17] = "UDP";
        NAMES[41] = "IPv6";
        NAMES[47] = "GRE";
        NAMES[50] = "ESP";
        NAMES[51] = "AH";
        NAMES[58] = "ICMPv6";
        NAMES[89] = "OSPF";
        NAMES[103] = "PIM";
        NAMES[112] = "VRRP";
        NAMES[132] = "SCTP";
    }

    private static final Utf8Text[] TEXTS = new Utf8Text[256];

    static {
        for (int i = 0; i < 256; i++) {
            TEXTS[i] = Utf8Text.of(NAMES[i]);
        }
    }

    private ProtocolNames() {}

    /** {@link #of} with its UTF-8 form, shared by every record of the protocol. */
    public static Utf8Text text(int proto) {
        return proto >= 0 && proto < 256 ? TEXTS[proto] : Utf8Text.of(Integer.toString(proto));
    }

    public static String of(int proto) {
        return proto >= 0 && proto < 256 ? NAMES[proto] : Integer.toString(proto);
    }
}
