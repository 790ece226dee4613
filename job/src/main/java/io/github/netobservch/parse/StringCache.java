package io.github.netobservch.parse;

/**
 * A small, lossy, per-parser cache that turns repeated character sequences (namespaces, pod
 * names, interface names, MACs…) into one shared {@code String}: fewer allocations while parsing
 * and less heap when records sit in dedup state. Not thread-safe; one per parser.
 */
final class StringCache {

    private static final int MAX_LENGTH = 96;

    private final String[] table;
    private final int mask;

    StringCache(int sizePowerOfTwo) {
        this.table = new String[sizePowerOfTwo];
        this.mask = sizePowerOfTwo - 1;
    }

    String get(char[] buf, int off, int len) {
        if (len == 0) {
            return "";
        }
        if (len > MAX_LENGTH) {
            return new String(buf, off, len);
        }
        int h = 0;
        for (int i = off; i < off + len; i++) {
            h = 31 * h + buf[i];
        }
        int slot = (h ^ (h >>> 16)) & mask;
        String s = table[slot];
        if (s != null && s.length() == len && s.hashCode() == h && equals(s, buf, off, len)) {
            return s;
        }
        s = new String(buf, off, len);
        table[slot] = s;
        return s;
    }

    private static boolean equals(String s, char[] buf, int off, int len) {
        for (int i = 0; i < len; i++) {
            if (s.charAt(i) != buf[off + i]) {
                return false;
            }
        }
        return true;
    }
}
