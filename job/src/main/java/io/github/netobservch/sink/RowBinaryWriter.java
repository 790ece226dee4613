package io.github.netobservch.sink;

import java.io.DataOutput;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;

/**
 * Appends values in ClickHouse's RowBinary format to a growable in-memory buffer.
 *
 * <p>One method per ClickHouse wire type. Callers write the columns of a row in the order of
 * {@link RowEncoder#columns()}; the format has no separators, so a wrong column order or type is
 * only detected by the server (error 33 CANNOT_READ_ALL_DATA or garbage values). Layouts:
 *
 * <ul>
 *   <li>integers and floats: little-endian, fixed width; {@code UInt64} takes the unsigned bits of a
 *       {@code long};
 *   <li>{@code String}: LEB128 byte length + UTF-8 bytes; {@code FixedString(n)}: exactly n bytes;
 *   <li>{@code Date}: UInt16 days since 1970-01-01; {@code DateTime}: UInt32 seconds;
 *       {@code DateTime64(3)}: Int64 milliseconds;
 *   <li>{@code IPv4}: UInt32 little-endian (so 10.0.0.1 is written 01 00 00 0A); {@code IPv6}: 16 bytes
 *       in network order;
 *   <li>{@code Nullable(T)}: one byte 1 = NULL (nothing follows) or 0 followed by T;
 *   <li>{@code Array(T)}: LEB128 element count + elements; {@code Map(K, V)}: LEB128 entry count + k, v
 *       pairs;
 *   <li>{@code LowCardinality(T)}: as T; {@code Enum8}: Int8; {@code Enum16}: Int16; {@code Bool}:
 *       UInt8.
 * </ul>
 *
 * <p>Not thread-safe. {@link #size()} and {@link #truncate(int)} let the sink roll back a partially
 * written row.
 */
public final class RowBinaryWriter {

    // Multi-byte values in one store each (C2 on JDK 17 does not merge byte stores): the flows
    // writer encodes ~15 of them per row.
    private static final VarHandle SHORT_LE =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private byte[] buf;
    private int size;

    public RowBinaryWriter() {
        this(4096);
    }

    public RowBinaryWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    /** Number of bytes written so far. */
    public int size() {
        return size;
    }

    /** Drops everything after the first {@code newSize} bytes (rollback of a partial row). */
    public void truncate(int newSize) {
        if (newSize < 0 || newSize > size) {
            throw new IllegalArgumentException("cannot truncate " + size + " bytes to " + newSize);
        }
        size = newSize;
    }

    public void reset() {
        size = 0;
    }

    /** The buffer itself, its first {@link #size()} bytes written (for the sink's own use: no copy). */
    byte[] array() {
        return buf;
    }

    /** A copy of the written bytes. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    /** A copy of bytes {@code [from, to)}. */
    public byte[] copyOfRange(int from, int to) {
        if (from < 0 || to > size || from > to) {
            throw new IndexOutOfBoundsException("[" + from + ", " + to + ") of " + size);
        }
        return Arrays.copyOfRange(buf, from, to);
    }

    /**
     * Makes room for {@code extra} more bytes and returns the buffer, for an encoder that writes a
     * row's values into it directly from {@link #size()} on and then declares them with {@link
     * #advanceTo}. The array changes whenever the buffer grows: use the one returned last.
     */
    public byte[] reserve(int extra) {
        ensure(extra);
        return buf;
    }

    /** Declares the bytes up to {@code newSize} written directly into the buffer {@link #reserve} returned. */
    public void advanceTo(int newSize) {
        if (newSize < size || newSize > buf.length) {
            throw new IndexOutOfBoundsException("cannot advance from " + size + " to " + newSize + " of " + buf.length);
        }
        size = newSize;
    }

    /** Writes the bytes to {@code out} (e.g. a Flink {@code DataOutputView}) without a copy of its own. */
    public void writeTo(DataOutput out) throws IOException {
        out.write(buf, 0, size);
    }

    // ---- the layouts at a position of a caller's array ({@link #reserve}); each returns the position after the value

    /** Int16 / UInt16, little-endian. */
    public static int putInt16(byte[] b, int at, int v) {
        SHORT_LE.set(b, at, (short) v);
        return at + 2;
    }

    /** Int32 / UInt32 / DateTime, little-endian. */
    public static int putInt32(byte[] b, int at, int v) {
        INT_LE.set(b, at, v);
        return at + 4;
    }

    /** Int64 / UInt64 / DateTime64 / Float64 bits, little-endian. */
    public static int putInt64(byte[] b, int at, long v) {
        LONG_LE.set(b, at, v);
        return at + 8;
    }

