package io.github.netobservch.local;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * A Flink MiniCluster (one TaskManager, {@code slots} slots) that the local runners own, so they
 * can watch a job's checkpoints and stop it with a draining savepoint — things a plain {@code
 * env.execute()} on a local environment does not offer.
 */
public final class LocalFlink implements AutoCloseable {

    private final MiniCluster cluster;
    private final java.nio.file.Path checkpointDir;
    private String checkpointDirectory;

    private LocalFlink(MiniCluster cluster, java.nio.file.Path checkpointDir) {
        this.cluster = cluster;
        this.checkpointDir = checkpointDir;
    }

    /** Starts the cluster; the REST API (and the web UI when flink-runtime-web is present) on a free port. */
    /** The cluster's checkpoint directory (a URI), which jobs submitted here spill under by default. */
    public String checkpointDirectory() {
        return checkpointDirectory;
    }

    public static LocalFlink start(int slots) {
        return start(slots, new Configuration());
    }

    /** Like {@link #start(int)}, with {@code overrides} applied on top of its settings. */
    public static LocalFlink start(int slots, Configuration overrides) {
        java.nio.file.Path checkpointDir;
        try {
            checkpointDir = java.nio.file.Files.createTempDirectory("netobserv-local-checkpoints");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Configuration conf = new Configuration();
        // Checkpoints on the file system, as in production: the exactly-once sink's pending inserts
        // travel in the checkpoint and outgrow the JobManager's 5 MB in-memory storage.
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                checkpointDir.toUri().toString());
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        // A local run should fail with its cause, not restart forever (the cluster default with checkpoints).
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
        LocalMetrics.enable(conf); // the tools read the job's counters after it finished
        conf.addAll(overrides);
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .build());
        try {
            cluster.start();
        } catch (Exception e) {
            throw new IllegalStateException("could not start the Flink MiniCluster", e);
        }
        LocalFlink flink = new LocalFlink(cluster, checkpointDir);
        flink.checkpointDirectory = conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY);
        return flink;
    }

    /** The REST endpoint, e.g. {@code http://127.0.0.1:41234}. */
    public URI restAddress() {
        return get(cluster.getRestAddress(), Duration.ofSeconds(10));
    }

    /** Submits the job built on {@code env} (the environment's configuration travels in the stream graph). */
    public Job submit(StreamExecutionEnvironment env, String jobName) {
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(jobName);
        JobID id = get(cluster.submitJob(graph), Duration.ofMinutes(1)).getJobID();
        return new Job(id);
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the Flink MiniCluster", e);
        } finally {
            LocalJob.deleteRecursively(checkpointDir);
        }
    }

    /** A submitted job. */
    public final class Job {
        private final JobID id;

        private Job(JobID id) {
            this.id = id;
        }

        public JobID id() {
            return id;
        }

        public JobStatus status() {
            return get(cluster.getJobStatus(id), Duration.ofSeconds(10));
        }

        /** Completed checkpoints so far (0 before the job runs). */
        public long completedCheckpoints() {
            try {
                AccessExecutionGraph graph = cluster.getExecutionGraph(id).get(10, TimeUnit.SECONDS);
                CheckpointStatsSnapshot stats = graph.getCheckpointStatsSnapshot();
                return stats == null ? 0 : stats.getCounts().getNumberOfCompletedCheckpoints();
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                return 0;
            }
        }

        /** Checkpoint counts and the latest completed checkpoint; all zero before the job runs. */
        public CheckpointFigures checkpoints() {
            try {
                CheckpointStatsSnapshot stats =
                        cluster.getExecutionGraph(id).get(10, TimeUnit.SECONDS).getCheckpointStatsSnapshot();
                if (stats == null) {
                    return CheckpointFigures.NONE;
                }
                CompletedCheckpointStats last = stats.getHistory().getLatestCompletedCheckpoint();
                return new CheckpointFigures(
                        stats.getCounts().getNumberOfCompletedCheckpoints(),
                        stats.getCounts().getNumberOfFailedCheckpoints(),
                        last == null ? -1 : last.getCheckpointId(),
                        last == null ? 0 : last.getStateSize(),
                        last == null ? 0 : last.getEndToEndDuration());
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                return CheckpointFigures.NONE;
            }
        }

        /** How often the job's tasks were restarted: the highest attempt number among its subtasks. */
        public int restarts() {
            try {
                int max = 0;
                for (var v :
                        cluster.getExecutionGraph(id).get(10, TimeUnit.SECONDS).getAllExecutionVertices()) {
                    max = Math.max(max, v.getCurrentExecutionAttempt().getAttemptNumber());
                }
                return max;
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                return 0;
            }
        }

        /** Waits until every task runs (sources read); fails if the job fails first. */
        public void awaitRunning(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                JobStatus s = status();
                if (s == JobStatus.RUNNING) {
                    try {
                        AccessExecutionGraph g = cluster.getExecutionGraph(id).get(10, TimeUnit.SECONDS);
                        boolean allRunning = true;
                        for (var v : g.getAllExecutionVertices()) {
                            var state = v.getExecutionState();
                            if (state != org.apache.flink.runtime.execution.ExecutionState.RUNNING
                                    && state != org.apache.flink.runtime.execution.ExecutionState.FINISHED) {
                                allRunning = false;
                            }
                        }
                        if (allRunning) {
                            return;
                        }
                    } catch (Exception e) {
                        // retry
                    }
                } else if (s.isGloballyTerminalState()) {
                    await(Duration.ofSeconds(10)); // throws the failure
                    return;
                }
                sleep(100);
            }
            throw new IllegalStateException("job " + id + " not running after " + timeout);
        }

        /** Waits for the job to end; throws with the job's failure cause if it did not succeed. */
        public void await(Duration timeout) {
            JobResult result = get(cluster.requestJobResult(id), timeout);
            if (!result.isSuccess()) {
                Throwable cause = result.getSerializedThrowable()
                        .map(t -> (Throwable) t.deserializeError(LocalFlink.class.getClassLoader()))
                        .orElse(null);
                throw new IllegalStateException(
                        "job " + id + " ended " + result.getApplicationStatus()
                                + (cause != null ? ": " + rootMessage(cause) : ""),
                        cause);
            }
        }

        /**
         * Stop-with-savepoint with drain: sources stop, the end-of-input watermark flushes every
         * waiting record, and the exactly-once sinks commit in the final (synchronous) savepoint.
         */
        public String stopWithDrain(String savepointDir, Duration timeout) {
            return get(cluster.stopWithSavepoint(id, savepointDir, true, SavepointFormatType.CANONICAL), timeout);
        }

        public void cancel() {
            try {
                get(cluster.cancelJob(id), Duration.ofSeconds(30));
            } catch (RuntimeException e) {
                // already gone
            }
        }
    }

    /**
     * A job's checkpoint counts and its latest completed checkpoint ({@code lastId} -1 before the first).
     *
     * @param lastStateSizeBytes full state size of that checkpoint (all operators: Kafka offsets, dedup
     *     state, the sink's pending committables)
     * @param lastDurationMs trigger to last acknowledgement
     */
    public record CheckpointFigures(
            long completed, long failed, long lastId, long lastStateSizeBytes, long lastDurationMs) {
        static final CheckpointFigures NONE = new CheckpointFigures(0, 0, -1, 0, 0);
    }

    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == t ? String.valueOf(t) : t.getClass().getSimpleName() + " … caused by " + root;
    }

    static <T> T get(java.util.concurrent.CompletableFuture<T> future, Duration timeout) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(String.valueOf(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out after " + timeout, e);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
