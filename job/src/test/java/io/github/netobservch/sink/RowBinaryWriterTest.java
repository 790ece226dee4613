package io.github.netobservch.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Byte layouts, and every supported type inserted into the real engine and read back. */
@ExtendWith(EmbeddedClickHouseExtension.class)
class RowBinaryWriterTest {

    @Test
    void littleEndianIntegersAndLeb128Lengths() {
        RowBinaryWriter w = new RowBinaryWriter(1);
        w.writeUInt16(0x0102)
                .writeInt32(0x01020304)
                .writeVarUInt(300)
                .writeVarUInt(0)
                .writeUInt64(-1L);
        assertThat(w.toByteArray())
                .containsExactly(
                        0x02, 0x01, 0x04, 0x03, 0x02, 0x01, 0xAC, 0x02, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                        0xFF);
    }

    @Test
    void ipv4IsLittleEndianAndIpv4InIpv6IsMapped() throws Exception {
        RowBinaryWriter w = new RowBinaryWriter();
        w.writeIPv4((Inet4Address) InetAddress.getByName("10.0.0.1"));
        assertThat(w.toByteArray()).containsExactly(0x01, 0x00, 0x00, 0x0A);
        w.reset();
        w.writeIPv6(InetAddress.getByName("1.2.3.4"));
        assertThat(w.toByteArray()).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 1, 2, 3, 4);
    }

    @Test
    void stringsAreTheirUtf8BytesAfterTheirLengthWhateverPathWritesThem() {
        String nonAscii = "caf\u00e9-\u4e2d-\ud83d\ude00";
        String loneSurrogate = "x\ud800y";
        List<String> values = List.of(
                "",
                "a",
                "0a:58:0a:80:00:01",
                "x".repeat(127), // the longest the ASCII path takes: a one-byte length
                "x".repeat(128),
                "y".repeat(300),
                nonAscii,
                "ascii then " + nonAscii,
                loneSurrogate,
                "\u007f\u0080");
        for (String v : values) {
            RowBinaryWriter w = new RowBinaryWriter(1); // grows while writing
            w.writeInt8(7);
            w.writeString(v);
            RowBinaryWriter expected = new RowBinaryWriter();
            expected.writeInt8(7);
            expected.writeStringBytes(v.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(w.toByteArray()).as(v).isEqualTo(expected.toByteArray());
        }
    }

    @Test
    void rangeChecksAndTruncate() {
        RowBinaryWriter w = new RowBinaryWriter();
        assertThatThrownBy(() -> w.writeUInt8(256)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> w.writeUInt32(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> w.writeFixedString(new byte[5], 4)).isInstanceOf(IllegalArgumentException.class);
        w.writeString("abc");
        int mark = w.size();
        w.writeString("def");
        w.truncate(mark);
        assertThat(w.toByteArray()).containsExactly(3, 'a', 'b', 'c');
    }

    @Test
    void everyTypeRoundTripsThroughTheEngine(ClickHouseTestServer clickhouse) throws Exception {
        String db = clickhouse.createDatabase("rowbinary");
        clickhouse.execute(db, """
                CREATE TABLE rb (
                  i8 Int8, u8 UInt8, i16 Int16, u16 UInt16, i32 Int32, u32 UInt32, i64 Int64, u64 UInt64,
                  f32 Float32, f64 Float64, b Bool, s String, fs FixedString(4),
                  d Date, d32 Date32, dt DateTime('UTC'), dt64 DateTime64(3, 'UTC'),
                  ip4 IPv4, ip6 IPv6, id UUID, ns Nullable(String), nu Nullable(UInt16),
                  arr Array(String), arr8 Array(UInt8), lc LowCardinality(String), e8 Enum8('a' = 1, 'b' = -2),
                  m Map(String, UInt64), lcn LowCardinality(Nullable(String))
                ) ENGINE = MergeTree ORDER BY tuple()
                """);
        List<String> columns = List.of(
                "i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64", "f32", "f64", "b", "s", "fs", "d", "d32", "dt",
                "dt64", "ip4", "ip6", "id", "ns", "nu", "arr", "arr8", "lc", "e8", "m", "lcn");
        RowBinaryWriter w = new RowBinaryWriter(8);
        // Row 1: extremes.
        w.writeInt8(-128)
                .writeUInt8(255)
                .writeInt16(-32768)
                .writeUInt16(65535)
                .writeInt32(Integer.MIN_VALUE)
                .writeUInt32(4_294_967_295L)
                .writeInt64(Long.MIN_VALUE)
                .writeUInt64(-1L)
                .writeFloat32(1.5f)
                .writeFloat64(-0.25)
                .writeBool(true)
                .writeString("tab\there ✓")
                .writeFixedString("ab".getBytes(), 4)
                .writeDate(19_000)
                .writeDate32(-1)
                .writeDateTime(1_700_000_000L)
                .writeDateTime64Millis(1_700_000_000_123L)
                .writeIPv4((Inet4Address) InetAddress.getByName("10.129.0.12"))
                .writeIpv6(0xFE80_0000_0000_0000L, 0x0000_0000_0001_0001L) // fe80::1:1 as the flows writer writes it
                .writeUuid(UUID.fromString("123e4567-e89b-12d3-a456-426614174000"))
                .writeNull()
                .writeNotNull()
                .writeUInt16(7)
                .writeArraySize(2)
                .writeString("a")
                .writeString("b,c")
                .writeArraySize(3)
                .writeUInt8(0)
                .writeUInt8(46)
                .writeUInt8(255)
                .writeString("lc")
                .writeEnum8(-2)
                .writeMapSize(2)
                .writeString("k")
                .writeUInt64(1)
                .writeString("z")
                .writeUInt64(-1L)
                .writeNull();
        // Row 2: zeros, empties, an IPv4-mapped address, present nullable.
        w.writeInt8(0)
                .writeUInt8(0)
                .writeInt16(0)
                .writeUInt16(0)
                .writeInt32(0)
                .writeUInt32(0)
                .writeInt64(0)
                .writeUInt64(0)
                .writeFloat32(0)
                .writeFloat64(Double.NaN)
                .writeBool(false)
                .writeString("")
                .writeFixedString(new byte[0], 4)
                .writeDate(0)
                .writeDate32(0)
                .writeDateTime(0)
                .writeDateTime64Millis(0)
                .writeIPv4(0)
                .writeIPv6(InetAddress.getByName("1.2.3.4"))
                .writeUuid(new UUID(0, 0))
                .writeNotNull()
                .writeString("x")
                .writeNull()
                .writeArraySize(0)
                .writeArraySize(0)
                .writeString("")
                .writeEnum8(1)
                .writeMapSize(0)
                .writeNotNull()
                .writeString("present");

        try (ClickHouseInserter inserter = new ClickHouseInserter(ClickHouseSinkOptions.builder()
                .url(clickhouse.httpUrl())
                .database(db)
                .table("rb")
                .build())) {
            inserter.insert(db, "rb", columns, w.toByteArray(), "rowbinary-test");
        }

        assertThat(clickhouse.queryColumn(db, "SELECT formatRowNoNewline('TSV', *) FROM rb ORDER BY i8"))
                .containsExactly(
                        "-128\t255\t-32768\t65535\t-2147483648\t4294967295\t-9223372036854775808\t18446744073709551615"
                                + "\t1.5\t-0.25\ttrue\ttab\\there ✓\tab\\0\\0\t2022-01-08\t1969-12-31"
                                + "\t2023-11-14 22:13:20\t2023-11-14 22:13:20.123\t10.129.0.12\tfe80::1:1"
                                + "\t123e4567-e89b-12d3-a456-426614174000\t\\N\t7\t['a','b,c']\t[0,46,255]\tlc\tb"
                                + "\t{'k':1,'z':18446744073709551615}\t\\N",
                        "0\t0\t0\t0\t0\t0\t0\t0\t0\tnan\tfalse\t\t\\0\\0\\0\\0\t1970-01-01\t1970-01-01"
                                + "\t1970-01-01 00:00:00\t1970-01-01 00:00:00.000\t0.0.0.0\t::ffff:1.2.3.4"
                                + "\t00000000-0000-0000-0000-000000000000\tx\t\\N\t[]\t[]\t\ta\t{}\tpresent");
    }
}
