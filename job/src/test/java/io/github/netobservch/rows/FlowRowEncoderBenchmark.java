package io.github.netobservch.rows;

import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.generate.FlowGenerator;
import io.github.netobservch.sink.RowBinaryWriter;
import java.util.Arrays;
import java.util.List;

/**
 * What encoding a record as its {@code flows} row costs, alone (plain main, not a test): generated,
 * parsed and enriched records, each encoded by {@link FlowRowEncoder} into one reused buffer, as
 * the job does in the parser's task when a row crosses the dedup shuffle. One thread; the median
 * and the best of the rounds after two warm-up rounds, in ns per record. Pin it to a core
 * ({@code taskset -c 0}) to compare builds.
 *
 * <p>In the job a record is encoded right after it was parsed, its values still in the CPU's
 * caches. With the default of 200 distinct records (about 400 KB), encoded over and over, so are
 * they here; 100,000 distinct records measure the encoder reading its records from memory.
 *
 * <pre>
 * java -cp job/target/test-classes:job/target/classes:$(cat job/target/local/classpath-test.txt) \
 *     io.github.netobservch.rows.FlowRowEncoderBenchmark [distinct records=200] [rounds=40]
 * </pre>
 */
public final class FlowRowEncoderBenchmark {

    private FlowRowEncoderBenchmark() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        List<FlowRecord> records = FlowGenerator.parsedRecords(3L, n);
        FlowRowEncoder encoder = new FlowRowEncoder();
        RowBinaryWriter row = new RowBinaryWriter(8192);
        int perRound = Math.max(n, 100_000) / n * n; // encodes per round
        double[] ns = new double[rounds];
        long checksum = 0;
        long bytes = 0;
        for (int round = -2; round < rounds; round++) {
            bytes = 0;
            long t0 = System.nanoTime();
            for (int k = 0; k < perRound; k += n) {
                for (FlowRecord r : records) {
                    row.reset();
                    encoder.encode(r, row);
                    bytes += row.size();
                }
            }
            long elapsed = System.nanoTime() - t0;
            checksum += bytes;
            if (round >= 0) {
                ns[round] = (double) elapsed / perRound;
            }
        }
        Arrays.sort(ns);
        System.out.printf(
                "FlowRowEncoder: %d distinct records, %d bytes per row; median %.0f ns, best %.0f ns per record"
                        + " (checksum %d)%n",
                n, bytes / perRound, ns[rounds / 2], ns[0], checksum);
    }
}
