package io.github.netobservch.bench;

import io.github.netobservch.enrich.FlowEnricher;
import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.generate.FlowGenerator;
import io.github.netobservch.generate.GeneratedMessage;
import io.github.netobservch.generate.GeneratorConfig;
import io.github.netobservch.parse.FlowParser;
import io.github.netobservch.parse.KafkaMessage;
import io.github.netobservch.parse.ParserConfig;
import java.util.List;

/**
 * Single-thread throughput of parse + enrich on generated ~1 KB records (no JMH, not a test).
 *
 * <pre>
 * mvn -o -q test-compile exec:java -pl job -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.github.netobservch.bench.ParseBenchmark [-Dexec.args="200000 5"]
 * </pre>
 */
public final class ParseBenchmark {

    private ParseBenchmark() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        measure(n, rounds);
    }

    /**
     * Runs the benchmark (3 warm-up rounds, then {@code rounds}); returns the median records/s of one
     * thread — the median, because on a shared machine a preempted round drags a mean down.
     */
    public static double measure(int n, int rounds) {
        List<GeneratedMessage> generated =
                FlowGenerator.generate(GeneratorConfig.builder(1).resendShare(0).build(), n);
        KafkaMessage[] messages = new KafkaMessage[n];
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            messages[i] = generated.get(i).toKafkaMessage("flows-export", 24, 1754040000000L);
            bytes += messages[i].value.length;
        }
        System.out.printf("%d messages, average %d bytes%n", n, bytes / n);
        FlowParser parser = new FlowParser(ParserConfig.defaults());
        for (int w = 0; w < 3; w++) {
            run(parser, messages, "warm-up " + (w + 1), bytes);
        }
        double[] rates = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            rates[r] = run(parser, messages, "round " + (r + 1), bytes);
        }
        java.util.Arrays.sort(rates);
        double median = rounds % 2 == 1 ? rates[rounds / 2] : (rates[rounds / 2 - 1] + rates[rounds / 2]) / 2;
        System.out.printf(
                "parse+enrich, 1 thread: median %.0f records/s, best %.0f records/s%n", median, rates[rounds - 1]);
        return median;
    }

    private static double run(FlowParser parser, KafkaMessage[] messages, String label, long bytes) {
        long checksum = 0;
        long t0 = System.nanoTime();
        for (KafkaMessage m : messages) {
            try {
                FlowRecord r = FlowEnricher.enrich(parser.parse(m));
                checksum += r.getLong(ColumnRegistry.FLOW_KEY_HASH);
            } catch (Exception e) {
                throw new IllegalStateException("generated record rejected: " + m, e);
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        double rate = messages.length / secs;
        System.out.printf(
                "%-10s %8.0f records/s  %6.1f MB/s  (checksum %x)%n", label, rate, bytes / secs / 1e6, checksum);
        return rate;
    }
}
