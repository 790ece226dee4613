package io.github.netobservch.bench;

import static io.github.netobservch.format.ColumnRegistry.FLOW_KEY_HASH;
import static io.github.netobservch.format.ColumnRegistry.SRC_ADDR;
import static io.github.netobservch.format.ColumnRegistry.SRC_PORT;
import static io.github.netobservch.format.ColumnRegistry.TIME_FLOW_END_MS;

import io.github.netobservch.dedup.DedupConfig;
import io.github.netobservch.dedup.FlowDeduplicator;
import io.github.netobservch.enrich.FlowEnricher;
import io.github.netobservch.enrich.FlowKey;
import io.github.netobservch.enrich.FlowKeyHashSelector;
import io.github.netobservch.format.FlowFixtures;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.generate.FlowGenerator;
import io.github.netobservch.generate.GeneratedMessage;
import io.github.netobservch.generate.GeneratorConfig;
import io.github.netobservch.parse.FlowParser;
import io.github.netobservch.parse.ParserConfig;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.management.ObjectName;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * Dedup operator benchmark (plain main, not a test): records/s through {@link FlowDeduplicator} in
 * a keyed operator harness (HashMap state backend, watermarks every 1,000 records), and heap per
 * 1M live flow keys (used heap after GC before/after, plus the class-histogram delta showing what
 * dominates).
 *
 * <pre>
 * mvn -o -q test-compile -pl job
 * java -Xmx4g -XX:+UseG1GC -cp job/target/test-classes:job/target/classes:$(cat cp.txt) \
 *     io.github.netobservch.bench.DedupBenchmark [records=500000] [rounds=5] [keys=1000000] [throughput,heap,rocksdb]
 * </pre>
 */
public final class DedupBenchmark {

    private DedupBenchmark() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int keys = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
        String phases = args.length > 3 ? args[3] : "throughput,heap,rocksdb";

