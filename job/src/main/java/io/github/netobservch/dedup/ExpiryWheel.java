package io.github.netobservch.dedup;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;

/**
 * When each live flow key of a {@link FlowDeduplicator} subtask is due to expire: (key, expiry)
 * pairs in buckets of {@link #BUCKET_MS} event-time milliseconds, drained in order as the
 * watermark passes them.
 *
 * <p>It replaces one Flink event-time timer per key. A timer costs a heap entry, a {@code HashMap}
 * entry and an object, a sift through the heap on registration and again when it fires, and a
 * place in every checkpoint; it was ~40 % of the dedup thread's CPU in the benchmark's profile.
 * Here a new key costs one append to the newest bucket, and a watermark costs a pass over the
 * buckets it reaches. Expiry stays exact to the millisecond: an entry whose expiry is after the
 * watermark is carried, not fired.
 *
 * <p>The wheel is not checkpointed: it is derived from the keyed state (each key's last-seen time),
 * and {@link FlowDeduplicator} rebuilds it from there on restore. Entries may be stale (the key was
 * seen since, or already cleared): the handler looks at the key's state and says what to do. A key
 * may have more than one entry; each is handled on its own, the handler is idempotent.
 *
 * <p>Not thread-safe: the operator's task thread only. Hand-written because no library structure
 * holds primitive (long, long) pairs bucketed by time without an object per entry.
 */
final class ExpiryWheel {

    /** Bucket width. Watermarks advance every 200 ms by default: most due buckets are whole. */
    static final long BUCKET_MS = 1_000;

    /** Returned by a {@link Handler} when the key has nothing more to expire. */
    static final long DONE = Long.MIN_VALUE;

    /** Decides about a key whose entry came due. */
    interface Handler {
        /**
         * Called for a key whose entry's expiry is at or before the watermark. Returns the key's
         * actual expiry if it is still alive and later than the watermark (re-entered), else
         * {@link #DONE}.
         */
        long onDue(long key, long watermark) throws Exception;
    }

    private final TreeMap<Long, Bucket> buckets = new TreeMap<>();
    private final ArrayDeque<Bucket> spare = new ArrayDeque<>();
    private final Bucket carried = new Bucket();
    private long lastIndex = Long.MIN_VALUE;
    private Bucket last;
    private long size;

    /** Enters {@code key}, due at {@code expiry} (event time, ms). */
    void add(long key, long expiry) {
        long index = Math.floorDiv(expiry, BUCKET_MS);
        Bucket b = last;
        if (b == null || index != lastIndex) {
            b = buckets.get(index);
            if (b == null) {
                b = spare.isEmpty() ? new Bucket() : spare.poll();
                buckets.put(index, b);
            }
            last = b;
            lastIndex = index;
        }
        b.add(key, expiry);
        size++;
    }

    /**
     * Hands every entry due at {@code watermark} (expiry ≤ watermark) to {@code handler}, in bucket
     * order, and re-enters the keys it returns an expiry for. Entries not yet due stay.
     */
    void advance(long watermark, Handler handler) throws Exception {
        long limit = Math.floorDiv(watermark, BUCKET_MS);
        carried.clear();
        Map.Entry<Long, Bucket> first;
        while ((first = buckets.firstEntry()) != null && first.getKey() <= limit) {
            buckets.pollFirstEntry();
            Bucket b = first.getValue();
            if (b == last) {
                last = null;
            }
            size -= b.size;
            for (int i = 0; i < b.size; i++) {
                long key = b.pairs[2 * i];
                long expiry = b.pairs[2 * i + 1];
                if (expiry > watermark) {
                    carried.add(key, expiry);
                } else {
                    long next = handler.onDue(key, watermark);
                    if (next != DONE) {
                        carried.add(key, next);
                    }
                }
            }
            b.clear();
            if (spare.size() < 16 && b.pairs.length <= 1 << 16) {
                spare.push(b);
            }
        }
        // re-entered after the loop: an entry carried into a bucket the loop has not reached yet
        // would otherwise be seen twice in one pass
        for (int i = 0; i < carried.size; i++) {
            add(carried.pairs[2 * i], carried.pairs[2 * i + 1]);
        }
        carried.clear();
        if (carried.pairs.length > 1 << 16) {
            carried.pairs = new long[64];
        }
    }

    /** Entries held (tests, diagnostics). */
    long size() {
        return size;
    }

    /** Growable array of (key, expiry) pairs. */
    private static final class Bucket {
        long[] pairs = new long[64];
        int size;

        void add(long key, long expiry) {
            if (2 * size == pairs.length) {
                long[] grown = new long[pairs.length * 2];
                System.arraycopy(pairs, 0, grown, 0, pairs.length);
                pairs = grown;
            }
            pairs[2 * size] = key;
            pairs[2 * size + 1] = expiry;
            size++;
        }

        void clear() {
            size = 0;
        }
    }
}
