package io.github.netobservch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.generate.FlowGenerator;
import io.github.netobservch.generate.GeneratedMessage;
import io.github.netobservch.generate.GeneratorConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The soak's mismatch report names exactly the slices with no loaded row or several: loading
 * every counted message of a generated stream reports none (the negative control), and taking one
 * row away or loading one copy too many reports that slice.
 */
class SoakLedgerTest {

    @Test
    void namesTheSliceWithoutARowAndTheSliceWithTwo() {
        SoakLedger ledger = SoakLedger.create("test");
        List<GeneratedMessage> messages =
                FlowGenerator.generate(GeneratorConfig.builder(7).build(), 2_000);
        Set<String> loaded = new HashSet<>();
        GeneratedMessage counted = null;
        GeneratedMessage copy = null;
        for (int i = 0; i < messages.size(); i++) {
            GeneratedMessage m = messages.get(i);
            ledger.add(i % 3, i / 3, m);
            if (m.counts()) {
                loaded.add(i % 3 + ":" + i / 3);
                counted = counted == null ? m : counted;
            } else if (m.role() == GeneratedMessage.Role.CROSS_REPORTER_COPY && copy == null) {
                copy = m;
                loaded.add("copy:" + i);
            }
        }
        assertThat(ledger.entries()).hasSize(messages.size());

        List<String> lines = new ArrayList<>();
        Set<String> exact = new HashSet<>(loaded);
        exact.removeIf(k -> k.startsWith("copy:"));
        ledger.explain(exact, lines::add);
        // Every slice has its counted report loaded, but for slices whose counted report was not produced.
        Set<Long> slices = new HashSet<>();
        Set<Long> countedSlices = new HashSet<>();
        for (GeneratedMessage m : messages) {
            if (m.valid()) {
                slices.add(m.flowId() * 65_536 + m.slice());
                if (m.counts()) {
                    countedSlices.add(m.flowId() * 65_536 + m.slice());
                }
            }
        }
        long orphans = slices.size() - countedSlices.size();
        assertThat(lines.get(0)).endsWith(orphans + " slices with no loaded row, 0 with more than one");

        Set<String> oneShort = new HashSet<>(exact);
        int at = messages.indexOf(counted);
        oneShort.remove(at % 3 + ":" + at / 3);
        lines.clear();
        ledger.explain(oneShort, lines::add);
        assertThat(lines.get(0)).endsWith((orphans + 1) + " slices with no loaded row, 0 with more than one");
        assertThat(String.join("\n", lines))
                .contains("no row for flow " + counted.flowId() + " slice " + counted.slice())
                .contains("PRIMARY #" + counted.index() + " at " + at % 3 + ":" + at / 3 + " not loaded");

        Set<String> oneTooMany = new HashSet<>(exact);
        int c = messages.indexOf(copy);
        oneTooMany.add(c % 3 + ":" + c / 3);
        lines.clear();
        ledger.explain(oneTooMany, lines::add);
        assertThat(lines.get(0)).endsWith(orphans + " slices with no loaded row, 1 with more than one");
        assertThat(String.join("\n", lines))
                .contains("several rows for flow " + copy.flowId() + " slice " + copy.slice())
                .contains("CROSS_REPORTER_COPY #" + copy.index() + " at " + c % 3 + ":" + c / 3 + " loaded");
    }
}
