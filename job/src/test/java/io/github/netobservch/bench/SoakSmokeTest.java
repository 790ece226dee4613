package io.github.netobservch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/soak} in this JVM, shrunk to 16 s at 300 records/s with a 5 s slow ClickHouse
 * phase: it reports a row per sample with every figure, ClickHouse ends exactly at the ground truth,
 * and the last line is a verdict. A run this short ends while the dedup state still fills, so the
 * verdict may be "unbounded", and when the catch-up after the slow phase lasts to the end (a loaded
 * machine) no steady sample falls in the second half and it is "inconclusive" (the verdict rules are
 * {@link SoakVerdictTest}'s); "failed" may not.
 */
class SoakSmokeTest {

    private static final Pattern ROW = Pattern.compile(
            "^ *(\\d+)s (warm-up|steady|slow-ch|catch-up|drain) +([\\d,]+) +([\\d,]+) +([\\d,]+) +(\\d+) +([\\d.]+) +(\\d+)"
                    + " +([\\d,]+) +(\\d+) +(\\d+)$",
            Pattern.MULTILINE);

    @Test
    void aShortSoakReportsEveryFigureLoadsExactlyAndEndsWithAVerdict(@TempDir Path dir) throws Exception {
        Path results = dir.resolve("results.txt");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Soak.run(
                new String[] {
                    "--duration",
                    "16s",
                    "--rate",
                    "300",
                    "--slow-clickhouse-phase",
                    "5s",
                    "--sample-every",
                    "2s",
                    "--checkpoint-interval",
                    "1s",
                    "--out",
                    results.toString()
                },
                new PrintStream(out, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        List<String> lines = text.lines().toList();
        String last = lines.get(lines.size() - 1);

        assertThat(last)
                .as(text)
                .matches(
                        "SOAK (ok|unbounded: [a-z ,]+|inconclusive: no steady samples to compare for [a-z ,]+ \\(run longer\\))");
        assertThat(code).as(text).isEqualTo(last.equals("SOAK ok") ? 0 : 1);
        assertThat(text).contains("→ exact (rows, offsets, byte and packet sums, dead letters)");

        Matcher rows = ROW.matcher(text);
        int count = 0;
        long lastProduced = -1;
        boolean slowSeen = false;
        while (rows.find()) {
            count++;
            long produced = Long.parseLong(rows.group(3).replace(",", ""));
            assertThat(produced).as(rows.group()).isGreaterThanOrEqualTo(lastProduced);
            lastProduced = produced;
            slowSeen |= rows.group(2).equals("slow-ch");
        }
        assertThat(count)
                .as("rows with every figure (heap, checkpoint, dedup keys, parts, back-pressure)\n%s", text)
                .isGreaterThanOrEqualTo(6);
        assertThat(slowSeen).as(text).isTrue();
        assertThat(Files.readString(results))
                .contains("machine:")
                .contains("dedup keys")
                .endsWith(last + "\n");
    }
}
