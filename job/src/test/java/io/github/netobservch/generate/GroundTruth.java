package io.github.netobservch.generate;

import io.github.netobservch.parse.DeadLetterReason;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a correct job must load for a finite list of generated messages, from NetObserv's semantics
 * and the generator's own knowledge of which messages report which flow slice — never from the
 * job's dedup rules: one row per observed slice (the report the console counts, {@link
 * GeneratedMessage.Role#PRIMARY}; a slice whose counted report was not produced counts once by the
 * other node's copy), their byte and packet sums, and the dead letters per reason.
 *
 * <p>Where the job's per-flow reporter election can disagree with this (the elected reporter stops
 * mid-flow, a second report after its key expired), {@code SliceOracleTest} pins the disagreement.
 * The generator emits a slice's reports together, but for half the cross-node flows the other
 * node's copy comes first: a stream cut right after such a copy leaves it without its counted report,
 * an orphan to this truth but a second report to the job when an earlier slice elected the other
 * reporter. Producers that stop on a clock therefore stop only at a {@link #cleanCutAfter clean cut}.
 */
public record GroundTruth(long rows, long bytes, long packets, Map<DeadLetterReason, Long> deadLetters) {

    public GroundTruth {
        deadLetters = Collections.unmodifiableMap(
                new EnumMap<>(deadLetters.isEmpty() ? new EnumMap<>(DeadLetterReason.class) : deadLetters));
    }

    /**
     * Whether a stream of generated messages may end right after {@code last} (null: nothing produced
     * yet) without cutting a slice's reports apart: after a counted report, every report of its
     * slice that came first has its counted report, and the ones after it are copies.
     */
    public static boolean cleanCutAfter(GeneratedMessage last) {
        return last == null || last.role() == GeneratedMessage.Role.PRIMARY;
    }

    public long invalid() {
        return deadLetters.values().stream().mapToLong(Long::longValue).sum();
    }

    public static GroundTruth of(List<GeneratedMessage> messages) {
        Accumulator acc = new Accumulator();
        messages.forEach(acc::add);
        return acc.result();
    }

    /**
     * The same ground truth, built while messages are produced (the demo, the benchmark and the soak
     * run produce millions and keep none). A cross-node copy counts only when its slice's primary is
     * never produced. The generator emits all reports of a slice together (only drawn invalid
     * messages and re-sends come between them), so a copy and its primary are never {@link #WINDOW}
     * messages apart: primaries are forgotten after that many messages, and a copy still without its
     * primary then is an orphan for good. Memory stays bounded by the window (a few MB), whatever
     * the stream's length; the soak run measures the heap of a JVM that holds this too.
     */
    public static final class Accumulator {

        /** Messages after which a slice's reports are complete (far more than the generator needs). */
        static final int WINDOW = 65_536;

        private final int window;
        private final LinkedHashMap<Long, Long> recentPrimaries = new LinkedHashMap<>(); // slice → message number
        private final LinkedHashMap<Long, long[]> openOrphans =
                new LinkedHashMap<>(); // slice → {number, bytes, packets, flow}
        private final Map<DeadLetterReason, Long> reasons = new EnumMap<>(DeadLetterReason.class);
        private long added;
        private long rows;
        private long bytes;
        private long packets;

        public Accumulator() {
            this(WINDOW);
        }

        Accumulator(int window) {
            this.window = window;
        }

        public synchronized void add(GeneratedMessage m) {
            long n = added++;
            forgetOlderThan(n - window);
            if (!m.valid()) {
                reasons.merge(m.expectedReason(), 1L, Long::sum);
                return;
            }
            long slice = m.flowId() * 65_536L + m.slice();
            if (m.role() == GeneratedMessage.Role.PRIMARY) {
                recentPrimaries.put(slice, n);
                openOrphans.remove(slice); // its counted report came after all: that one counts
            } else if (m.role() == GeneratedMessage.Role.CROSS_REPORTER_COPY && !recentPrimaries.containsKey(slice)) {
                openOrphans.putIfAbsent(slice, new long[] {n, m.bytes(), m.packets(), m.flowId()});
            }
            if (m.counts()) {
                rows++;
                bytes += m.bytes();
                packets += m.packets();
            }
        }

        public synchronized GroundTruth result() {
            long r = rows;
            long b = bytes;
            long p = packets;
            for (long[] orphan : openOrphans.values()) {
                r++;
                b += orphan[1];
                p += orphan[2];
            }
            return new GroundTruth(r, b, p, reasons);
        }

        /** Slices remembered now (at most two windows' worth, however long the stream). */
        synchronized int remembered() {
            return recentPrimaries.size() + openOrphans.size();
        }

        private void forgetOlderThan(long n) {
            for (Iterator<Long> it = recentPrimaries.values().iterator(); it.hasNext(); ) {
                if (it.next() >= n) {
                    break;
                }
                it.remove();
            }
            for (Iterator<long[]> it = openOrphans.values().iterator(); it.hasNext(); ) {
                long[] orphan = it.next();
                if (orphan[0] >= n) {
                    break;
                }
                rows++; // an orphan for good
                bytes += orphan[1];
                packets += orphan[2];
                it.remove();
            }
        }
    }
}