    /** IPv6: the 16 bytes in network (big-endian) order, {@code high} first. */
    public static int putIpv6(byte[] b, int at, long high, long low) {
        LONG_BE.set(b, at, high);
        LONG_BE.set(b, at + 8, low);
        return at + 16;
    }

    /** UInt128: 16 bytes little-endian, the low half first. */
    public static int putUInt128(byte[] b, int at, long high, long low) {
        LONG_LE.set(b, at, low);
        LONG_LE.set(b, at + 8, high);
        return at + 16;
    }

    /** Unsigned LEB128 (string lengths, array and map sizes): at most 10 bytes. */
    public static int putVarUInt(byte[] b, int at, long v) {
        long rest = v;
        while ((rest & ~0x7FL) != 0) {
            b[at++] = (byte) ((rest & 0x7F) | 0x80);
            rest >>>= 7;
        }
        b[at++] = (byte) rest;
        return at;
    }

    // ---- integers ------------------------------------------------------------------------------

    public RowBinaryWriter writeInt8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
        return this;
    }

    /** UInt8 from 0..255. */
    public RowBinaryWriter writeUInt8(int v) {
        checkRange(v, 0, 0xFF, "UInt8");
        return writeInt8(v);
    }

    public RowBinaryWriter writeBool(boolean v) {
        return writeInt8(v ? 1 : 0);
    }

    public RowBinaryWriter writeInt16(int v) {
        ensure(2);
        size = putInt16(buf, size, v);
        return this;
    }

    /** UInt16 from 0..65535. */
    public RowBinaryWriter writeUInt16(int v) {
        checkRange(v, 0, 0xFFFF, "UInt16");
        return writeInt16(v);
    }

    public RowBinaryWriter writeInt32(int v) {
        ensure(4);
        size = putInt32(buf, size, v);
        return this;
    }

    /** UInt32 from 0..4294967295. */
    public RowBinaryWriter writeUInt32(long v) {
        checkRange(v, 0, 0xFFFF_FFFFL, "UInt32");
        return writeInt32((int) v);
    }

    public RowBinaryWriter writeInt64(long v) {
        ensure(8);
        size = putInt64(buf, size, v);
        return this;
    }

    /**
     * IPv6: the 16 bytes of the address in network (big-endian) order, {@code high} the first 8
     * (an IPv4 address as {@code ::ffff:a.b.c.d}).
     */
    public RowBinaryWriter writeIpv6(long high, long low) {
        ensure(16);
        size = putIpv6(buf, size, high, low);
        return this;
    }

    /** UInt128 from its high and low 64 bits: 16 bytes, little-endian (the low half first). */
    public RowBinaryWriter writeUInt128(long high, long low) {
        ensure(16);
        size = putUInt128(buf, size, high, low);
        return this;
    }

    /** UInt64 from the unsigned interpretation of {@code v} ({@code -1L} is 2^64 − 1). */
    public RowBinaryWriter writeUInt64(long v) {
        return writeInt64(v);
    }

    public RowBinaryWriter writeFloat32(float v) {
        return writeInt32(Float.floatToRawIntBits(v));
    }

    public RowBinaryWriter writeFloat64(double v) {
        return writeInt64(Double.doubleToRawLongBits(v));
    }

    /** Enum8 by its numeric value. */
    public RowBinaryWriter writeEnum8(int value) {
        checkRange(value, Byte.MIN_VALUE, Byte.MAX_VALUE, "Enum8");
        return writeInt8(value);
    }

    /** Enum16 by its numeric value. */
    public RowBinaryWriter writeEnum16(int value) {
        checkRange(value, Short.MIN_VALUE, Short.MAX_VALUE, "Enum16");
        return writeInt16(value);
    }

    /** Unsigned LEB128, as used for string lengths, array and map sizes. */
    public RowBinaryWriter writeVarUInt(long v) {
        ensure(10);
        size = putVarUInt(buf, size, v);
        return this;
    }

    // ---- strings -------------------------------------------------------------------------------

    public RowBinaryWriter writeString(String v) {
        int n = v.length();
        if (n < 0x80) {
            // A short ASCII string (MACs, interface names, flags) is copied char by char into the buffer:
            // String.getBytes would allocate an array to copy from (16 % of the flows encoder's time).
            ensure(1 + n);
            int at = size + 1;
            for (int i = 0; i < n; i++) {
                char ch = v.charAt(i);
                if (ch >= 0x80) {
                    return writeStringBytes(v.getBytes(StandardCharsets.UTF_8)); // (nothing written yet)
                }
                buf[at + i] = (byte) ch;
            }
            buf[size] = (byte) n; // the one-byte LEB128 length
            size = at + n;
            return this;
        }
        return writeStringBytes(v.getBytes(StandardCharsets.UTF_8));
    }

    /** A String column from raw bytes (ClickHouse strings are byte strings). */
    public RowBinaryWriter writeStringBytes(byte[] bytes) {
        writeVarUInt(bytes.length);
        return writeRaw(bytes, 0, bytes.length);
    }

    /** FixedString(n): the bytes right-padded with zeros; longer values are rejected. */
    public RowBinaryWriter writeFixedString(byte[] bytes, int n) {
        if (bytes.length > n) {
            throw new IllegalArgumentException("FixedString(" + n + ") cannot hold " + bytes.length + " bytes");
        }
        writeRaw(bytes, 0, bytes.length);
        ensure(n - bytes.length);
        Arrays.fill(buf, size, size + n - bytes.length, (byte) 0);
        size += n - bytes.length;
        return this;
    }

    // ---- dates and times -----------------------------------------------------------------------

    /** Date: days since 1970-01-01 (0..65535). */
    public RowBinaryWriter writeDate(int epochDay) {
        checkRange(epochDay, 0, 0xFFFF, "Date");
        return writeInt16(epochDay);
    }

    /** Date32: signed days since 1970-01-01. */
    public RowBinaryWriter writeDate32(int epochDay) {
        return writeInt32(epochDay);
    }

    /** DateTime: seconds since the epoch as UInt32. */
    public RowBinaryWriter writeDateTime(long epochSeconds) {
        return writeUInt32(epochSeconds);
    }

    /** DateTime64(3): milliseconds since the epoch as Int64. */
    public RowBinaryWriter writeDateTime64Millis(long epochMillis) {
        return writeInt64(epochMillis);
    }

    // ---- addresses and identifiers -------------------------------------------------------------

    /** IPv4 from the address as a big-endian int (10.0.0.1 = 0x0A000001). */
    public RowBinaryWriter writeIPv4(int address) {
        return writeInt32(address);
    }

    public RowBinaryWriter writeIPv4(Inet4Address address) {
        byte[] b = address.getAddress();
        return writeIPv4(((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF));
    }

    /** IPv6 from 16 bytes in network order. */
    public RowBinaryWriter writeIPv6(byte[] address16) {
        if (address16.length != 16) {
            throw new IllegalArgumentException("IPv6 needs 16 bytes, got " + address16.length);
        }
        return writeRaw(address16, 0, 16);
    }

    /** IPv6 from any address; an IPv4 address is written IPv4-mapped ({@code ::ffff:a.b.c.d}). */
    public RowBinaryWriter writeIPv6(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet6Address) {
            return writeIPv6(b);
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        System.arraycopy(b, 0, mapped, 12, 4);
        return writeIPv6(mapped);
    }

    /** UUID: the two 64-bit halves, each little-endian, most significant half first. */
    public RowBinaryWriter writeUuid(UUID uuid) {
        writeInt64(uuid.getMostSignificantBits());
        return writeInt64(uuid.getLeastSignificantBits());
    }

    // ---- composite types -----------------------------------------------------------------------

    /** Nullable(T) marker for NULL; nothing else is written for the value. */
    public RowBinaryWriter writeNull() {
        return writeInt8(1);
    }

    /** Nullable(T) marker for a present value; the T value must follow. */
    public RowBinaryWriter writeNotNull() {
        return writeInt8(0);
    }

    /** Array(T) header; {@code count} elements must follow. */
    public RowBinaryWriter writeArraySize(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("negative array size " + count);
        }
        return writeVarUInt(count);
    }

    /** Map(K, V) header; {@code count} key, value pairs must follow. */
    public RowBinaryWriter writeMapSize(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("negative map size " + count);
        }
        return writeVarUInt(count);
    }

    /** Appends bytes already in RowBinary form. */
    public RowBinaryWriter writeRaw(byte[] bytes, int offset, int length) {
        ensure(length);
        System.arraycopy(bytes, offset, buf, size, length);
        size += length;
        return this;
    }

    private void ensure(int extra) {
        int needed = size + extra;
        if (needed > buf.length) {
            if (needed < 0) {
                throw new IllegalStateException("RowBinary buffer above 2 GiB");
            }
            int grown = buf.length + (buf.length >> 1);
            buf = Arrays.copyOf(buf, Math.max(needed, grown < 0 ? Integer.MAX_VALUE - 8 : grown));
        }
    }

    private static void checkRange(long v, long min, long max, String type) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(type + " out of range: " + v);
        }
    }
}
