package io.github.netobservch.parse;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.github.netobservch.format.Column;
import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowRecord;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * Per-record bookkeeping of {@link RawPolicy#UNMAPPED} and {@link RawPolicy#NONE}: the message's keys
 * in order, which of them the columns do not give back exactly (the residue), the {@code
 * raw_key_bits} of the others and the residue object. Not thread-safe; one per {@link FlowParser}.
 *
 * <p>Cost: the common record (no residue) adds one {@code int} per key and one pass over them for
 * the key bits; the residue, built only for records that have one, is copied from the value ranges
 * the parser noted while reading the message.
 */
final class RawResidue {

    /** Per key: its column's slot index, or -1 for a key no column holds (its name is in {@link #others}). */
    private int[] ids = new int[64];

    private String[] others = new String[64];
    private boolean[] residue = new boolean[64];
    /** Per key: its value's bytes in the message, and whether they hold a number ClickHouse cannot read. */
    private int[] valueFrom = new int[64];

    private int[] valueTo = new int[64];
    private boolean[] valueUnreadable = new boolean[64];
    private int count;
    private boolean anyResidue;
    /** Cleared when a residue key has no UTF-8 form (a lone surrogate): the residue cannot hold it. */
    private boolean encodable;

    void start() {
        count = 0;
        anyResidue = false;
        encodable = true;
    }

    /** Records the next key; returns its position. */
    int add(Column c, String name) {
        int n = count;
        int[] keyIds = ids;
        if (c != null && n < keyIds.length) {
            // a column's key (nearly every key): small enough to be inlined
            keyIds[n] = c.index();
            residue[n] = false; // its value's range comes with value(), before the residue is read
            count = n + 1;
            return n;
        }
        return addOther(c, name);
    }

    private int addOther(Column c, String name) {
        if (count == ids.length) {
            ids = Arrays.copyOf(ids, count * 2);
            others = Arrays.copyOf(others, count * 2);
            residue = Arrays.copyOf(residue, count * 2);
            valueFrom = Arrays.copyOf(valueFrom, count * 2);
            valueTo = Arrays.copyOf(valueTo, count * 2);
            valueUnreadable = Arrays.copyOf(valueUnreadable, count * 2);
        }
        ids[count] = c != null ? c.index() : -1;
        others[count] = c != null ? null : name;
        residue[count] = false; // its value's range comes with value(), before the residue is read
        return count++;
    }

    /** Notes where the value of the key at {@code position} is written: {@code message[from, to)}. */
    void value(int position, int from, int to, boolean unreadable) {
        valueFrom[position] = from;
        valueTo[position] = to;
        valueUnreadable[position] = unreadable;
    }

    void markResidue(int position) {
        residue[position] = true;
        anyResidue = true;
        if (ids[position] < 0 && Utf8.hasLoneSurrogate(others[position])) {
            encodable = false;
        }
    }

    /**
     * Whether JSON text holds a {@code \\u} escape of a surrogate ({@code \\uD800}–{@code \\uDFFF}),
     * paired or not. Never written by NetObserv's Go encoder (it escapes no astral character and
     * replaces invalid UTF-8); conservative for the rare record that has one.
     */
    static boolean hasSurrogateEscape(byte[] json) {
        for (int i = 0; i + 5 < json.length; i++) {
            if (json[i] == '\\' && json[i + 1] == 'u' && (json[i + 2] == 'd' || json[i + 2] == 'D')) {
                byte b = json[i + 3];
                if ((b >= '8' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F')) {
                    return true;
                }
            }
            if (json[i] == '\\') {
                i++; // an escaped backslash is not the start of an escape
            }
        }
        return false;
    }

    /** Marks the column's key, if the message had it, as residue. */
    void markResidue(Column c) {
        for (int i = 0; i < count; i++) {
            if (ids[i] == c.index()) {
                markResidue(i);
            }
        }
    }

    boolean hasResidue() {
        return anyResidue;
    }

    /** Whether every residue key has a UTF-8 form (none holds a lone surrogate). */
    boolean encodable() {
        return encodable;
    }

    /**
     * Sets {@code raw_key_bits}: a bit for every key whose value a column gives back (not residue).
     * Under both policies the same set: unmapped keeps the other keys in the residue, none drops them.
     */
    void keyBits(FlowRecord r) {
        long high = 0;
        long low = 0;
        for (int i = 0; i < count; i++) {
            int id = ids[i];
            if (id >= 0 && !residue[i]) {
                int bit = ColumnRegistry.keyBit(id);
                if (bit >= 64) {
                    high |= 1L << bit; // (shift counts are taken mod 64)
                } else if (bit >= 0) {
                    low |= 1L << bit;
                }
            }
        }
        r.setBits128(ColumnRegistry.RAW_KEY_BITS, high, low);
    }

    /**
     * The residue: a JSON object of the residue keys with their values as written, in message order,
     * or {@code null} when it holds a number ClickHouse's JSON functions cannot read (an integer
     * beyond 64 bits, a float beyond double's range), which would make the whole residue unreadable:
     * the record is then kept whole. Copied from the value ranges noted by {@link #value}.
     */
    byte[] residue(byte[] message) {
        JsonStringEncoder encoder = JsonStringEncoder.getInstance();
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        out.write('{');
        boolean first = true;
        for (int i = 0; i < count; i++) {
            if (!residue[i]) {
                continue;
            }
            if (valueUnreadable[i]) {
                return null;
            }
            if (!first) {
                out.write(',');
            }
            first = false;
            out.write('"');
            out.writeBytes(encoder.quoteAsUTF8(name(i)));
            out.write('"');
            out.write(':');
            out.write(message, valueFrom[i], valueTo[i] - valueFrom[i]);
        }
        out.write('}');
        return out.toByteArray();
    }

    private String name(int position) {
        int id = ids[position];
        return id >= 0 ? ColumnRegistry.column(id).jsonName() : others[position];
    }
}
