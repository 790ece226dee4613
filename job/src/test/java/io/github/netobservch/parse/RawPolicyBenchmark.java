package io.github.netobservch.parse;

import io.github.netobservch.bench.Benchmark;
import io.github.netobservch.enrich.FlowEnricher;
import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.generate.FlowGenerator;
import io.github.netobservch.generate.GeneratedMessage;
import io.github.netobservch.generate.GeneratorConfig;
import io.github.netobservch.pipeline.PipelineTestSupport;
import io.github.netobservch.rows.FlowRowEncoder;
import io.github.netobservch.schema.RecordAlias;
import io.github.netobservch.sink.RowBinaryWriter;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Measures each {@link RawPolicy} on generated records and on a capture of real ones: the job's
 * parse cost per record (one thread), what the record carries across the job's shuffle, ClickHouse's
 * CPU per row to insert it into {@code flows} (server process CPU over the INSERTs; the rollup views
 * left out, they read none of these columns), bytes on disk per row (after merging), and the read
 * cost of the {@code record} alias. Not part of the build (no Test/ITCase suffix):
 *
 * <pre>mvn -pl job test -Dtest=RawPolicyBenchmark -Draw.bench.rows=500000 -Draw.bench.real=../../shared/data/netobserv-real/flows.jsonl</pre>
 *
 * The numbers in docs/raw-policy.md come from it.
 */
@ExtendWith(EmbeddedClickHouseExtension.class)
class RawPolicyBenchmark {

    private static final int BATCH = 20_000;

    @Test
    void measure(ClickHouseTestServer server) throws Exception {
        int rows = Integer.getInteger("raw.bench.rows", 500_000);
        List<byte[]> generated = new ArrayList<>(rows);
        FlowGenerator gen = new FlowGenerator(GeneratorConfig.builder(17)
                .recordsPerSecond(200)
                .startEpochMs(1_764_547_200_000L) // 2025-12-01
                .invalidShare(0)
                .resendShare(0)
                .build());
        while (generated.size() < rows) {
            GeneratedMessage m = gen.next();
            generated.add(m.value());
        }
        System.out.printf(
                "machine: %d cores, %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        report(server, "generated", generated);
        String real = System.getProperty("raw.bench.real");
        if (real != null && Files.isRegularFile(Path.of(real))) {
            List<byte[]> lines = new ArrayList<>();
            for (String l : Files.readAllLines(Path.of(real))) {
                if (!l.isBlank()) {
                    lines.add(l.getBytes(StandardCharsets.UTF_8));
                }
            }
            report(server, "real (" + real + ")", lines);
        }
    }

    private static void report(ClickHouseTestServer server, String name, List<byte[]> messages) throws Exception {
        String db = server.createDatabase("rawbench");
        PipelineTestSupport.applySchema(server, db);
        long inputBytes = messages.stream().mapToLong(b -> b.length).sum();
        System.out.printf(
                "%n== %s: %d messages, %.0f B average%n", name, messages.size(), (double) inputBytes / messages.size());
        System.out.println(
                "policy    parse_ns  shuffle_B  raw_B_in  ch_insert_us/row  disk_B/row  raw+keys_B/row  record_read_ms  residue_rows");
        for (RawPolicy policy : RawPolicy.values()) {
            FlowParser parser =
                    new FlowParser(ParserConfig.builder().rawPolicy(policy).build());
            List<FlowRecord> records = new ArrayList<>(messages.size());
            for (byte[] m : messages) {
                try {
                    records.add(FlowEnricher.enrich(parser.parse(m)));
                } catch (FlowParseException e) {
                    // dead letter
                }
            }
            double parseNs = parseNanos(parser, messages);
            long shuffle = 0;
            long rawIn = 0;
            long residueRows = 0;
            var serializer = new io.github.netobservch.format.FlowRecordSerializer();
            var out = new org.apache.flink.core.memory.DataOutputSerializer(4096);
            for (FlowRecord r : records) {
                out.clear();
                serializer.serialize(r, out);
                shuffle += out.length();
                rawIn += r.getBytes(ColumnRegistry.RAW).length;
                if (policy == RawPolicy.UNMAPPED && r.getBytes(ColumnRegistry.RAW).length > 0) {
                    residueRows++;
                }
            }
            String table = "flows_" + policy.option();
            server.execute(db, "CREATE TABLE " + table + " AS flows");
            double chSeconds = 0;
            FlowRowEncoder encoder = new FlowRowEncoder();
            for (int from = 0; from < records.size(); from += BATCH) {
                RowBinaryWriter w = new RowBinaryWriter();
                for (FlowRecord r : records.subList(from, Math.min(records.size(), from + BATCH))) {
                    encoder.encode(r, w);
                }
                byte[] body = w.toByteArray();
                Duration before = Benchmark.embeddedClickHouseCpu();
                server.insertRowBinary(db, table, body);
                chSeconds += Benchmark.embeddedClickHouseCpu().minus(before).toNanos() / 1e9;
            }
            server.execute(db, "OPTIMIZE TABLE " + table + " FINAL");
            long n = server.queryLong(db, "SELECT count() FROM " + table);
            // whole parts (system.columns has no per-column sizes for the compact parts of small tables)
            long disk = server.queryLong(
                    db,
                    "SELECT sum(data_compressed_bytes) FROM system.parts WHERE active AND database = currentDatabase()"
                            + " AND table = '" + table + "'");
            long rawDisk = server.queryLong(
                    db,
                    "SELECT sum(data_compressed_bytes) FROM system.columns WHERE database = currentDatabase() AND table = '"
                            + table + "' AND name IN ('raw', 'raw_keys', 'raw_key_bits')");
            long[] reads = new long[5];
            for (int i = 0; i < reads.length; i++) {
                long t0 = System.nanoTime();
                server.queryLong(db, "SELECT sum(length(" + RecordAlias.expression() + ")) FROM " + table);
                reads[i] = (System.nanoTime() - t0) / 1_000_000;
            }
            Arrays.sort(reads);
            System.out.printf(
                    "%-9s %8.0f %10.0f %9.0f %17.1f %11.1f %15.1f %15d %13s%n",
                    policy.option(),
                    parseNs,
                    (double) shuffle / records.size(),
                    (double) rawIn / records.size(),
                    chSeconds * 1e6 / n,
                    (double) disk / n,
                    (double) rawDisk / n,
                    reads[2],
                    policy == RawPolicy.UNMAPPED ? residueRows + " of " + n : "");
        }
    }

    /** Median ns per message of parse alone (3 warm-up rounds, 5 measured). */
    private static double parseNanos(FlowParser parser, List<byte[]> messages) {
        double[] rounds = new double[8];
        for (int round = 0; round < rounds.length; round++) {
            long t0 = System.nanoTime();
            int ok = 0;
            for (int k = 0; k < Math.max(1, 200_000 / messages.size()); k++) {
                for (byte[] m : messages) {
                    try {
                        parser.parse(m);
                        ok++;
                    } catch (FlowParseException e) {
                        ok++;
                    }
                }
            }
            rounds[round] = (System.nanoTime() - t0) / (double) ok;
        }
        double[] measured = Arrays.copyOfRange(rounds, 3, rounds.length);
        Arrays.sort(measured);
        return measured[measured.length / 2];
    }
}
