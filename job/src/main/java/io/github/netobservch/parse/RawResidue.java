package io.github.netobservch.parse;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.github.netobservch.format.Column;
import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.Utf8Text;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-record bookkeeping of {@link RawPolicy#UNMAPPED} and {@link RawPolicy#NONE}: the message's keys
 * in order, which of them the columns do not give back exactly (the residue), the {@code raw_keys}
 * string and the residue object. Not thread-safe; one per {@link FlowParser}.
 *
 * <p>Cost: the common record (no residue) adds one {@code int} per key and a lookup of its key
 * sequence in a small cache of {@code raw_keys} strings (records of one producer repeat a few
 * sequences), so no string is built per record. Hand-rolled because the cache is keyed by the
 * sequence without allocating a key object; the residue, built only for records that have one, is
 * copied from the value ranges the parser noted while reading the message.
 */
final class RawResidue {

    /** Shapes cached (a deployment's producers make tens); beyond it a shape's string is built per record. */
    private static final int CACHE_CAPACITY = 1024;
    /** Distinct unknown/legacy key names given an id; beyond it keys are listed without the cache. */
    private static final int MAX_OTHER_NAMES = 4096;

    private int[] ids = new int[64];
    private boolean[] residue = new boolean[64];
    /** Per key: its value's bytes in the message, and whether they hold a number ClickHouse cannot read. */
    private int[] valueFrom = new int[64];

    private int[] valueTo = new int[64];
    private boolean[] valueUnreadable = new boolean[64];
    private int count;
    private boolean anyResidue;
    /** Cleared when a residue key cannot be listed in {@code raw_keys} (it contains the separator). */
    private boolean listable;
    /** Cleared when a key has no id (too many distinct unknown names): no caching for this record. */
    private boolean cacheable;

    private final Map<String, Integer> otherIds = new HashMap<>();
    private final List<String> otherNames = new ArrayList<>();

    private final long[] cacheHash = new long[CACHE_CAPACITY * 2];
    private final int[][] cacheSeq = new int[CACHE_CAPACITY * 2][];
    private final Utf8Text[] cacheValue = new Utf8Text[CACHE_CAPACITY * 2];
    private int cached;
    /** Key names of the current record for keys without an id ({@link #cacheable} false). */
    private final List<String> names = new ArrayList<>();

    void start() {
        count = 0;
        anyResidue = false;
        listable = true;
        cacheable = true;
        names.clear();
    }

    /** Records the next key; returns its position. */
    int add(Column c, String name) {
        int n = count;
        int[] keyIds = ids;
        if (c != null && cacheable && n < keyIds.length) {
            // a column's key in a record of known keys (nearly every key): small enough to be inlined
            keyIds[n] = c.index();
            residue[n] = false; // its value's range comes with value(), before the residue is read
            count = n + 1;
            return n;
        }
        return addOther(c, name);
    }

    private int addOther(Column c, String name) {
        int id;
        if (c != null) {
            id = c.index();
        } else {
            Integer known = otherIds.get(name);
            if (known == null && otherIds.size() < MAX_OTHER_NAMES) {
                known = ColumnRegistry.size() + otherNames.size();
                otherIds.put(name, known);
                otherNames.add(name);
            }
            if (known == null) {
                cacheable = false;
                id = -1;
            } else {
                id = known;
            }
        }
        if (count == ids.length) {
            ids = Arrays.copyOf(ids, count * 2);
            residue = Arrays.copyOf(residue, count * 2);
            valueFrom = Arrays.copyOf(valueFrom, count * 2);
            valueTo = Arrays.copyOf(valueTo, count * 2);
            valueUnreadable = Arrays.copyOf(valueUnreadable, count * 2);
        }
        if (!cacheable) {
            while (names.size() < count) {
                names.add(name(ids[names.size()], null));
            }
            names.add(name);
        }
        ids[count] = id;
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
        if (listable && !listable(name(ids[position], position))) {
            listable = false;
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

    /** A key {@code raw_keys} can list: no separator, and text that has a UTF-8 form. */
    private static boolean listable(String name) {
        return name.indexOf(',') < 0 && !Utf8.hasLoneSurrogate(name);
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

    /** Whether every residue key can be listed in {@code raw_keys} (none contains a comma). */
    boolean listable() {
        return listable;
    }

    /**
     * The {@code raw_keys} value: every key in order, residue keys with a {@code !} in front ({@code
     * withResidue}), or only the keys the columns give back. With its UTF-8 form: a cached value's
     * ~500 bytes are encoded once, not for every record that has it.
     */
    Utf8Text keys(boolean withResidue) {
        if (!cacheable) {
            return Utf8Text.of(join(withResidue));
        }
        long h = 0xcbf29ce484222325L;
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (withResidue || !residue[i]) {
                h = (h ^ element(i)) * 0x100000001b3L;
                n++;
            }
        }
        h ^= h >>> 29;
        int mask = cacheHash.length - 1;
        for (int slot = (int) h & mask; ; slot = (slot + 1) & mask) {
            int[] seq = cacheSeq[slot];
            if (seq == null) {
                Utf8Text s = Utf8Text.of(join(withResidue));
                if (cached < CACHE_CAPACITY) {
                    cacheHash[slot] = h;
                    cacheSeq[slot] = sequence(withResidue, n);
                    cacheValue[slot] = s;
                    cached++;
                }
                return s;
            }
            if (cacheHash[slot] == h && sameSequence(seq, withResidue)) {
                return cacheValue[slot];
            }
        }
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
            out.writeBytes(encoder.quoteAsUTF8(name(ids[i], i)));
            out.write('"');
            out.write(':');
            out.write(message, valueFrom[i], valueTo[i] - valueFrom[i]);
        }
        out.write('}');
        return out.toByteArray();
    }

    private String name(int id, Integer position) {
        if (id < 0) {
            return names.get(position);
        }
        return id < ColumnRegistry.size()
                ? ColumnRegistry.column(id).jsonName()
                : otherNames.get(id - ColumnRegistry.size());
    }

    private String join(boolean withResidue) {
        StringBuilder sb = new StringBuilder(count * 12);
        for (int i = 0; i < count; i++) {
            if (withResidue || !residue[i]) {
                if (sb.length() > 0) {
                    sb.append(',');
                }
                if (residue[i]) {
                    sb.append('!');
                }
                sb.append(name(ids[i], i));
            }
        }
        return sb.toString();
    }

    /** A position in a cached key sequence: the key's id, complemented for a residue key. */
    private int element(int i) {
        return residue[i] ? ~ids[i] : ids[i];
    }

    private int[] sequence(boolean withResidue, int n) {
        int[] seq = new int[n];
        for (int i = 0, j = 0; i < count; i++) {
            if (withResidue || !residue[i]) {
                seq[j++] = element(i);
            }
        }
        return seq;
    }

    private boolean sameSequence(int[] seq, boolean withResidue) {
        int j = 0;
        for (int i = 0; i < count; i++) {
            if (withResidue || !residue[i]) {
                if (j == seq.length || seq[j++] != element(i)) {
                    return false;
                }
            }
        }
        return j == seq.length;
    }
}
