package io.github.netobservch.rows;

import io.github.netobservch.format.Column;
import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.format.ValueKind;
import java.io.IOException;
import java.io.Serializable;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The columns a {@code flows} row was encoded with ({@link FlowRowEncoder}): name, kind and
 * nullability of each, in order. Rows kept in state carry their layout in the serializer's snapshot,
 * so a row written before a column was added or removed is still read right ({@link #decode}).
 */
public final class FlowRowLayout implements Serializable {

    private static final long serialVersionUID = 1L;

    private static final FlowRowLayout CURRENT = current();

    private final String[] names;
    private final ValueKind[] kinds;
    private final boolean[] nullable;
    /** The current registry's column for each position (same name and kind), or null: skipped. */
    private transient Column[] targets;

    FlowRowLayout(String[] names, ValueKind[] kinds, boolean[] nullable) {
        if (names.length != kinds.length || names.length != nullable.length) {
            throw new IllegalArgumentException("a layout needs a kind and a nullability per column");
        }
        this.names = names;
        this.kinds = kinds;
        this.nullable = nullable;
    }

    private Column[] targets() {
        Column[] t = targets;
        if (t == null) {
            t = new Column[names.length];
            for (int i = 0; i < names.length; i++) {
                Column c = ColumnRegistry.byName(names[i]);
                t[i] = c != null && c.kind() == kinds[i] ? c : null;
            }
            targets = t;
        }
        return t;
    }

    /** The layout {@link FlowRowEncoder} writes now: {@link ColumnRegistry#columns()}. */
    public static FlowRowLayout of() {
        return CURRENT;
    }

    private static FlowRowLayout current() {
        List<Column> columns = ColumnRegistry.columns();
        String[] n = new String[columns.size()];
        ValueKind[] k = new ValueKind[n.length];
        boolean[] z = new boolean[n.length];
        for (int i = 0; i < n.length; i++) {
            n[i] = columns.get(i).name();
            k[i] = columns.get(i).kind();
            z[i] = columns.get(i).nullable();
        }
        return new FlowRowLayout(n, k, z);
    }

    /** Whether rows of this layout are rows of today's {@code flows} table. */
    public boolean isCurrent() {
        return equals(CURRENT);
    }

    int size() {
        return names.length;
    }

    void write(DataOutputView out) throws IOException {
        out.writeInt(names.length);
        for (int i = 0; i < names.length; i++) {
            out.writeUTF(names[i]);
            out.writeUTF(kinds[i].name());
            out.writeBoolean(nullable[i]);
        }
    }

    static FlowRowLayout read(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 10_000) {
            throw new IOException("corrupt flows row layout: " + n + " columns");
        }
        String[] names = new String[n];
        ValueKind[] kinds = new ValueKind[n];
        boolean[] nullable = new boolean[n];
        for (int i = 0; i < n; i++) {
            names[i] = in.readUTF();
            String kind = in.readUTF();
            try {
                kinds[i] = ValueKind.valueOf(kind);
            } catch (IllegalArgumentException e) {
                throw new IOException("unknown value kind " + kind + " for column " + names[i], e);
            }
            nullable[i] = in.readBoolean();
        }
        return new FlowRowLayout(names, kinds, nullable);
    }

    /**
     * Decodes one RowBinary row of this layout into a record of today's registry: columns are mapped
     * by name (a column that no longer exists, or whose kind changed, is skipped), a NULL is an
     * absent value, and a non-Nullable column holds its value even when it is the default (the row
     * cannot tell). {@link FlowRowEncoder} writes the decoded record back to the same bytes (for rows
     * of the current layout).
     *
     * <p>Hand-written: RowBinary has no Java reader outside a ClickHouse client's result sets, and
     * this reads only the kinds {@link FlowRowEncoder} writes.
     *
     * @throws IllegalArgumentException when the bytes are not one row of this layout
     */
    public FlowRecord decode(byte[] row) {
        ByteBuffer in = ByteBuffer.wrap(row).order(ByteOrder.LITTLE_ENDIAN);
        FlowRecord r = new FlowRecord();
        Column[] targets = targets();
        try {
            for (int i = 0; i < names.length; i++) {
                if (nullable[i] && in.get() != 0) {
                    continue; // NULL: absent
                }
                readValue(in, kinds[i], targets[i], r);
            }
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not a flows row of " + names.length + " columns", e);
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(
                    "not a flows row of " + names.length + " columns: " + in.remaining() + " bytes left over");
        }
        return r;
    }

    private static void readValue(ByteBuffer in, ValueKind kind, Column c, FlowRecord r) {
        switch (kind) {
            case UINT8 -> setLong(r, c, in.get() & 0xFFL);
            case BOOL -> {
                boolean v = in.get() != 0;
                if (c != null) {
                    r.setBool(c, v);
                }
            }
            case UINT16 -> setLong(r, c, in.getShort() & 0xFFFFL);
            case UINT32, TIMESTAMP_S -> setLong(r, c, in.getInt() & 0xFFFF_FFFFL);
            case INT32 -> setLong(r, c, in.getInt());
            case UINT64, INT64, TIMESTAMP_MS -> setLong(r, c, in.getLong());
            case FLOAT64 -> {
                double v = in.getDouble();
                if (c != null) {
                    r.setDouble(c, v);
                }
            }
            case IP -> {
                long high = Long.reverseBytes(in.getLong()); // network byte order
                long low = Long.reverseBytes(in.getLong());
                if (c != null) {
                    r.setIp(c, high, low);
                }
            }
            case BITS128 -> {
                long low = in.getLong(); // little-endian, the low half first
                long high = in.getLong();
                if (c != null) {
                    r.setBits128(c, high, low);
                }
            }
            case STRING, LOW_CARDINALITY_STRING, MAC -> {
                byte[] utf8 = bytes(in);
                if (c != null) {
                    r.setString(c, new String(utf8, StandardCharsets.UTF_8));
                }
            }
            case STRING_ARRAY, LOW_CARDINALITY_STRING_ARRAY, TCP_FLAGS -> {
                String[] strings = strings(in, count(in));
                if (c != null) {
                    r.setStrings(c, strings);
                }
            }
            case UINT8_ARRAY, RAW_JSON -> {
                byte[] bytes = bytes(in); // an Array(UInt8) is a count and the bytes, as a String is
                if (c != null) {
                    r.setBytes(c, bytes);
                }
            }
            case NETWORK_EVENTS -> {
                String[][] events = new String[count(in)][];
                for (int e = 0; e < events.length; e++) {
                    events[e] = strings(in, Math.multiplyExact(count(in), 2));
                }
                if (c != null) {
                    r.setEvents(c, events);
                }
            }
            default -> throw new IllegalStateException("no RowBinary decoding for " + kind);
        }
    }

    private static void setLong(FlowRecord r, Column c, long v) {
        if (c != null) {
            r.setLong(c, v);
        }
    }

    private static String[] strings(ByteBuffer in, int n) {
        String[] strings = new String[n];
        for (int i = 0; i < n; i++) {
            strings[i] = new String(bytes(in), StandardCharsets.UTF_8);
        }
        return strings;
    }

    private static byte[] bytes(ByteBuffer in) {
        byte[] b = new byte[count(in)];
        in.get(b);
        return b;
    }

    /** An unsigned LEB128 length or count, at most what the rest of the row could hold. */
    private static int count(ByteBuffer in) {
        long v = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            byte b = in.get();
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                if (v > in.remaining()) {
                    throw new IllegalArgumentException("length " + v + " beyond the row's end");
                }
                return (int) v;
            }
        }
        throw new IllegalArgumentException("length longer than 5 bytes");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FlowRowLayout l
                && Arrays.equals(names, l.names)
                && Arrays.equals(kinds, l.kinds)
                && Arrays.equals(nullable, l.nullable);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(names) * 31 + Arrays.hashCode(kinds);
    }

    @Override
    public String toString() {
        return "FlowRowLayout(" + names.length + " columns)";
    }
}
