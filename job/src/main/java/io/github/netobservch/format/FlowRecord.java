package io.github.netobservch.format;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One NetObserv flow record plus derived and Kafka provenance columns, stored in typed slots
 * indexed by the {@link ColumnRegistry}.
 *
 * <p>Why slots rather than a POJO with ~120 fields: the registry is the single source of truth, so
 * the parser, the serializer, the DDL and the row encoder are loops over {@link
 * ColumnRegistry#columns()} instead of 4 hand-written copies of 120 fields that drift apart.
 * Numbers (and both halves of addresses) sit unboxed in one {@code long[]}, references in one
 * {@code Object[]}, presence in a bit set — three allocations per record and no boxing, cheaper than
 * a POJO full of {@code Long}s and easy to copy.
 *
 * <p>Values held in reference slots ({@code String}, {@code String[]}, {@code byte[]}, {@code
 * String[][]}) are treated as immutable: never modify an array obtained from a getter. That makes
 * {@link #copy()} a copy of the three slot arrays.
 *
 * <p>A record read back by {@link FlowRecordSerializer} (after the dedup shuffle, from state) holds
 * its string and string-array values as the UTF-8 bytes it read ({@code byte[]}, {@code byte[][]}):
 * writers take them as they are ({@link #stringUtf8}, {@link #stringsUtf8}), the getters decode a
 * value on first read and keep the decoded form in its slot. That replacement is the only write a
 * getter makes; a reader racing it sees one form or the other, and both say the same.
 *
 * <p>"Absent" is tracked per column ({@link #has}); getters return the column's default ({@code 0},
 * {@code ""}, empty array, {@code ::}) for absent values, which is exactly what a non-Nullable
 * ClickHouse column stores.
 */
@TypeInfo(FlowRecordTypeInfoFactory.class)
public final class FlowRecord {

    private static final String[] NO_STRINGS = new String[0];
    private static final byte[] NO_BYTES = new byte[0];
    private static final String[][] NO_EVENTS = new String[0][];

    final long[] longs;
    final Object[] refs;
    final long[] present;

    public FlowRecord() {
        this.longs = new long[ColumnRegistry.longSlotCount()];
        this.refs = new Object[ColumnRegistry.refSlotCount()];
        this.present = new long[(ColumnRegistry.size() + 63) >>> 6];
    }

    private FlowRecord(FlowRecord other) {
        this.longs = other.longs.clone();
        this.refs = other.refs.clone();
        this.present = other.present.clone();
    }

    /** Copy sharing the immutable reference values. */
    public FlowRecord copy() {
        return new FlowRecord(this);
    }

    // ---- storage, for a row encoder that reads every column by its slot ----

    /**
     * The numeric values by {@link Column#longSlot()}, as the typed getters read them (0 when
     * absent). For an encoder that visits every column of every record and has checked each
     * column's kind once. Callers must not modify the array.
     */
    public long[] longStorage() {
        return longs;
    }

    /**
     * The reference values by {@link Column#refSlot()}, in any of the forms the getters accept
     * ({@code null} when absent; a string as {@link Utf8Text}, UTF-8 {@code byte[]} or {@code
     * String}; a string array as {@code byte[][]} or {@code String[]}). Callers must not modify it.
     */
    public Object[] refStorage() {
        return refs;
    }

    /** Whether the value of the column at {@link Column#index()} {@code index} is present ({@link #has}). */
    public boolean has(int index) {
        return (present[index >>> 6] & (1L << index)) != 0;
    }

    // ---- presence ----

    public boolean has(Column c) {
        return has(c.index());
    }

    void markPresent(Column c) {
        int i = c.index();
        present[i >>> 6] |= 1L << i;
    }

    /** Removes a value (back to the default). */
    public void clear(Column c) {
        int i = c.index();
        present[i >>> 6] &= ~(1L << i);
        if (c.refSlot() >= 0) {
            refs[c.refSlot()] = null;
        } else {
            longs[c.longSlot()] = 0;
            if (c.kind().storage() == ValueKind.Storage.LONG2) {
                longs[c.longSlot() + 1] = 0;
            }
        }
    }

    /** Number of present columns. */
    public int presentCount() {
        int n = 0;
        for (long w : present) {
            n += Long.bitCount(w);
        }
        return n;
    }

    // ---- numeric kinds ----

    /** Numeric value (unsigned kinds: UInt64 above 2^63-1 comes back negative), 0 when absent. */
    public long getLong(Column c) {
        requireStorage(c, ValueKind.Storage.LONG);
        return longs[c.longSlot()];
    }

    public void setLong(Column c, long value) {
        requireStorage(c, ValueKind.Storage.LONG);
        longs[c.longSlot()] = value;
        markPresent(c);
    }

    public boolean getBool(Column c) {
        return getLong(c) != 0;
    }

    public void setBool(Column c, boolean value) {
        setLong(c, value ? 1 : 0);
    }

    public double getDouble(Column c) {
        return Double.longBitsToDouble(getLong(c));
    }

    public void setDouble(Column c, double value) {
        setLong(c, Double.doubleToRawLongBits(value));
    }

    // ---- addresses ----

    /** High 64 bits of the 128-bit address or {@link ValueKind#BITS128} (0 for IPv4-mapped and for absent). */
    public long ipHigh(Column c) {
        requireStorage(c, ValueKind.Storage.LONG2);
        return longs[c.longSlot()];
    }

    /** Low 64 bits of the 128-bit address or {@link ValueKind#BITS128} (0 when absent). */
    public long ipLow(Column c) {
        requireStorage(c, ValueKind.Storage.LONG2);
        return longs[c.longSlot() + 1];
    }

    public void setIp(Column c, long high, long low) {
        requireStorage(c, ValueKind.Storage.LONG2);
        longs[c.longSlot()] = high;
        longs[c.longSlot() + 1] = low;
        markPresent(c);
    }

    /** Sets a {@link ValueKind#BITS128} value from its high and low 64 bits. */
    public void setBits128(Column c, long high, long low) {
        setIp(c, high, low); // the same two-slot storage
    }

    /** A {@link ValueKind#BITS128} value as an unsigned decimal number, {@code "0"} when absent. */
    public String bits128Text(Column c) {
        return new java.math.BigInteger(Long.toUnsignedString(ipHigh(c)))
                .shiftLeft(64)
                .or(new java.math.BigInteger(Long.toUnsignedString(ipLow(c))))
                .toString();
    }

    /** Text form (dotted quad for IPv4), or {@code null} when absent. */
    public String ipText(Column c) {
        return has(c) ? IpAddresses.format(ipHigh(c), ipLow(c)) : null;
    }

    // ---- reference kinds ----

    /** String value, {@code ""} when absent. */
    public String getString(Column c) {
        Object v = ref(c);
        if (v instanceof Utf8Text t) {
            return t.text();
        }
        if (v instanceof byte[] utf8) {
            // kept as UTF-8 by the serializer (setStringUtf8): decoded once, when first read
            String s = new String(utf8, StandardCharsets.UTF_8);
            refs[c.refSlot()] = s;
            return s;
        }
        return v == null ? "" : (String) v;
    }

    /**
     * The UTF-8 bytes of a string value ({@code STRING}, {@code LOW_CARDINALITY_STRING}, {@code MAC})
     * that is still undecoded or held as {@link Utf8Text}, or {@code null} when the value is held as a
     * {@link String} or absent.
     * A record read back by {@link FlowRecordSerializer} keeps its strings as the bytes it read, so a
     * record that crosses the dedup shuffle and is only written out (RowBinary, state) is never
     * decoded and re-encoded: that pair was 12 % of the dedup/writer thread's CPU in the benchmark's
     * profile. Callers must not modify the array.
     */
    public byte[] stringUtf8(Column c) {
        return bytesOf(ref(c));
    }

    /**
     * The bytes of a value of {@link #refStorage()} held as bytes: a {@link Utf8Text}'s UTF-8, a
     * {@code byte[]} itself (a string's UTF-8, or an {@code Array(UInt8)} or raw value); {@code null}
     * for any other form and for {@code null}. Callers must not modify the array.
     */
    public static byte[] bytesOf(Object ref) {
        if (ref instanceof Utf8Text t) {
            return t.utf8();
        }
        return ref instanceof byte[] bytes ? bytes : null;
    }

    /** A string value as its UTF-8 bytes (decoded by {@link #getString} when read). */
    void setStringUtf8(Column c, byte[] utf8) {
        setRef(c, utf8);
    }

    public void setString(Column c, String value) {
        setRef(c, value);
    }

    /** A string value shared by many records, with its UTF-8 form ({@link #getString} gives the text). */
    public void setString(Column c, Utf8Text value) {
        setRef(c, value);
    }

    /** String array value (STRING_ARRAY, LOW_CARDINALITY_STRING_ARRAY, TCP_FLAGS), empty when absent. */
    public String[] getStrings(Column c) {
        Object v = ref(c);
        if (v instanceof byte[][] utf8) {
            // kept as UTF-8 by the serializer (setStringsUtf8): decoded once, when first read
            String[] strings = new String[utf8.length];
            for (int i = 0; i < utf8.length; i++) {
                strings[i] = new String(utf8[i], StandardCharsets.UTF_8);
            }
            refs[c.refSlot()] = strings;
            return strings;
        }
        return v == null ? NO_STRINGS : (String[]) v;
    }

    /**
     * The UTF-8 bytes of a string array's elements while still undecoded (see {@link #stringUtf8}),
     * or {@code null}. Callers must not modify the arrays.
     */
    public byte[][] stringsUtf8(Column c) {
        Object v = ref(c);
        return v instanceof byte[][] utf8 ? utf8 : null;
    }

    /** A string array as its elements' UTF-8 bytes (decoded by {@link #getStrings} when read). */
    void setStringsUtf8(Column c, byte[][] utf8) {
        setRef(c, utf8);
    }

    public void setStrings(Column c, String[] value) {
        setRef(c, value);
    }

    /** UINT8_ARRAY and RAW_JSON values, empty when absent. */
    public byte[] getBytes(Column c) {
        Object v = ref(c);
        return v == null ? NO_BYTES : (byte[]) v;
    }

    public void setBytes(Column c, byte[] value) {
        setRef(c, value);
    }

    /** NETWORK_EVENTS: one flat {@code [k0, v0, k1, v1, ...]} array per event, empty when absent. */
    public String[][] getEvents(Column c) {
        Object v = ref(c);
        return v == null ? NO_EVENTS : (String[][]) v;
    }

    public void setEvents(Column c, String[][] value) {
        setRef(c, value);
    }

    /** The raw JSON message as text, {@code ""} when not kept. */
    public String rawText() {
        return new String(getBytes(ColumnRegistry.RAW), StandardCharsets.UTF_8);
    }

    private Object ref(Column c) {
        if (c.refSlot() < 0) {
            throw new IllegalArgumentException(c.name() + " is not a reference column");
        }
        return refs[c.refSlot()];
    }

    private void setRef(Column c, Object value) {
        if (c.refSlot() < 0) {
            throw new IllegalArgumentException(c.name() + " is not a reference column");
        }
        if (value == null) {
            clear(c);
            return;
        }
        refs[c.refSlot()] = value;
        markPresent(c);
    }

    private static void requireStorage(Column c, ValueKind.Storage s) {
        if (c.kind().storage() != s) {
            throw new IllegalArgumentException(c.name() + " is " + c.kind() + ", not " + s);
        }
    }

    // ---- generic access (tests, debugging, encoders) ----

    /**
     * Value as a plain Java object: {@code Long}/{@code Boolean}/{@code Double} for numeric kinds
     * (UInt64 as unsigned text when above 2^63-1), the text form for IPs, {@code String}, {@code
     * List}s for arrays; {@code null} when absent.
     */
    public Object value(Column c) {
        if (!has(c)) {
            return null;
        }
        switch (c.kind()) {
            case BOOL:
                return getBool(c);
            case FLOAT64:
                return getDouble(c);
            case UINT64:
                long v = getLong(c);
                return v >= 0 ? (Object) v : Long.toUnsignedString(v);
            case IP:
                return ipText(c);
            case BITS128:
                return bits128Text(c);
            case STRING:
            case LOW_CARDINALITY_STRING:
            case MAC:
                return getString(c);
            case STRING_ARRAY:
            case LOW_CARDINALITY_STRING_ARRAY:
            case TCP_FLAGS:
                return Arrays.asList(getStrings(c));
            case UINT8_ARRAY:
                byte[] b = getBytes(c);
                Integer[] out = new Integer[b.length];
                for (int i = 0; i < b.length; i++) {
                    out[i] = b[i] & 0xFF;
                }
                return Arrays.asList(out);
            case NETWORK_EVENTS:
                java.util.List<java.util.Map<String, String>> events = new java.util.ArrayList<>();
                for (String[] e : getEvents(c)) {
                    java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
                    for (int i = 0; i + 1 < e.length; i += 2) {
                        m.put(e[i], e[i + 1]);
                    }
                    events.add(m);
                }
                return events;
            case RAW_JSON:
                return rawText();
            default:
                return getLong(c);
        }
    }

    /**
     * The presence-word mask ({@link #contentHash(long[])}) of the slots {@code include} accepts.
     * Compute once and keep: it is what makes the hash cheap.
     */
    public static long[] columnMask(java.util.function.Predicate<Column> include) {
        long[] mask = new long[(ColumnRegistry.size() + 63) >>> 6];
        for (Column c : ColumnRegistry.slots()) {
            if (include.test(c)) {
                mask[c.index() >>> 6] |= 1L << c.index();
            }
        }
        return mask;
    }

    /**
     * A 64-bit hash of the present columns in {@code mask} ({@link #columnMask}), in registry order:
     * two records with the same values in those columns hash the same in any JVM (it uses {@link
     * String#hashCode()} and {@link Arrays#hashCode}, whose results are specified), so hashes kept in
     * state stay comparable after a restore. One multiply per column; strings reuse their cached
     * hash codes.
     */
    public long contentHash(long[] mask) {
        long h = 0x9E3779B97F4A7C15L;
        for (int w = 0; w < present.length; w++) {
            long bits = present[w] & mask[w];
            while (bits != 0) {
                int i = (w << 6) + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                Column c = SLOT[i];
                long v;
                int ref = c.refSlot();
                if (ref >= 0) {
                    Object o = refs[ref];
                    if (o instanceof String) {
                        v = o.hashCode();
                    } else if (o instanceof Utf8Text t) {
                        v = t.text().hashCode();
                    } else if (o instanceof byte[] && c.kind().isString()) {
                        v = stringHash((byte[]) o);
                    } else if (o instanceof byte[][] utf8) {
                        v = stringArrayHash(utf8);
                    } else if (o instanceof String[]) {
                        v = Arrays.hashCode((String[]) o);
                    } else if (o instanceof byte[]) {
                        v = Arrays.hashCode((byte[]) o);
                    } else {
                        v = Arrays.deepHashCode((Object[]) o);
                    }
                } else {
                    int slot = c.longSlot();
                    v = longs[slot];
                    if (c.kind().storage() == ValueKind.Storage.LONG2) {
                        v = v * 0xC2B2AE3D27D4EB4FL + longs[slot + 1];
                    }
                }
                h = (h ^ v ^ ((long) i << 57)) * 0x9E3779B97F4A7C15L;
                h ^= h >>> 29;
            }
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        return h ^ (h >>> 33);
    }

    private static final Column[] SLOT = ColumnRegistry.slots().toArray(new Column[0]);

    /** The column of each reference slot. */
    private static final Column[] REF_COLUMN = refColumns();

    private static Column[] refColumns() {
        Column[] columns = new Column[ColumnRegistry.refSlotCount()];
        for (Column c : ColumnRegistry.slots()) {
            if (c.refSlot() >= 0) {
                columns[c.refSlot()] = c;
            }
        }
        return columns;
    }

    /**
     * {@link String#hashCode()} of the string these UTF-8 bytes encode, without building it when they
     * are ASCII (the hash is specified over UTF-16 units, which are the bytes then).
     */
    static int stringHash(byte[] utf8) {
        // Four bytes per step (h·31⁴ + b0·31³ + b1·31² + b2·31 + b3, the same sum mod 2³²): the
        // one-byte chain waits for a multiply per byte, and after the shuffle this runs over every
        // string of every record for the dedup fingerprint (~0.5 KB).
        int h = 0;
        int i = 0;
        int n = utf8.length;
        for (; i + 4 <= n; i += 4) {
            int b0 = utf8[i];
            int b1 = utf8[i + 1];
            int b2 = utf8[i + 2];
            int b3 = utf8[i + 3];
            if ((b0 | b1 | b2 | b3) < 0) {
                return new String(utf8, StandardCharsets.UTF_8).hashCode();
            }
            h = h * 923_521 + b0 * 29_791 + b1 * 961 + b2 * 31 + b3;
        }
        for (; i < n; i++) {
            int b = utf8[i];
            if (b < 0) {
                return new String(utf8, StandardCharsets.UTF_8).hashCode();
            }
            h = 31 * h + b;
        }
        return h;
    }

    /** {@link Arrays#hashCode(Object[])} of the strings these UTF-8 arrays encode. */
    private static int stringArrayHash(byte[][] utf8) {
        int h = 1;
        for (byte[] element : utf8) {
            h = 31 * h + stringHash(element);
        }
        return h;
    }

    /** A reference slot's value for comparison: undecoded UTF-8 read as the string(s) it encodes. */
    private Object comparable(int refSlot) {
        Object v = refs[refSlot];
        Column c = REF_COLUMN[refSlot];
        if ((v instanceof byte[] || v instanceof Utf8Text) && c.kind().isString()) {
            return getString(c);
        }
        return v instanceof byte[][] ? getStrings(c) : v;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof FlowRecord)) {
            return false;
        }
        FlowRecord r = (FlowRecord) o;
        if (!Arrays.equals(present, r.present) || !Arrays.equals(longs, r.longs)) {
            return false;
        }
        for (int i = 0; i < refs.length; i++) {
            if (!java.util.Objects.deepEquals(comparable(i), r.comparable(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(longs) * 31 + Arrays.hashCode(present);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("FlowRecord{");
        boolean first = true;
        for (Column c : ColumnRegistry.columns()) {
            if (!has(c) || c == ColumnRegistry.RAW) {
                continue;
            }
            if (!first) {
                sb.append(", ");
            }
            first = false;
            sb.append(c.name()).append('=').append(value(c));
        }
        return sb.append('}').toString();
    }
}
