package io.github.netobservch.format;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressesTest {

    @ParameterizedTest
    @CsvSource({
        "10.128.4.17, 10.128.4.17, 0x0000000000000000, 0x0000ffff0a800411",
        "0.0.0.0, 0.0.0.0, 0x0, 0x0000ffff00000000",
        "255.255.255.255, 255.255.255.255, 0x0, 0x0000ffffffffffff",
        "fd01:0:0:1::2a, fd01:0:0:1::2a, 0xfd01000000000001, 0x000000000000002a",
        "FD01::1, fd01::1, 0xfd01000000000000, 0x1",
        "::, ::, 0x0, 0x0",
        "::1, ::1, 0x0, 0x1",
        "2001:db8::, 2001:db8::, 0x20010db800000000, 0x0",
        "1:2:3:4:5:6:7:8, 1:2:3:4:5:6:7:8, 0x0001000200030004, 0x0005000600070008",
        "::ffff:10.0.0.1, 10.0.0.1, 0x0, 0x0000ffff0a000001",
        "64:ff9b::192.0.2.33, 64:ff9b::c000:221, 0x0064ff9b00000000, 0x00000000c0000221",
        "2001:0db8:0000:0000:0000:ff00:0042:8329, 2001:db8::ff00:42:8329, 0x20010db800000000, 0x0000ff0000428329",
    })
    void parsesAndFormats(String text, String formatted, String hi, String lo) {
        long[] out = new long[2];
        assertThat(IpAddresses.parse(text, out)).isTrue();
        assertThat(out[0]).isEqualTo(Long.parseUnsignedLong(hi.substring(2), 16));
        assertThat(out[1]).isEqualTo(Long.parseUnsignedLong(lo.substring(2), 16));
        assertThat(IpAddresses.format(out[0], out[1])).isEqualTo(formatted);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                " 10.0.0.1",
                "10.0.0.1 ",
                "10.0.0",
                "10.0.0.1.2",
                "256.0.0.1",
                "010.0.0.1",
                "1.2.3.-4",
                "a.b.c.d",
                "10..0.1",
                "10.0.0.",
                "fe80::1%eth0",
                "[::1]",
                "10.0.0.0/8",
                "2001:db8::/32",
                ":::",
                "1:::2",
                "1::2::3",
                "12345::",
                "1:2:3:4:5:6:7:8:9",
                "1:2:3:4:5:6:7",
                ":1:2:3:4:5:6:7",
                "1:2:3:4:5:6:7:",
                "g::1",
                "::ffff:1.2.3",
                "::1.2.3.4:5",
                "localhost",
                "example.com",
                "1:2:3:4:5:6:7:8::"
            })
    void rejects(String text) {
        assertThat(IpAddresses.parse(text, new long[2])).as("'%s'", text).isFalse();
    }
}
