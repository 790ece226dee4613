package io.github.netobservch.format;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Registry-driven serializer for {@link FlowRecord}.
 *
 * <p>Wire format (layout version {@link FlowRecordSerializerSnapshot#VERSION}): the presence bit
 * set as {@code ceil(n/64)} longs over the serializer's column layout, then (version 3) the byte
 * length of the values as an int, then each present column in layout order: UInt8/Bool 1 byte,
 * UInt16 2 bytes, UInt32/Int32 4 bytes, other numbers 8 bytes; IP one tag byte (4 → one int for
 * IPv4-mapped, 6 → two longs); strings as their UTF-8 bytes after an unsigned LEB128 length; arrays
 * as an int length then elements; {@code byte[]} as int length then bytes. A serializer restored
 * from an older snapshot still reads and writes that version's form:
 *
 * <ul>
 *   <li>version 1 wrote strings with Flink's {@link StringValue} (a thread-local lookup and a char
 *       loop per string: 8 % of the job's CPU in the benchmark's profile);
 *   <li>version 2 had no length before the values. Without it each value is a separate read from
 *       the input view; after the {@code keyBy} shuffle that view is Flink's network buffer (an
 *       off-heap memory segment), where every string's copy goes through {@code Unsafe}'s checked
 *       copy (JFR put 12 % of the dedup thread there). With the length the values are taken out in
 *       one copy, decoded from a heap array, and their end is checked. The saving measured on
 *       Flink's network path is small (2.66 → 2.60 µs per round trip in {@code SerializerBenchmark}):
 *       most of those samples were the first touch of the record's bytes, which remains.
 * </ul>
 *
 * <p>The layout is the list of (column name, kind) the data was written with; it is stored in the
 * snapshot. A serializer restored from an older snapshot reads the old layout and maps columns onto
 * the current registry by name (columns that no longer exist are skipped; columns that did not
 * exist are absent), so adding or removing
 * columns is a state migration rather than a break; changing a column's kind is incompatible.
 */
public final class FlowRecordSerializer extends TypeSerializer<FlowRecord> {

    private static final long serialVersionUID = 1L;

    /** (name, kind) per written column, in write order. */
    private final String[] layoutNames;

    private final ValueKind[] layoutKinds;

    /** Strings as Flink's {@link StringValue} (snapshot version 1). */
    static final int STRINGS_STRING_VALUE = 1;
    /** Strings as LEB128 length + UTF-8 bytes, values read one by one (snapshot version 2). */
    static final int STRINGS_UTF8 = 2;
    /** As version 2, with the values' byte length before them (snapshot version 3, current). */
    static final int VALUES_BLOCK = 3;
    /** A value block up to this size is read into the serializer's reused buffer; larger ones get their own. */
    private static final int REUSED_BLOCK_MAX = 64 << 10;
    /** Far above any string field or array of a flow record: a larger length or count is corruption. */
    private static final int MAX_STRING_BYTES = 1 << 24;
    /**
     * The largest byte-string field (the raw JSON): {@link io.github.netobservch.parse.ParserConfig} refuses a
     * message limit above it, so every record the parser accepts crosses the shuffle.
     */
    public static final int MAX_BYTES_FIELD = 64 << 20;

    /**
     * The form written and read: {@link #VALUES_BLOCK}, or the form of the older snapshot version
     * this serializer was restored from ({@link #STRINGS_UTF8}, {@link #STRINGS_STRING_VALUE}).
     */
    private final int strings;

    /** {@link #VALUES_BLOCK}: the values of a record being read, and a view over them (per instance: see {@link #duplicate}). */
    private transient byte[] block;

    private transient DataInputDeserializer blockIn;
    /** {@link #VALUES_BLOCK}: the values of a record being written, when the output cannot be patched in place. */
    private transient DataOutputSerializer scratch;

    /** For each layout position, the current column (null when it no longer exists). */
    private transient Column[] targets;

    /** The registry's columns by slot (the presence bit index). */
    private static final Column[] CURRENT_SLOTS = ColumnRegistry.slots().toArray(new Column[0]);

    public FlowRecordSerializer() {
        this(currentNames(), currentKinds());
    }

    FlowRecordSerializer(String[] layoutNames, ValueKind[] layoutKinds) {
        this(layoutNames, layoutKinds, VALUES_BLOCK);
    }

    FlowRecordSerializer(String[] layoutNames, ValueKind[] layoutKinds, int strings) {
        if (strings != STRINGS_STRING_VALUE && strings != STRINGS_UTF8 && strings != VALUES_BLOCK) {
            throw new IllegalArgumentException("unknown record form " + strings);
        }
        this.layoutNames = layoutNames;
        this.layoutKinds = layoutKinds;
        this.strings = strings;
    }

