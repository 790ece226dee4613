package io.github.netobservch.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@code scripts/embedded-clickhouse/server.mjs} (the ClickHouse 26.x engine from chDB behind
 * ClickHouse's HTTP interface) as a child process. Used by the tests, the local demo and the
 * benchmark, because no ClickHouse server or container engine exists on the build machines.
 *
 * <p>The first start may pick a free port (0); {@link #restart()} reuses that port and the data
 * directory, so clients holding the URL reconnect to the same data after a stop or a kill.
 */
public final class EmbeddedClickHouse implements AutoCloseable {

    /** System property naming the endpoint's directory (set by the Maven build for tests). */
    public static final String DIR_PROPERTY = "embedded.clickhouse.dir";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedClickHouse.class);
    private static final String READY_PREFIX = "READY ";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path scriptDir;
    private final Path dataDir;
    private final Path logFile;
    private int port;
    private boolean ownSession;
    private List<String> extraArgs = List.of();
    private Process process;
    private String url;

    private EmbeddedClickHouse(Path scriptDir, Path dataDir, int port) {
        this.scriptDir = scriptDir;
        this.dataDir = dataDir;
        this.logFile = dataDir.resolveSibling(dataDir.getFileName() + ".log");
        this.port = port;
    }

    /** Starts an endpoint on {@code port} (0 = any free port) storing its data in {@code dataDir}. */
    public static EmbeddedClickHouse start(Path dataDir, int port) {
        EmbeddedClickHouse server = new EmbeddedClickHouse(locateScriptDir(), dataDir.toAbsolutePath(), port);
        server.launch();
        return server;
    }

    /**
     * Like {@link #start}, with extra command-line flags for {@code server.mjs}, e.g.
     * {@code --require-user flink --require-password-file FILE}, or {@code --tls-pfx FILE
     * --tls-pfx-password-file FILE} for HTTPS (see scripts/embedded-clickhouse/README.md). Readiness
     * is the endpoint's {@code READY <url>} line, so {@link #url()} is then an {@code https://} URL.
     */
    public static EmbeddedClickHouse start(Path dataDir, int port, List<String> extraArgs) {
        EmbeddedClickHouse server = new EmbeddedClickHouse(locateScriptDir(), dataDir.toAbsolutePath(), port);
        server.extraArgs = List.copyOf(extraArgs);
        server.launch();
        return server;
    }

    /**
     * Like {@link #start}, but the endpoint runs in its own session ({@code setsid}, when available),
     * so a Ctrl-C in the terminal reaches only this JVM: the local demo then still has ClickHouse
     * while it drains the job and prints results. The {@code --parent-pid} watch still ends the
     * endpoint when this JVM is gone.
     */
    public static EmbeddedClickHouse startDetached(Path dataDir, int port) {
        EmbeddedClickHouse server = new EmbeddedClickHouse(locateScriptDir(), dataDir.toAbsolutePath(), port);
        server.ownSession = true;
        server.launch();
        return server;
    }

    /** Base URL, e.g. {@code http://127.0.0.1:34567} ({@code https://} when started with TLS flags). */
    public synchronized String url() {
        return url;
    }

    public synchronized int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The endpoint's combined stdout/stderr, for diagnosing a failed test. */
    public Path logFile() {
        return logFile;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Graceful stop (SIGTERM), waiting for the process to exit. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        awaitExit(Duration.ofSeconds(20));
    }

    /** Abrupt stop (SIGKILL), as a crashed server or a lost node. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(20));
    }

    /** Starts again on the same port and data directory. */
    public synchronized void restart() {
        if (isRunning()) {
            stop();
        }
        launch();
    }

    @Override
    public void close() {
        stop();
    }

    private void awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    private synchronized void launch() {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dataDir, e);
        }
        Path server = scriptDir.resolve("server.mjs");
        if (!Files.isDirectory(scriptDir.resolve("node_modules").resolve("chdb"))) {
            throw new IllegalStateException(
                    "the embedded ClickHouse endpoint is not installed; run: npm ci --prefix " + scriptDir);
        }
        List<String> command = new ArrayList<>(List.of(
                "node", server.toString(),
                "--port", Integer.toString(port),
                "--path", dataDir.toString(),
                "--parent-pid", Long.toString(ProcessHandle.current().pid())));
        command.addAll(extraArgs);
        if (ownSession) {
            for (String setsid : List.of("/usr/bin/setsid", "/bin/setsid")) {
                if (Files.isExecutable(Path.of(setsid))) {
                    command.add(0, setsid); // execs node in place (the JVM's child is no group leader)
                    break;
                }
            }
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putIfAbsent("TZ", "UTC");
        long t0 = System.nanoTime();
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node (is Node.js 20+ on the PATH?)", e);
        }
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread pump = new Thread(() -> pumpOutput(process.getInputStream(), ready), "embedded-clickhouse-output");
        pump.setDaemon(true);
        pump.start();
        try {
            url = ready.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted while starting embedded ClickHouse", e);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IllegalStateException("embedded ClickHouse did not become ready; see " + logFile, e);
        }
        port = Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
        LOG.info(
                "Embedded ClickHouse ready at {} (data {}) in {} ms",
                url,
                dataDir,
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** Copies the child's output to the log file and completes {@code ready} at the READY line. */
    private void pumpOutput(InputStream output, CompletableFuture<String> ready) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(output, StandardCharsets.UTF_8));
                OutputStream log =
                        Files.newOutputStream(logFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            String line;
            while ((line = reader.readLine()) != null) {
                log.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                log.flush();
                if (!ready.isDone() && line.startsWith(READY_PREFIX)) {
                    ready.complete(line.substring(READY_PREFIX.length()).trim());
                }
            }
        } catch (IOException e) {
            ready.completeExceptionally(e);
        } finally {
            ready.completeExceptionally(new IllegalStateException("endpoint exited before READY"));
        }
    }

    /**
     * The endpoint's directory: the {@value #DIR_PROPERTY} system property, else
     * {@code scripts/embedded-clickhouse} found from the working directory upwards.
     */
    static Path locateScriptDir() {
        String configured = System.getProperty(DIR_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("scripts").resolve("embedded-clickhouse");
            if (Files.isRegularFile(candidate.resolve("server.mjs"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("cannot find scripts/embedded-clickhouse; set -D" + DIR_PROPERTY);
    }
}
