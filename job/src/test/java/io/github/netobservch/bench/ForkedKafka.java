package io.github.netobservch.bench;

import io.github.netobservch.local.EmbeddedKafka;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's Kafka broker in a JVM of its own ({@link EmbeddedKafka#main}), so the CPU the
 * benchmark reports for the job is the job's (and Flink's) alone, and the broker's is reported
 * beside it. Closing the broker's standard input stops it.
 */
final class ForkedKafka implements AutoCloseable {

    private final Process process;
    private final String bootstrapServers;
    private final String mtlsBootstrapServers;

    private ForkedKafka(Process process, String bootstrapServers, String mtlsBootstrapServers) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
        this.mtlsBootstrapServers = mtlsBootstrapServers;
    }

    static ForkedKafka start(Path log) throws IOException {
        return start(log, null);
    }

    /**
     * @param mtlsPki a directory with a {@code TestPki}: the broker also opens a mutual-TLS listener
     *     with it ({@link #mtlsBootstrapServers}); null for none
     */
    static ForkedKafka start(Path log, Path mtlsPki) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx1g");
        cmd.add("-XX:+UseG1GC");
        String log4j = System.getProperty("log4j.configurationFile");
        if (log4j != null) {
            cmd.add("-Dlog4j.configurationFile=" + log4j);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(EmbeddedKafka.class.getName());
        if (mtlsPki != null) {
            cmd.add("--mtls");
            cmd.add(mtlsPki.toString());
        }
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        String mtls = null;
        while ((line = r.readLine()) != null) {
            if (line.startsWith(EmbeddedKafka.FORKED_MTLS)) {
                mtls = line.substring(EmbeddedKafka.FORKED_MTLS.length()).trim();
            } else if (line.startsWith(EmbeddedKafka.FORKED_READY)) {
                return new ForkedKafka(
                        p, line.substring(EmbeddedKafka.FORKED_READY.length()).trim(), mtls);
            }
        }
        p.destroyForcibly();
        throw new IOException("the forked Kafka broker exited before it was ready; see " + log);
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    /** The mutual-TLS listener's address, or null when the broker was started without one. */
    String mtlsBootstrapServers() {
        return mtlsBootstrapServers;
    }

    /** CPU time the broker's process has used so far. */
    Duration cpu() {
        return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    @Override
    public void close() throws Exception {
        process.getOutputStream().close();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
