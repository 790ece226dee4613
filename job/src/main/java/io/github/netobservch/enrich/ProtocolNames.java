package io.github.netobservch.enrich;

import io.github.netobservch.format.Utf8Text;

/** IANA protocol keywords for {@code Proto}; unlisted numbers map to their decimal text. */
public final class ProtocolNames {

    /** The name of each protocol number, with its UTF-8 form (shared by every record of the protocol). */
    private static final Utf8Text[] TEXTS = new Utf8Text[256];

    static {
        String[] names = new String[256];
        for (int i = 0; i < 256; i++) {
            names[i] = Integer.toString(i);
        }
        names[1] = "ICMP";
        names[2] = "IGMP";
        names[4] = "IPIP";
        names[6] = "TCP";
        names[17] = "UDP";
        names[41] = "IPv6";
        names[47] = "GRE";
        names[50] = "ESP";
        names[51] = "AH";
        names[58] = "ICMPv6";
        names[89] = "OSPF";
        names[103] = "PIM";
        names[112] = "VRRP";
        names[132] = "SCTP";
        for (int i = 0; i < 256; i++) {
            TEXTS[i] = Utf8Text.of(names[i]);
        }
    }

    private ProtocolNames() {}

    /** The keyword of protocol number {@code proto} (its decimal text when unlisted or out of range). */
    public static Utf8Text text(int proto) {
        return proto >= 0 && proto < 256 ? TEXTS[proto] : Utf8Text.of(Integer.toString(proto));
    }
}
