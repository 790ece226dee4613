package io.github.netobservch.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.minicluster.MiniCluster;

/**
 * Waiting on checkpoints instead of sleeping: "a few more checkpoints passed" is the condition
 * several tests need before they read final totals (a late duplicate commit would show by then).
 */
public final class Checkpoints {

    private Checkpoints() {}

    /** Checkpoints the job has completed so far, counted across its failovers. */
    public static long completed(MiniCluster miniCluster, JobID job) throws Exception {
        return miniCluster
                .getExecutionGraph(job)
                .get(30, TimeUnit.SECONDS)
                .getCheckpointStatsSnapshot()
                .getCounts()
                .getNumberOfCompletedCheckpoints();
    }

    /** Waits until {@code more} checkpoints beyond the ones completed now have completed, or fails at the deadline. */
    public static void awaitMore(MiniCluster miniCluster, JobID job, int more, Duration timeout) throws Exception {
        long target = completed(miniCluster, job) + more;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (completed(miniCluster, job) < target) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(more + " more checkpoints did not complete within " + timeout);
            }
            Thread.sleep(50);
        }
    }
}
