package io.github.netobservch.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The streaming ground truth stays exact past its window and keeps a bounded number of slices, so
 * long runs (the soak run measures the heap of the JVM that holds it) do not grow with it.
 */
class GroundTruthMemoryTest {

    /** A small window, so the stream is many windows long; the production window is 16 times larger. */
    private static final int WINDOW = 4_096;

    @Test
    void orphansForGoodCountOnceAndMemoryStaysBoundedBeyondTheWindow() {
        FlowGenerator generator = new FlowGenerator(
                GeneratorConfig.builder(8L).invalidShare(0.01).legacyShare(0.2).build());
        // Drop the primaries of the first 20 cross-node slices: their copies are orphans for good.
        List<GeneratedMessage> messages = new ArrayList<>();
        int dropped = 0;
        while (messages.size() < 40_000) {
            GeneratedMessage m = generator.next();
            if (dropped < 20 && m.role() == GeneratedMessage.Role.PRIMARY && "cross_node".equals(m.scenario())) {
                dropped++;
                continue;
            }
            messages.add(m);
        }
        GroundTruth.Accumulator acc = new GroundTruth.Accumulator(WINDOW);
        int maxRemembered = 0;
        for (int i = 0; i < messages.size(); i++) {
            acc.add(messages.get(i));
            maxRemembered = Math.max(maxRemembered, acc.remembered());
            if ((i + 1) % 9_000 == 0 || i + 1 == messages.size()) {
                GroundTruth truth = acc.result();
                long[] direct = direct(messages.subList(0, i + 1));
                assertThat(new long[] {truth.rows(), truth.bytes(), truth.packets(), truth.invalid()})
                        .as("after %d messages", i + 1)
                        .containsExactly(direct[0], direct[1], direct[2], direct[3]);
            }
        }
        assertThat(maxRemembered).as("slices remembered at most").isLessThanOrEqualTo(3 * WINDOW);
    }

    /**
     * rows, bytes, packets, invalid — counted over the whole list at once. A copy whose slice has no
     * primary counts unless a primary of its slice or flow lies within {@code WINDOW} messages of it
     * (the job drops the copies of a flow elected to its primary's reporter).
     */
    private static long[] direct(List<GeneratedMessage> messages) {
        Map<Long, List<Integer>> primaryIndexesBySlice = new HashMap<>();
        Map<Long, List<Integer>> primaryIndexesByFlow = new HashMap<>();
        for (int i = 0; i < messages.size(); i++) {
            GeneratedMessage m = messages.get(i);
            if (m.role() == GeneratedMessage.Role.PRIMARY && m.valid()) {
                primaryIndexesBySlice
                        .computeIfAbsent(m.flowId() * 65_536L + m.slice(), k -> new ArrayList<>())
                        .add(i);
                primaryIndexesByFlow
                        .computeIfAbsent(m.flowId(), k -> new ArrayList<>())
                        .add(i);
            }
        }
        Set<Long> orphans = new HashSet<>();
        long rows = 0;
        long bytes = 0;
        long packets = 0;
        long invalid = 0;
        for (int i = 0; i < messages.size(); i++) {
            GeneratedMessage m = messages.get(i);
            long slice = m.flowId() * 65_536L + m.slice();
            if (!m.valid()) {
                invalid++;
            } else if (m.counts()
                    || (m.role() == GeneratedMessage.Role.CROSS_REPORTER_COPY
                            && !near(primaryIndexesBySlice.get(slice), i)
                            && !near(primaryIndexesByFlow.get(m.flowId()), i)
                            && orphans.add(slice))) {
                rows++;
                bytes += m.bytes();
                packets += m.packets();
            }
        }
        return new long[] {rows, bytes, packets, invalid};
    }

    private static boolean near(List<Integer> indexes, int i) {
        return indexes != null && indexes.stream().anyMatch(j -> j >= i - WINDOW && j <= i + WINDOW);
    }
}
