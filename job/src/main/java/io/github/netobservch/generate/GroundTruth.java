package io.github.netobservch.generate;

import io.github.netobservch.parse.DeadLetterReason;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
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
        Set<String> primaries = new HashSet<>();
        for (GeneratedMessage m : messages) {
            if (m.role() == GeneratedMessage.Role.PRIMARY) {
                primaries.add(m.flowId() + "/" + m.slice());
            }
        }
        long rows = 0;
        long bytes = 0;
        long packets = 0;
        Map<DeadLetterReason, Long> reasons = new EnumMap<>(DeadLetterReason.class);
        Set<String> orphanCopiesCounted = new HashSet<>();
        for (GeneratedMessage m : messages) {
            boolean counts = m.counts();
            if (m.role() == GeneratedMessage.Role.CROSS_REPORTER_COPY) {
                String slice = m.flowId() + "/" + m.slice();
                counts = !primaries.contains(slice) && orphanCopiesCounted.add(slice);
            }
            if (!m.valid()) {
                reasons.merge(m.expectedReason(), 1L, Long::sum);
            } else if (counts) {
                rows++;
                bytes += m.bytes();
                packets += m.packets();
            }
        }
        return new GroundTruth(rows, bytes, packets, reasons);
    }
}
