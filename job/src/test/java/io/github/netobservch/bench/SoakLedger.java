package io.github.netobservch.bench;

import io.github.netobservch.generate.GeneratedMessage;
import io.github.netobservch.local.ClickHouseHttp;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Where each produced message landed in Kafka (partition and offset, from the producer's
 * acknowledgement) with the generator's facts about it, on disk so that the soak's heap figures
 * do not grow with the run. Read only when ClickHouse differs from the ground truth: {@link
 * #explain} names the flow slices with no loaded row, or more than one, and every message of their
 * flows, so that a mismatch seen once can be reasoned about afterwards.
 */
final class SoakLedger {

    /** Slices printed per kind of mismatch. */
    private static final int SHOWN = 5;

    private final Path file;
    private final DataOutputStream out;
    private final Map<String, Integer> scenarios = new HashMap<>();
    private final List<String> scenarioNames = new ArrayList<>();

    private SoakLedger(Path file) throws IOException {
        this.file = file;
        this.out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
    }

    static SoakLedger create(String topic) {
        try {
            Path file = Files.createTempFile("soak-ledger-" + topic, ".bin");
            file.toFile().deleteOnExit();
            return new SoakLedger(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Called from the producer's acknowledgements (its I/O thread). */
    synchronized void add(int partition, long offset, GeneratedMessage m) {
        try {
            int scenario = scenarios.computeIfAbsent(m.scenario(), name -> {
                scenarioNames.add(name);
                return scenarioNames.size() - 1;
            });
            out.writeInt(partition);
            out.writeLong(offset);
            out.writeLong(m.index());
            out.writeByte(m.role().ordinal());
            out.writeLong(m.flowId());
            out.writeInt(m.slice());
            out.writeShort(scenario);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Entry(
            int partition,
            long offset,
            long index,
            GeneratedMessage.Role role,
            long flowId,
            int slice,
            String scenario) {
        String where() {
            return partition + ":" + offset;
        }
    }

    synchronized List<Entry> entries() {
        List<Entry> entries = new ArrayList<>();
        try {
            out.flush();
            try (DataInputStream in =
                    new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
                while (true) {
                    int partition;
                    try {
                        partition = in.readInt();
                    } catch (EOFException end) {
                        return entries;
                    }
                    entries.add(new Entry(
                            partition,
                            in.readLong(),
                            in.readLong(),
                            GeneratedMessage.Role.values()[in.readByte()],
                            in.readLong(),
                            in.readInt(),
                            scenarioNames.get(in.readShort())));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Prints the slices with no loaded row and those with more than one (a few of each), each with
     * every message of its flow: role, Kafka position, generator index, loaded or not.
     */
    void explain(ClickHouseHttp ch, Consumer<String> line) {
        Set<String> loaded = new HashSet<>();
        for (String[] row : ch.rows("SELECT kafka_partition, kafka_offset FROM flows")) {
            loaded.add(row[0] + ":" + row[1]);
        }
        explain(loaded, line);
    }

    /** {@link #explain(ClickHouseHttp, Consumer)} given the loaded rows' {@code partition:offset}. */
    void explain(Set<String> loaded, Consumer<String> line) {
        Map<Long, List<Entry>> byFlow = new LinkedHashMap<>();
        for (Entry e : entries()) {
            if (e.role() != GeneratedMessage.Role.INVALID) {
                byFlow.computeIfAbsent(e.flowId(), k -> new ArrayList<>()).add(e);
            }
        }
        List<String> missing = new ArrayList<>();
        List<String> twice = new ArrayList<>();
        for (List<Entry> flow : byFlow.values()) {
            Map<Integer, Integer> loadedPerSlice = new LinkedHashMap<>();
            for (Entry e : flow) {
                loadedPerSlice.merge(e.slice(), loaded.contains(e.where()) ? 1 : 0, Integer::sum);
            }
            loadedPerSlice.forEach((slice, n) -> {
                if (n != 1) {
                    (n == 0 ? missing : twice).add(describe(flow, slice, loaded));
                }
            });
        }
        line.accept(String.format(
                "soak: ledger of %,d flows: %,d slices with no loaded row, %,d with more than one",
                byFlow.size(), missing.size(), twice.size()));
        missing.stream().limit(SHOWN).forEach(d -> line.accept("soak: no row for " + d));
        twice.stream().limit(SHOWN).forEach(d -> line.accept("soak: several rows for " + d));
    }

    private static String describe(List<Entry> flow, int slice, Set<String> loaded) {
        StringBuilder b = new StringBuilder()
                .append("flow ")
                .append(flow.get(0).flowId())
                .append(" slice ")
                .append(slice)
                .append(" (")
                .append(flow.get(0).scenario())
                .append("); its flow's messages:");
        for (Entry e : flow) {
            b.append("\n    slice ")
                    .append(e.slice())
                    .append(' ')
                    .append(e.role())
                    .append(" #")
                    .append(e.index())
                    .append(" at ")
                    .append(e.where())
                    .append(loaded.contains(e.where()) ? " loaded" : " not loaded");
        }
        return b.toString();
    }
}
