package io.github.netobservch.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Pins this JVM (the job on its local Flink cluster) to CPU 0 and every process it started (the
 * embedded ClickHouse, the forked Kafka broker) to the other CPUs, with Linux's {@code taskset}, for
 * as long as it is open. On a machine where the job shares its cores with ClickHouse, the job's
 * threads run between ClickHouse's on the same cores and caches, which inflates the job's CPU per
 * record; pinned, each side keeps its own core and cache, as when the job runs in its own pods and
 * ClickHouse on its own servers. Threads started while pinned inherit the pinning.
 */
final class CpuPinning implements AutoCloseable {

    private final int cpus;
    private final List<Long> pinned = new ArrayList<>();

    private CpuPinning(int cpus) {
        this.cpus = cpus;
    }

    /** Pins, or empty when this machine cannot (one CPU, no {@code taskset}). */
    static Optional<CpuPinning> pin() throws IOException, InterruptedException {
        int cpus = Runtime.getRuntime().availableProcessors();
        if (cpus < 2 || !Files.isExecutable(Path.of("/usr/bin/taskset"))) {
            return Optional.empty();
        }
        CpuPinning p = new CpuPinning(cpus);
        String others = cpus == 2 ? "1" : "1-" + (cpus - 1);
        for (ProcessHandle child : ProcessHandle.current().descendants().toList()) {
            if (taskset(others, child.pid())) {
                p.pinned.add(child.pid());
            }
        }
        if (!taskset("0", ProcessHandle.current().pid())) {
            p.close();
            return Optional.empty();
        }
        p.pinned.add(ProcessHandle.current().pid());
        return Optional.of(p);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (long pid : pinned) {
            taskset("0-" + (cpus - 1), pid);
        }
        pinned.clear();
    }

    /** {@code taskset -a -p -c CPUS PID}: every thread of the process; false when it failed. */
    private static boolean taskset(String cpuList, long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/usr/bin/taskset", "-a", "-p", "-c", cpuList, Long.toString(pid))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
}