        if (phases.contains("throughput")) {
            throughput(n, rounds);
        }
        if (phases.contains("heap")) {
            heapPerKey(keys, true, false);
            heapPerKey(keys, false, false);
        }
        if (phases.contains("rocksdb")) {
            heapPerKey(keys, true, true);
        }
    }

    // ------------------------------------------------------------------ throughput

    /** Returns the mean records/s of one thread. */
    static double throughput(int n, int rounds) throws Exception {
        List<GeneratedMessage> generated = FlowGenerator.generate(
                GeneratorConfig.builder(1)
                        .recordsPerSecond(20_000)
                        .legacyShare(0.1)
                        .build(),
                n);
        FlowParser parser = new FlowParser(ParserConfig.defaults());
        List<FlowRecord> records = new ArrayList<>(n);
        for (GeneratedMessage m : generated) {
            records.add(FlowEnricher.enrich(parser.parse(m.toKafkaMessage("flows-export", 24, 1754040000000L))));
        }
        System.out.printf(
                "throughput: %d generated records (%d flows/s simulated, 1%% re-sends, 10%% legacy)%n", n, 20_000);
        for (int w = 0; w < 2; w++) {
            run(records, "warm-up " + (w + 1));
        }
        double sum = 0;
        double best = 0;
        for (int r = 0; r < rounds; r++) {
            double rate = run(records, "round " + (r + 1));
            sum += rate;
            best = Math.max(best, rate);
        }
        System.out.printf(
                "dedup (reporter-election, harness, 1 thread): mean %.0f records/s, best %.0f records/s%n%n",
                sum / rounds, best);
        return sum / rounds;
    }

    private static double run(List<FlowRecord> records, String label) throws Exception {
        FlowDeduplicator f = new FlowDeduplicator(DedupConfig.defaults());
        long t0 = System.nanoTime();
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h = harness(f)) {
            long maxTs = Long.MIN_VALUE;
            int i = 0;
            for (FlowRecord r : records) {
                long ts = r.getLong(TIME_FLOW_END_MS);
                h.processElement(r, ts);
                maxTs = Math.max(maxTs, ts);
                if (++i % 1000 == 0) {
                    h.processWatermark(maxTs - 20_000);
                    h.getOutput().clear();
                }
            }
            h.processWatermark(Long.MAX_VALUE);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        double rate = records.size() / secs;
        System.out.printf("%-10s %9.0f records/s  (%s)%n", label, rate, f.metrics());
        return rate;
    }

    // ------------------------------------------------------------------ memory

    /** Returns the heap bytes per live key. */
    static double heapPerKey(int keys, boolean ttl, boolean rocksDb) throws Exception {
        DedupConfig config = DedupConfig.builder()
                .stateTtl(ttl ? DedupConfig.DEFAULT_STATE_TTL : Duration.ZERO)
                .build();
        FlowRecord base = FlowEnricher.enrich(FlowFixtures.parse("example1")); // ingress: elected at once
        FlowDeduplicator f = new FlowDeduplicator(config);
        KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h =
                new KeyedOneInputStreamOperatorTestHarness<>(f, new FlowKeyHashSelector(), Types.LONG);
        h.setStateBackend(rocksDb ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend());
        java.nio.file.Path checkpoints = java.nio.file.Files.createTempDirectory("dedup-bench-cp");
        h.setCheckpointStorage(
                new org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage(checkpoints.toUri()));
        h.open();
        long ts = base.getLong(TIME_FLOW_END_MS);
        h.processWatermark(ts - 60_000);
        Map<String, long[]> before = histogram();
        long used0 = usedAfterGc();
        long insertStart = System.nanoTime();
        for (int i = 0; i < keys; i++) {
            FlowRecord r = base.copy();
            r.setIp(SRC_ADDR, base.ipHigh(SRC_ADDR), base.ipLow(SRC_ADDR) + (i >>> 16));
            r.setLong(SRC_PORT, i & 0xFFFF);
            r.setLong(FLOW_KEY_HASH, FlowKey.hashOf(r));
            h.processElement(r, ts);
            if ((i & 0xFFF) == 0) {
                h.getOutput().clear();
            }
        }
        h.getOutput().clear();
        long used1 = usedAfterGc();
        Map<String, long[]> after = histogram();
        double insertSecs = (System.nanoTime() - insertStart) / 1e9;
        if (!rocksDb && (h.numKeyedStateEntries() != keys || f.expiryEntries() != keys)) {
            throw new IllegalStateException(
                    h.numKeyedStateEntries() + " entries, " + f.expiryEntries() + " expiry entries");
        }
        double perKey = (double) (used1 - used0) / keys;
        System.out.printf(
                "heap, %s backend, TTL %s: %d live keys (1 state entry + 1 expiry entry each): %.1f MB total, %.1f bytes/key → %.0f MB per 1M keys%n",
                rocksDb ? "EmbeddedRocksDB" : "HashMap",
                ttl ? "on (1 h)" : "off",
                keys,
                (used1 - used0) / 1e6,
                perKey,
                perKey);
        System.out.printf(
                "    inserting took %.1f s (%.0f new keys/s, incl. harness)%n", insertSecs, keys / insertSecs);
        printTopDeltas(before, after, keys);
        long t0 = System.nanoTime();
        OperatorSubtaskState snapshot = h.snapshot(1L, 1L);
        long snapshotBytes = snapshot.getStateSize();
        System.out.printf("    snapshot took %.1f s%n", (System.nanoTime() - t0) / 1e9);
        System.out.printf(
                "    checkpoint (full snapshot) size: %.1f MB, %.1f bytes/key%n",
                snapshotBytes / 1e6, (double) snapshotBytes / keys);
        h.close();
        FlowDeduplicator restored = new FlowDeduplicator(config);
        try (KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> r =
                new KeyedOneInputStreamOperatorTestHarness<>(restored, new FlowKeyHashSelector(), Types.LONG)) {
            r.setStateBackend(rocksDb ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend());
            long r0 = System.nanoTime();
            r.setup();
            r.initializeState(snapshot);
            r.open();
            System.out.printf(
                    "    restore took %.1f s (state, and the expiry wheel rebuilt from it: %d entries)%n",
                    (System.nanoTime() - r0) / 1e9, restored.expiryEntries());
        }
        System.out.println();
        return perKey;
    }

    private static KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> harness(FlowDeduplicator f)
            throws Exception {
        KeyedOneInputStreamOperatorTestHarness<Long, FlowRecord, FlowRecord> h =
                new KeyedOneInputStreamOperatorTestHarness<>(f, new FlowKeyHashSelector(), Types.LONG);
        h.setStateBackend(new HashMapStateBackend());
        h.open();
        return h;
    }

    private static long usedAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }

    /** Live-object class histogram (forces a full GC): class → {instances, bytes}. */
    private static Map<String, long[]> histogram() throws Exception {
        String text = (String) ManagementFactory.getPlatformMBeanServer()
                .invoke(
                        new ObjectName("com.sun.management:type=DiagnosticCommand"),
                        "gcClassHistogram",
                        new Object[] {new String[0]},
                        new String[] {String[].class.getName()});
        Map<String, long[]> out = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] p = line.trim().split("\\s+");
            if (p.length >= 4 && p[0].endsWith(":")) {
                out.put(p[3], new long[] {Long.parseLong(p[1]), Long.parseLong(p[2])});
            }
        }
        return out;
    }

    private static void printTopDeltas(Map<String, long[]> before, Map<String, long[]> after, int keys) {
        List<Map.Entry<String, long[]>> deltas = new ArrayList<>();
        for (Map.Entry<String, long[]> e : after.entrySet()) {
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            deltas.add(Map.entry(e.getKey(), new long[] {e.getValue()[0] - b[0], e.getValue()[1] - b[1]}));
        }
        deltas.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
        for (int i = 0; i < Math.min(8, deltas.size()); i++) {
            long[] d = deltas.get(i).getValue();
            if (d[1] < keys) {
                break;
            }
            System.out.printf(
                    "    %-75s %9d objects %7.1f MB %6.1f B/key%n",
                    deltas.get(i).getKey(), d[0], d[1] / 1e6, (double) d[1] / keys);
        }
    }
}
