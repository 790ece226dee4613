package io.github.netobservch.dedup;

import java.util.Arrays;

/**
 * Layout of the per-flow-key state of {@link FlowDeduplicator}: one {@code long[]} so the heap
 * backend holds one small array per key (no boxing, no per-field objects) and RocksDB/ForSt one
 * short value.
 *
 * <pre>
 * [0] reporter AgentIP, high 64 bits   (HOLDING: the candidate, ELECTED: the elected reporter, CONVERSATION: 0)
 * [1] reporter AgentIP, low 64 bits
 * [2] time: HOLDING → wait deadline; ELECTED, CONVERSATION → last seen, max(event time, watermark) of its records
 * [3] meta: bits 0-1 status (1 HOLDING, 2 ELECTED, 3 CONVERSATION), bit 2 fallback (elected without being preferred),
 *           bits 8-15 next ring slot once the fingerprints are full, bits 16-31 incarnation,
 *           bits 32-63 write epoch (processing time of the last write, in safety-net ticks; 0 = never stamped)
 * [4..] slice fingerprints, grown one at a time up to maxFingerprints, then a ring
 * </pre>
 *
 * 5 longs (56 bytes on the heap) for the common single-slice flow, 8 with 4 fingerprints.
 */
final class KeyState {

    static final int HIGH = 0;
    static final int LOW = 1;
    static final int TIME = 2;
    static final int META = 3;
    static final int FP = 4;

    static final int HOLDING = 1;
    static final int ELECTED = 2;
    /** A conversation record's key: no reporter, only the fingerprints of the records seen. */
    static final int CONVERSATION = 3;

    private static final long STATUS_MASK = 0x3L;
    private static final long FALLBACK_BIT = 0x4L;
    private static final int RING_SHIFT = 8;
    private static final long RING_MASK = 0xFFL << RING_SHIFT;
    private static final int INCARNATION_SHIFT = 16;
    private static final long INCARNATION_MASK = 0xFFFFL << INCARNATION_SHIFT;
    private static final int EPOCH_SHIFT = 32;

    private KeyState() {}

    /** A new key state with one fingerprint (none when {@code maxFingerprints == 0}). */
    static long[] create(
            int status, long high, long low, long time, int incarnation, long fingerprint, int maxFingerprints) {
        long[] s = new long[maxFingerprints > 0 ? FP + 1 : FP];
        s[HIGH] = high;
        s[LOW] = low;
        s[TIME] = time;
        s[META] = status | ((long) (incarnation & 0xFFFF) << INCARNATION_SHIFT);
        if (maxFingerprints > 0) {
            s[FP] = fingerprint;
        }
        return s;
    }

    static int status(long[] s) {
        return (int) (s[META] & STATUS_MASK);
    }

    static boolean fallback(long[] s) {
        return (s[META] & FALLBACK_BIT) != 0;
    }

    /** Turns a HOLDING state into ELECTED for its candidate (after the wait), keeping fingerprints. */
    static void electCandidate(long[] s, long lastSeen) {
        s[TIME] = lastSeen;
        s[META] = (s[META] & ~STATUS_MASK) | ELECTED | FALLBACK_BIT;
    }

    static boolean isReporter(long[] s, long high, long low) {
        return s[HIGH] == high && s[LOW] == low;
    }

    static int incarnation(long[] s) {
        return (int) ((s[META] & INCARNATION_MASK) >>> INCARNATION_SHIFT);
    }

    static void setIncarnation(long[] s, int incarnation) {
        s[META] = (s[META] & ~INCARNATION_MASK) | ((long) (incarnation & 0xFFFF) << INCARNATION_SHIFT);
    }

    /** The write epoch stamped by {@link #stamp} (0: never, e.g. state of a version without it). */
    static long epoch(long[] s) {
        return s[META] >>> EPOCH_SHIFT;
    }

    /** Records that the key is written in {@code epoch} (its low 32 bits: they wrap after 2^32 ticks). */
    static void stamp(long[] s, long epoch) {
        s[META] = (s[META] & 0xFFFF_FFFFL) | (epoch << EPOCH_SHIFT);
    }

    /** Ticks from the key's last write to {@code epoch}, modulo 2^32. */
    static long epochsSinceWrite(long[] s, long epoch) {
        return (epoch - epoch(s)) & 0xFFFF_FFFFL;
    }

    static int fingerprintCount(long[] s) {
        return s.length - FP;
    }

    static boolean containsFingerprint(long[] s, long fp) {
        for (int i = FP; i < s.length; i++) {
            if (s[i] == fp) {
                return true;
            }
        }
        return false;
    }

    /**
     * Adds a fingerprint: grows the array while below {@code maxFingerprints}, else overwrites the
     * oldest (ring). Returns the array to store (a new one when grown).
     */
    static long[] addFingerprint(long[] s, long fp, int maxFingerprints) {
        if (maxFingerprints <= 0) {
            return s;
        }
        int count = s.length - FP;
        if (count < maxFingerprints) {
            long[] grown = Arrays.copyOf(s, s.length + 1);
            grown[s.length] = fp;
            return grown;
        }
        // full (or more entries than allowed after a config change: keep ringing over what is there)
        int next = (int) ((s[META] & RING_MASK) >>> RING_SHIFT) % count;
        s[FP + next] = fp;
        s[META] = (s[META] & ~RING_MASK) | ((long) ((next + 1) % count) << RING_SHIFT);
        return s;
    }
}
