package io.github.netobservch.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The streaming ground truth equals a direct count over the whole list, wherever the stream is cut. */
class GroundTruthTest {

    @Test
    void aCopyCountsOnlyWhenItsSliceHasNoCountedReport() {
        List<GeneratedMessage> messages = List.of(
                message(GeneratedMessage.Role.CROSS_REPORTER_COPY, 1, 0, 100), // copy first, primary follows
                message(GeneratedMessage.Role.PRIMARY, 1, 0, 100),
                message(GeneratedMessage.Role.PRIMARY, 2, 0, 200), // primary first, copy follows
                message(GeneratedMessage.Role.CROSS_REPORTER_COPY, 2, 0, 200),
                message(GeneratedMessage.Role.RESEND, 2, 0, 200),
                message(GeneratedMessage.Role.CROSS_REPORTER_COPY, 3, 0, 300), // the cut took its primary
                message(GeneratedMessage.Role.PRIMARY, 4, 0, 400),
                message(GeneratedMessage.Role.CROSS_REPORTER_COPY, 4, 0, 400),
                message(GeneratedMessage.Role.CROSS_REPORTER_COPY, 4, 1, 410)); // slice 1 of flow 4 was
        // observed by the other node only: it counts (NetObserv semantics, whatever the job elects)
        GroundTruth truth = GroundTruth.of(messages);
        assertThat(truth.rows()).isEqualTo(5);
        assertThat(truth.bytes()).isEqualTo(1410);
    }

    @Test
    void streamingTruthEqualsADirectCountAtEveryCut() {
        FlowGenerator generator = new FlowGenerator(GeneratorConfig.builder(3L)
                .invalidShare(0.02)
                .resendShare(0.05)
                .legacyShare(0.1)
                .build());
        List<GeneratedMessage> all = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            all.add(generator.next());
        }
        Random random = new Random(5);
        int orphansSeen = 0;
        for (int k = 0; k < 40; k++) {
            List<GeneratedMessage> cut = all.subList(0, 1 + random.nextInt(all.size()));
            long[] direct = direct(cut);
            GroundTruth.Accumulator acc = new GroundTruth.Accumulator();
            cut.forEach(acc::add);
            GroundTruth truth = acc.result();
            assertThat(new long[] {truth.rows(), truth.bytes(), truth.packets(), truth.invalid()})
                    .as("cut after %d messages", cut.size())
                    .containsExactly(direct[0], direct[1], direct[2], direct[3]);
            orphansSeen += direct[4] > 0 ? 1 : 0;
        }
        assertThat(orphansSeen)
                .as("some cuts end between the two reports of a slice")
                .isPositive();
    }

    /** rows, bytes, packets, invalid, orphan copies — counted over the whole list at once. */
    private static long[] direct(List<GeneratedMessage> messages) {
        Set<String> primaries = new HashSet<>();
        messages.stream()
                .filter(m -> m.role() == GeneratedMessage.Role.PRIMARY)
                .forEach(m -> primaries.add(m.flowId() + "/" + m.slice()));
        Set<String> orphans = new HashSet<>();
        long rows = 0;
        long bytes = 0;
        long packets = 0;
        long invalid = 0;
        for (GeneratedMessage m : messages) {
            String slice = m.flowId() + "/" + m.slice();
            if (!m.valid()) {
                invalid++;
            } else if (m.counts()
                    || (m.role() == GeneratedMessage.Role.CROSS_REPORTER_COPY
                            && !primaries.contains(slice)
                            && orphans.add(slice))) {
                rows++;
                bytes += m.bytes();
                packets += m.packets();
            }
        }
        return new long[] {rows, bytes, packets, invalid, orphans.size()};
    }

    private static GeneratedMessage message(GeneratedMessage.Role role, long flow, int slice, long bytes) {
        return new GeneratedMessage(0, new byte[0], role, null, "test", flow, slice, -1, bytes, 1, 1, false);
    }
}