    int strings() {
        return strings;
    }

    static String[] currentNames() {
        List<Column> cols = ColumnRegistry.slots();
        String[] n = new String[cols.size()];
        for (int i = 0; i < n.length; i++) {
            n[i] = cols.get(i).name();
        }
        return n;
    }

    static ValueKind[] currentKinds() {
        List<Column> cols = ColumnRegistry.slots();
        ValueKind[] k = new ValueKind[cols.size()];
        for (int i = 0; i < k.length; i++) {
            k[i] = cols.get(i).kind();
        }
        return k;
    }

    String[] layoutNames() {
        return layoutNames;
    }

    ValueKind[] layoutKinds() {
        return layoutKinds;
    }

    /** 0 unknown, 1 current layout, 2 restored older layout. */
    private transient int layoutState;

    private boolean isCurrentLayout() {
        if (layoutState == 0) {
            boolean current = Arrays.equals(layoutNames, currentNames()) && Arrays.equals(layoutKinds, currentKinds());
            layoutState = current ? 1 : 2;
        }
        return layoutState == 1;
    }

    private Column[] targets() {
        if (targets == null) {
            Column[] t = new Column[layoutNames.length];
            for (int i = 0; i < t.length; i++) {
                Column c = ColumnRegistry.byName(layoutNames[i]);
                t[i] = c != null && c.kind() == layoutKinds[i] ? c : null;
            }
            targets = t;
        }
        return targets;
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<FlowRecord> duplicate() {
        // a new instance per user: the value-block buffers are per instance
        return new FlowRecordSerializer(layoutNames, layoutKinds, strings);
    }

    @Override
    public FlowRecord createInstance() {
        return new FlowRecord();
    }

    @Override
    public FlowRecord copy(FlowRecord from) {
        return from.copy();
    }

    @Override
    public FlowRecord copy(FlowRecord from, FlowRecord reuse) {
        return from.copy();
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(FlowRecord r, DataOutputView out) throws IOException {
        long[] present;
        Column[] t = null;
        if (isCurrentLayout()) {
            present = r.present;
        } else {
            // another layout (a restored serializer, or tests writing "old" state): map by name
            t = targets();
            present = new long[(layoutNames.length + 63) >>> 6];
            for (int i = 0; i < t.length; i++) {
                if (t[i] != null && r.has(t[i])) {
                    present[i >>> 6] |= 1L << i;
                }
            }
        }
        for (long w : present) {
            out.writeLong(w);
        }
        if (strings != VALUES_BLOCK) {
            writeValues(r, present, t, out);
        } else if (out instanceof DataOutputSerializer buffer) {
            // Flink's network and heap-snapshot paths: the length is patched in once the values are written
            int at = buffer.length();
            buffer.writeInt(0);
            writeValues(r, present, t, buffer);
            buffer.writeIntUnsafe(buffer.length() - at - Integer.BYTES, at);
        } else {
            if (scratch == null) {
                scratch = new DataOutputSerializer(2048);
            }
            scratch.clear();
            writeValues(r, present, t, scratch);
            out.writeInt(scratch.length());
            out.write(scratch.getSharedBuffer(), 0, scratch.length());
            if (scratch.getSharedBuffer().length > REUSED_BLOCK_MAX) {
                scratch = null; // (a record with a large raw JSON: do not keep its buffer)
            }
        }
    }

    /** The present columns' values: in slot order for the current layout ({@code t == null}), else by layout position. */
    private void writeValues(FlowRecord r, long[] present, Column[] t, DataOutputView out) throws IOException {
        if (t == null) {
            // only the present columns, in slot order: a record has about half of them
            for (int word = 0; word < present.length; word++) {
                for (long bits = present[word]; bits != 0; bits &= bits - 1) {
                    writeValue(r, CURRENT_SLOTS[(word << 6) + Long.numberOfTrailingZeros(bits)], out);
                }
            }
            return;
        }
        for (int i = 0; i < t.length; i++) {
            if ((present[i >>> 6] & (1L << i)) != 0) {
                writeValue(r, t[i], out);
            }
        }
    }

    private void writeValue(FlowRecord r, Column c, DataOutputView out) throws IOException {
        switch (c.kind()) {
            case UINT8:
            case BOOL:
                out.writeByte((int) r.longs[c.longSlot()]);
                return;
            case UINT16:
                out.writeShort((int) r.longs[c.longSlot()]);
                return;
            case UINT32:
            case INT32:
                out.writeInt((int) r.longs[c.longSlot()]);
                return;
            case UINT64:
            case INT64:
            case TIMESTAMP_MS:
            case TIMESTAMP_S:
            case FLOAT64:
                out.writeLong(r.longs[c.longSlot()]);
                return;
            case IP:
                long hi = r.longs[c.longSlot()];
                long lo = r.longs[c.longSlot() + 1];
                if (IpAddresses.isV4Mapped(hi, lo)) {
                    out.writeByte(4);
                    out.writeInt((int) lo);
                } else {
                    out.writeByte(6);
                    out.writeLong(hi);
                    out.writeLong(lo);
                }
                return;
            case BITS128:
                out.writeLong(r.longs[c.longSlot()]);
                out.writeLong(r.longs[c.longSlot() + 1]);
                return;
            case STRING:
            case LOW_CARDINALITY_STRING:
            case MAC:
                byte[] bytes = strings != STRINGS_STRING_VALUE ? r.stringUtf8(c) : null;
                if (bytes != null) {
                    writeUtf8(bytes, out); // read back earlier and never decoded, or a shared value (Utf8Text)
                } else {
                    writeString(r.getString(c), out);
                }
                return;
            case STRING_ARRAY:
            case LOW_CARDINALITY_STRING_ARRAY:
            case TCP_FLAGS:
                Object array = r.refs[c.refSlot()];
                if (array instanceof byte[][] utf8 && strings != STRINGS_STRING_VALUE) {
                    out.writeInt(utf8.length); // read back earlier and never decoded
                    for (byte[] element : utf8) {
                        writeUtf8(element, out);
                    }
                } else {
                    writeStrings(r.getStrings(c), out);
                }
                return;
            case UINT8_ARRAY:
            case RAW_JSON:
                byte[] b = (byte[]) r.refs[c.refSlot()];
                out.writeInt(b.length);
                out.write(b);
                return;
            case NETWORK_EVENTS:
                String[][] events = (String[][]) r.refs[c.refSlot()];
                out.writeInt(events.length);
                for (String[] e : events) {
                    writeStrings(e, out);
                }
                return;
            default:
                throw new IllegalStateException("unhandled kind " + c.kind());
        }
    }

    private void writeStrings(String[] a, DataOutputView out) throws IOException {
        out.writeInt(a.length);
        for (String s : a) {
            writeString(s, out);
        }
    }

    private void writeString(String s, DataOutputView out) throws IOException {
        if (strings == STRINGS_STRING_VALUE) {
            StringValue.writeString(s, out);
            return;
        }
        writeUtf8(s.getBytes(StandardCharsets.UTF_8), out);
    }

    private static void writeUtf8(byte[] b, DataOutputView out) throws IOException {
        int n = b.length;
        while ((n & ~0x7F) != 0) {
            out.writeByte((n & 0x7F) | 0x80);
            n >>>= 7;
        }
        out.writeByte(n);
        out.write(b);
    }

    private String readString(DataInputView in) throws IOException {
        if (strings == STRINGS_STRING_VALUE) {
            return StringValue.readString(in);
        }
        return new String(readUtf8(in), StandardCharsets.UTF_8);
    }

    private static byte[] readUtf8(DataInputView in) throws IOException {
        int n = 0;
        for (int shift = 0; ; shift += 7) {
            int b = in.readUnsignedByte();
            n |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
            if (shift >= 28) {
                throw new IOException("corrupt string length");
            }
        }
        if (n < 0 || n > MAX_STRING_BYTES) {
            throw new IOException("corrupt string length " + n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    @Override
    public FlowRecord deserialize(DataInputView in) throws IOException {
        FlowRecord r = new FlowRecord();
        int words = (layoutNames.length + 63) >>> 6;
        long[] present = new long[words];
        for (int i = 0; i < words; i++) {
            present[i] = in.readLong();
        }
        Column[] t = targets();
        DataInputView values = in;
        if (strings == VALUES_BLOCK) {
            values = readBlock(in);
        }
        for (int i = 0; i < layoutNames.length; i++) {
            if ((present[i >>> 6] & (1L << i)) != 0) {
                readValue(r, layoutKinds[i], t[i], values);
            }
        }
        if (values != in && ((DataInputDeserializer) values).available() != 0) {
            throw new IOException(
                    "corrupt record: " + ((DataInputDeserializer) values).available() + " bytes left after its values");
        }
        return r;
    }

    /** Version 3: the record's values, taken out of {@code in} in one copy, as a heap view (this instance's). */
    private DataInputDeserializer readBlock(DataInputView in) throws IOException {
        // (the values of the largest record the parser accepts: its raw JSON, the fields taken from it, a few derived)
        int n = length(in, 2 * MAX_BYTES_FIELD + MAX_STRING_BYTES);
        byte[] b = block;
        if (n > REUSED_BLOCK_MAX) {
            b = new byte[n];
        } else if (b == null || b.length < n) {
            b = block = new byte[Math.max(n, 2048)];
        }
        in.readFully(b, 0, n);
        if (blockIn == null) {
            blockIn = new DataInputDeserializer();
        }
        blockIn.setBuffer(b, 0, n);
        return blockIn;
    }

    @Override
    public FlowRecord deserialize(FlowRecord reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    /** Reads one value of {@code kind}; stores it in {@code target} unless that is null (skip). */
    private void readValue(FlowRecord r, ValueKind kind, Column target, DataInputView in) throws IOException {
        long v;
        switch (kind) {
            case UINT8:
            case BOOL:
                v = in.readUnsignedByte();
                break;
            case UINT16:
                v = in.readUnsignedShort();
                break;
            case UINT32:
                v = in.readInt() & 0xFFFF_FFFFL;
                break;
            case INT32:
                v = in.readInt();
                break;
            case UINT64:
            case INT64:
            case TIMESTAMP_MS:
            case TIMESTAMP_S:
            case FLOAT64:
                v = in.readLong();
                break;
            case IP:
                int tag = in.readUnsignedByte();
                long hi;
                long lo;
                if (tag == 4) {
                    hi = IpAddresses.V4_MAPPED_HIGH;
                    lo = 0x0000_FFFF_0000_0000L | (in.readInt() & 0xFFFF_FFFFL);
                } else if (tag == 6) {
                    hi = in.readLong();
                    lo = in.readLong();
                } else {
                    throw new IOException("corrupt IP tag " + tag);
                }
                if (target != null) {
                    r.setIp(target, hi, lo);
                }
                return;
            case BITS128:
                long high = in.readLong();
                long low = in.readLong();
                if (target != null) {
                    r.setBits128(target, high, low);
                }
                return;
            case STRING:
            case LOW_CARDINALITY_STRING:
            case MAC:
                if (strings != STRINGS_STRING_VALUE) {
                    // kept as bytes: decoded only if something reads it as a String (FlowRecord#stringUtf8)
                    byte[] utf8 = readUtf8(in);
                    if (target != null) {
                        r.setStringUtf8(target, utf8);
                    }
                    return;
                }
                String s = readString(in);
                if (target != null) {
                    r.setString(target, s);
                }
                return;
            case STRING_ARRAY:
            case LOW_CARDINALITY_STRING_ARRAY:
            case TCP_FLAGS:
                if (strings != STRINGS_STRING_VALUE) {
                    byte[][] utf8 = new byte[length(in, MAX_STRING_BYTES)][];
                    for (int i = 0; i < utf8.length; i++) {
                        utf8[i] = readUtf8(in);
                    }
                    if (target != null) {
                        r.setStringsUtf8(target, utf8);
                    }
                    return;
                }
                String[] a = readStrings(in);
                if (target != null) {
                    r.setStrings(target, a);
                }
                return;
            case UINT8_ARRAY:
            case RAW_JSON:
                byte[] b = new byte[length(in, MAX_BYTES_FIELD)];
                in.readFully(b);
                if (target != null) {
                    r.setBytes(target, b);
                }
                return;
            case NETWORK_EVENTS:
                String[][] events = new String[length(in, MAX_STRING_BYTES)][];
                for (int i = 0; i < events.length; i++) {
                    events[i] = readStrings(in);
                }
                if (target != null) {
                    r.setEvents(target, events);
                }
                return;
            default:
                throw new IOException("unhandled kind " + kind);
        }
        if (target != null) {
            r.setLong(target, v);
        }
    }

    /** An array or byte-string length, checked so that corrupt input fails instead of allocating gigabytes. */
    private static int length(DataInputView in, int max) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > max) {
            throw new IOException("corrupt length " + n);
        }
        return n;
    }

    private String[] readStrings(DataInputView in) throws IOException {
        String[] a = new String[length(in, MAX_STRING_BYTES)];
        for (int i = 0; i < a.length; i++) {
            a[i] = readString(in);
        }
        return a;
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public boolean equals(Object obj) {
        if (!(obj instanceof FlowRecordSerializer)) {
            return false;
        }
        FlowRecordSerializer o = (FlowRecordSerializer) obj;
        return Arrays.equals(layoutNames, o.layoutNames)
                && Arrays.equals(layoutKinds, o.layoutKinds)
                && strings == o.strings;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(layoutNames), Arrays.hashCode(layoutKinds), strings);
    }

    @Override
    public TypeSerializerSnapshot<FlowRecord> snapshotConfiguration() {
        return new FlowRecordSerializerSnapshot(layoutNames, layoutKinds, strings);
    }

    /** Describes the layout, for tests and diagnostics. */
    List<String> describeLayout() {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < layoutNames.length; i++) {
            l.add(layoutNames[i] + ":" + layoutKinds[i]);
        }
        return l;
    }
}
