package io.github.netobservch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code scripts/bench --quick} in this JVM on 2,000 records: it runs end to end and reports (no timing assertions). */
class BenchmarkSmokeTest {

    private static final Pattern BENCH = Pattern.compile(
            "^BENCH e2e_exactly_once_fps=(\\d+) e2e_at_least_once_fps=(\\d+)"
                    + " job_us_per_record=\\d+\\.\\d job_task_us_per_record=\\d+\\.\\d ch_us_per_row=\\d+\\.\\d"
                    + " job_pinned_task_us_per_record=(?:\\d+\\.\\d|n/a) floor_source_us_per_record=\\d+\\.\\d floor_shuffle_us_per_record=\\d+\\.\\d"
                    + " baseline_per_row_fps=(\\d+) baseline_jdbcsink_fps=(\\d+) parse_rps_per_core=(\\d+) p99_latency_ms=(\\d+)$",
            Pattern.MULTILINE);

    @Test
    void quickRunPrintsTheBenchLineAndWritesTheResults(@TempDir Path dir) throws Exception {
        Path results = dir.resolve("results.txt");
        String text = runQuick(results, "--records", "2000");
        Matcher m = BENCH.matcher(text);
        assertThat(m.find()).as(text).isTrue();
        for (int g = 1; g <= 6; g++) {
            assertThat(Long.parseLong(m.group(g)))
                    .as("field %d in %s", g, m.group())
                    .isPositive();
        }
        assertThat(results).exists();
        assertThat(Files.readString(results))
                .contains(m.group())
                .contains("machine:")
                .contains("e2e exactly-once")
                .contains("floor: Kafka → discard")
                .contains("floor: Kafka → keyBy → discard");
        assertThat(text).doesNotContain("CHECK:");
        // the broker ran in its own process, and its CPU is reported apart from the job's
        assertThat(text).containsPattern("CPU, e2e exactly-once +job JVM [\\d.]+ \\+ broker [\\d.]+ \\+ ClickHouse");
        // a pinned run (where taskset and two CPUs exist) is reported with the core's calibration before it
        if (!m.group().contains("job_pinned_task_us_per_record=n/a")) {
            assertThat(text).containsPattern("calibration before each run: [1-9]\\d* ns per record");
            assertThat(text).containsPattern("of which its garbage collector's threads \\d+\\.\\d;");
        }
    }

    /**
     * {@code --kafka-mtls}: the jobs read over the broker's client-certificate listener, as the
     * manifests deploy them; the end-to-end runs still load exactly the ground truth (a job that could
     * not read over TLS would load nothing and print a CHECK line).
     */
    @Test
    void quickRunOverMutualTlsLoadsTheGroundTruth(@TempDir Path dir) throws Exception {
        Path results = dir.resolve("results.txt");
        String text = runQuick(results, "--records", "1000", "--phases", "e2e", "--kafka-mtls");
        assertThat(text).doesNotContain("CHECK:").containsPattern("BENCH e2e_exactly_once_fps=[1-9]\\d*");
        assertThat(Files.readString(results)).contains("Kafka to the job (--kafka-mtls)");
    }

    /** Runs {@code scripts/bench --quick ARGS --out results}, asserts it exits 0; returns its output. */
    private static String runQuick(Path results, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--quick"));
        all.addAll(List.of(args));
        all.addAll(List.of("--out", results.toString()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Benchmark.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(text).isZero();
        return text;
    }
}
