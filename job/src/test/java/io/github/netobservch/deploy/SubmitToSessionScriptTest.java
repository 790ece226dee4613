package io.github.netobservch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/submit-to-session --resume-latest} after a JobManager lost without HA: it finds the
 * newest complete checkpoint (a {@code chk-N} with {@code _metadata}) of the lost job, and {@code -s}
 * refuses an older one, which would load rows twice. Runs the script with {@code --dry-run}.
 */
class SubmitToSessionScriptTest {

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                "bash",
                DeployFiles.repoRoot().resolve("scripts/submit-to-session").toString(),
                "-m",
                "localhost:8081",
                "--dry-run"));
        command.addAll(List.of(args));
        command.addAll(List.of("--", "--kafka.bootstrap-servers", "k:9093", "--clickhouse.url", "http://c:8123"));
        Process p = new ProcessBuilder(command).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out, err);
    }

    /** A job checkpoint directory with chk-3 and chk-7 complete and chk-8 still in progress (no _metadata). */
    private static Path job(Path root, String id) throws IOException {
        Path job = root.resolve(id);
        for (int n : new int[] {3, 7, 8}) {
            Path chk = Files.createDirectories(job.resolve("chk-" + n));
            if (n != 8) {
                Files.writeString(chk.resolve("_metadata"), "m");
            }
        }
        Files.createDirectories(job.resolve("shared"));
        Files.createDirectories(job.resolve("taskowned"));
        return job;
    }

    @Test
    void resumeLatestPicksTheNewestCompleteCheckpoint(@TempDir Path root) throws Exception {
        Path job = job(root, "0a1b2c3d4e5f60718293a4b5c6d7e8f9");
        Run byJob = run("--resume-latest", job.toString());
        assertThat(byJob.code).as(byJob.err).isZero();
        assertThat(byJob.out).contains("-s " + job.resolve("chk-7")).doesNotContain("chk-8");
        // the checkpoints root of a single job works too, and so does file://
        Run byRoot = run("--resume-latest", "file://" + root);
        assertThat(byRoot.code).as(byRoot.err).isZero();
        assertThat(byRoot.out).contains("-s " + job.resolve("chk-7"));
    }

    @Test
    void olderCheckpointsAndAmbiguousDirectoriesAreRefused(@TempDir Path root) throws Exception {
        Path job = job(root, "0a1b2c3d4e5f60718293a4b5c6d7e8f9");
        Run older = run("-s", job.resolve("chk-3").toString());
        assertThat(older.code).isEqualTo(2);
        assertThat(older.err).contains("is not the newest complete checkpoint", "chk-7", "loads rows twice");
        // negative control: the newest one, or an explicit override, passes
        assertThat(run("-s", job.resolve("chk-7").toString()).code).isZero();
        assertThat(run("-s", job.resolve("chk-3").toString(), "--allow-older-checkpoint").code)
                .isZero();

        job(root, "ffff0000ffff0000ffff0000ffff0000");
        Run ambiguous = run("--resume-latest", root.toString());
        assertThat(ambiguous.code).isEqualTo(2);
        assertThat(ambiguous.err).contains("holds checkpoints of 2 jobs");
        assertThat(run("--resume-latest", root.resolve("empty-nothing").toString()).err)
                .contains("no such directory");
        assertThat(run("--resume-latest", "s3://bucket/checkpoints").err).contains("local or mounted path");
    }
}
