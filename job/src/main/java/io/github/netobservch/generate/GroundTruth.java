package io.github.netobservch.generate;

import io.github.netobservch.parse.DeadLetterReason;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a correct job must load for a finite list of generated messages: the counted flow slices
 * (one per slice, from the reporter the console counts), their byte and packet sums, and the
 * dead letters per reason.
 *
 * <p>A finite cut of the stream can end between the two reports of a cross-node slice. If the
 * other node's copy was produced but the counted (primary) report was not, the job must keep that
 * copy — a slice whose preferred reporter never reports still counts once — so the copy is
 * counted here instead.
 */
public record GroundTruth(long rows, long bytes, long packets, Map<DeadLetterReason, Long> deadLetters) {

    public GroundTruth {
        deadLetters = Collections.unmodifiableMap(new EnumMap<>(deadLetters.isEmpty()
                ? new EnumMap<>(DeadLetterReason.class) : deadLetters));
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
     * The same ground truth, built while messages are produced (the demo and the benchmark produce
     * millions and keep none). A cross-node copy counts only while its slice's primary has not been
     * produced; primaries are remembered until their copy shows up, at most {@link #REMEMBERED}
     * of them (the generator emits both reports of a slice within seconds, far fewer messages apart).
     */
    public static final class Accumulator {

        static final int REMEMBERED = 2_000_000;

        private final Map<Long, Boolean> primariesWithoutCopy = new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
                return size() > REMEMBERED;
            }
        };
        /** Copies produced before (or without) their primary: slice → {bytes, packets}. */
        private final Map<Long, long[]> orphanCopies = new HashMap<>();
        private final Set<Long> pairedSlices = new HashSet<>();
        private final Map<DeadLetterReason, Long> reasons = new EnumMap<>(DeadLetterReason.class);
        private long rows;
        private long bytes;
        private long packets;

        public synchronized void add(GeneratedMessage m) {
            long slice = m.flowId() * 65_536L + m.slice();
            if (m.role() == GeneratedMessage.Role.PRIMARY) {
                if (orphanCopies.remove(slice) != null) {
                    pairedSlices.add(slice); // the copy came first; it no longer counts
                } else {
                    primariesWithoutCopy.put(slice, Boolean.TRUE);
                }
            }
            if (!m.valid()) {
                reasons.merge(m.expectedReason(), 1L, Long::sum);
                return;
            }
            if (m.role() == GeneratedMessage.Role.CROSS_REPORTER_COPY) {
                if (primariesWithoutCopy.remove(slice) == null && !pairedSlices.contains(slice)) {
                    orphanCopies.putIfAbsent(slice, new long[] {m.bytes(), m.packets()});
                }
                return;
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
            for (long[] copy : orphanCopies.values()) {
                r++;
                b += copy[0];
                p += copy[1];
            }
            return new GroundTruth(r, b, p, reasons);
        }
    }
}
