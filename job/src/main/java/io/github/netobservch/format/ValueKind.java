package io.github.netobservch.format;

/**
 * How a column's value is validated, stored in a {@link FlowRecord} and typed in ClickHouse.
 *
 * <p>Storage classes: numeric kinds (including timestamps, booleans and {@code FLOAT64} as raw
 * bits) live in one {@code long} slot; {@link #IP} and {@link #BITS128} use two {@code long} slots
 * (the 128-bit IPv6 form, IPv4 stored IPv4-mapped; the high then the low half); everything else is
 * an immutable reference in an {@code Object} slot ({@code String}, {@code String[]}, {@code
 * byte[]}, {@code String[][]}).
 *
 * <p>The ClickHouse type given here is the default for the kind; a {@link Column} may make it
 * {@code Nullable(...)}. Unsigned widths follow the producer types (Go/eBPF) listed in the
 * docs/netobserv-format.md §2.8.
 */
public enum ValueKind {
    UINT8(Storage.LONG, "UInt8", 0L, 0xFFL),
    UINT16(Storage.LONG, "UInt16", 0L, 0xFFFFL),
    UINT32(Storage.LONG, "UInt32", 0L, 0xFFFF_FFFFL),
    /** Full unsigned 64-bit range; values above {@code Long.MAX_VALUE} are stored as negative longs. */
    UINT64(Storage.LONG, "UInt64", 0L, -1L),
    INT32(Storage.LONG, "Int32", Integer.MIN_VALUE, Integer.MAX_VALUE),
    INT64(Storage.LONG, "Int64", Long.MIN_VALUE, Long.MAX_VALUE),
    /** JSON true/false; stored 0/1. */
    BOOL(Storage.LONG, "Bool", 0L, 1L),
    /**
     * Epoch milliseconds. Upper bound: 2106-02-07T06:28:15.999Z (the DateTime/UInt32-seconds range),
     * not DateTime64's 2299: the tables partition and expire by {@code toDate(...)}, a Date that ends
     * at 2149-06-06 and wraps around beyond it, so a later time (plus up to 30 years of retention)
     * would land in a wrong partition or be dropped at once by the TTL.
     */
    TIMESTAMP_MS(Storage.LONG, "DateTime64(3, 'UTC')", 0L, 4_294_967_295_999L),
    /** Epoch seconds ({@code TimeReceived}); ClickHouse DateTime is a UInt32. */
    TIMESTAMP_S(Storage.LONG, "DateTime('UTC')", 0L, 0xFFFF_FFFFL),
    /** Stored as {@link Double#doubleToRawLongBits(double)}; derived columns only. */
    FLOAT64(Storage.LONG, "Float64", Long.MIN_VALUE, Long.MAX_VALUE),
    /** 128-bit address; IPv4 is stored IPv4-mapped ({@code ::ffff:a.b.c.d}). */
    IP(Storage.LONG2, "IPv6", 0L, 0L),
    /**
     * A set of up to 128 small numbers as an unsigned 128-bit integer, bit {@code n} for number
     * {@code n}; high and low 64 bits in the two {@code long} slots ({@code raw_key_bits}).
     */
    BITS128(Storage.LONG2, "UInt128", 0L, 0L),
    STRING(Storage.REF, "String", 0L, 0L),
    LOW_CARDINALITY_STRING(Storage.REF, "LowCardinality(String)", 0L, 0L),
    /** {@code aa:bb:cc:dd:ee:ff}, normalised to lower case (uppercase before NetObserv 1.9). */
    MAC(Storage.REF, "LowCardinality(String)", 0L, 0L),
    STRING_ARRAY(Storage.REF, "Array(String)", 0L, 0L),
    LOW_CARDINALITY_STRING_ARRAY(Storage.REF, "Array(LowCardinality(String))", 0L, 0L),
    /** Stored as {@code byte[]} holding unsigned values 0..255. */
    UINT8_ARRAY(Storage.REF, "Array(UInt8)", 0L, 0xFFL),
    /**
     * TCP flags as names ({@code ["SYN","ACK"]}); the legacy numeric bitmask (NetObserv ≤ 1.7) is
     * decoded to the same names; JSON {@code null} means no flags ({@code []}).
     */
    TCP_FLAGS(Storage.REF, "Array(LowCardinality(String))", 0L, 0xFFFFL),
    /**
     * OVN network events: list of string-keyed objects, stored as {@code String[][]} where each
     * event is a flat {@code [key0, value0, key1, value1, ...]} array in input order.
     */
    NETWORK_EVENTS(Storage.REF, "Array(Map(LowCardinality(String), String))", 0L, 0L),
    /** The original message bytes (valid UTF-8), stored as {@code byte[]}. */
    RAW_JSON(Storage.REF, "String", 0L, 0L);

    /** Where a value lives inside a {@link FlowRecord}. */
    public enum Storage {
        LONG,
        LONG2,
        REF
    }

    private final Storage storage;
    private final String clickHouseType;
    private final long min;
    private final long max;

    ValueKind(Storage storage, String clickHouseType, long min, long max) {
        this.storage = storage;
        this.clickHouseType = clickHouseType;
        this.min = min;
        this.max = max;
    }

    public Storage storage() {
        return storage;
    }

    public String clickHouseType() {
        return clickHouseType;
    }

    /** Smallest accepted value (signed kinds) for numeric kinds. */
    public long min() {
        return min;
    }

    /**
     * Largest accepted value for numeric kinds; for {@link #UINT64} this is -1, i.e. 2^64-1 read
     * as unsigned.
     */
    public long max() {
        return max;
    }

    /** A single string value ({@code String} in a record): STRING, LOW_CARDINALITY_STRING, MAC. */
    public boolean isString() {
        return this == STRING || this == LOW_CARDINALITY_STRING || this == MAC;
    }

    /** An array of strings ({@code String[]} in a record): STRING_ARRAY, LOW_CARDINALITY_STRING_ARRAY, TCP_FLAGS. */
    public boolean isStringArray() {
        return this == STRING_ARRAY || this == LOW_CARDINALITY_STRING_ARRAY || this == TCP_FLAGS;
    }

    public boolean isUnsigned() {
        return this == UINT8 || this == UINT16 || this == UINT32 || this == UINT64;
    }
}
