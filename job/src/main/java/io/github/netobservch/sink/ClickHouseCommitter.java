package io.github.netobservch.sink;

import io.github.netobservch.clickhouse.ClickHouseErrors;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inserts committables once their checkpoint has completed (exactly-once mode).
 *
 * <p>Flink calls {@link #commit} from {@code notifyCheckpointComplete} and, after a restore, for
 * every committable in the restored state. A committable may therefore be inserted twice (its INSERT
 * succeeded, then the job failed before Flink recorded that); the token stored in the committable
 * makes the server drop the repeat. Per request:
 *
 * <ul>
 *   <li>success → nothing (Flink treats an unsignalled request as committed);
 *   <li>transient error (network, timeouts, overload, read-only replica, unknown insert status, …) →
 *       backoff and retry inside this call, then {@code retryLater()} with the same committable; Flink
 *       re-calls up to {@code sink.committer.retries} times (no pause of its own; the backoff continues
 *       from {@code getNumberOfRetries()}) and then fails over, after which the restored committable is
 *       committed again;
 *   <li>permanent error (schema, syntax, auth, payload) → {@code signalFailedWithUnknownReason}: the
 *       job fails and the committable stays in the checkpoint. Never {@code signalFailedWithKnownReason},
 *       which would discard the rows.
 * </ul>
 *
 * <p>Once one request has exhausted its attempts on a transient error, the remaining requests of the
 * call are handed back without trying: the server is most likely unreachable for all of them.
 */
final class ClickHouseCommitter implements Committer<ClickHouseCommittable> {

    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseCommitter.class);

    /**
     * How long after its start a restored committer still takes a committable for one that came
     * back from the checkpoint: covers clock differences between the TaskManager that sealed it and
     * this one. Committables of this execution sealed in that first minute are probed needlessly
     * (one point query each), never the other way round.
     */
    static final long RESTORE_CLOCK_MARGIN_MS = 60_000;

    private final String jobId;
    private final int attempt;
    /** Whether this execution restored sink state (Flink's restored checkpoint id), and when it started. */
    private final boolean restored;

    private final long startedAtMillis;
    private final SinkMetrics metrics;
    private final CommitExecutor executor;
    /**
     * Spill files of batches committed in the previous {@link #commit} call, deleted at the start of
     * the next: by then Flink has completed a checkpoint without those committables, so a restore
     * from the latest checkpoint never references a deleted file.
     */
    private List<String> landedSpillFiles = new ArrayList<>();

    ClickHouseCommitter(ClickHouseSinkOptions options, SinkFaultInjector faults, CommitterInitContext context) {
        this(
                options,
                faults,
                context.getJobInfo().getJobId().toHexString(),
                context.getTaskInfo().getAttemptNumber(),
                context.getTaskInfo().getIndexOfThisSubtask(),
                context.metricGroup(),
                context.getRestoredCheckpointId().isPresent(),
                System.currentTimeMillis());
    }

    ClickHouseCommitter(
            ClickHouseSinkOptions options,
            SinkFaultInjector faults,
            String jobId,
            int attempt,
            int subtask,
            MetricGroup metricGroup) {
        this(options, faults, jobId, attempt, subtask, metricGroup, false, System.currentTimeMillis());
    }

    ClickHouseCommitter(
            ClickHouseSinkOptions options,
            SinkFaultInjector faults,
            String jobId,
            int attempt,
            int subtask,
            MetricGroup metricGroup,
            boolean restored,
            long startedAtMillis) {
        this.jobId = jobId;
        this.attempt = attempt;
        this.restored = restored;
        this.startedAtMillis = startedAtMillis;
        this.metrics = new SinkMetrics(metricGroup);
        this.executor = new CommitExecutor(options, metrics, faults, subtask, attempt);
    }

    SinkMetrics metrics() {
        return metrics;
    }

    @Override
    public void commit(Collection<CommitRequest<ClickHouseCommittable>> requests)
            throws IOException, InterruptedException {
        List<String> deletable = landedSpillFiles;
        landedSpillFiles = new ArrayList<>();
        deletable.forEach(SpillFiles::delete);
        boolean unreachable = false;
        for (CommitRequest<ClickHouseCommittable> request : requests) {
            ClickHouseCommittable c = request.getCommittable();
            if (unreachable) {
                request.retryLater();
                continue;
            }
            CommitResult result = executor.commit(c, request.getNumberOfRetries(), isFromState(c));
            if (result instanceof CommitResult.RetryLater) {
                unreachable = true;
                request.retryLater();
            } else if (result instanceof CommitResult.Failed failed) {
                request.signalFailedWithUnknownReason(new IOException(
                        "cannot commit " + c + " to ClickHouse: "
                                + ClickHouseErrors.describe(failed.cause())
                                + ". The batch stays in the checkpoint and is"
                                + " inserted (with the same token) once the job restarts after the cause is fixed.",
                        failed.cause()));
            } else if (c.spillPath() != null) {
                landedSpillFiles.add(c.spillPath());
            }
        }
        if (unreachable) {
            LOG.warn(
                    "ClickHouse unreachable; {} committable(s) handed back to Flink for a later retry",
                    requests.size());
        }
    }

    /**
     * True when {@code c} may have come back from a checkpoint, so its earlier INSERT's outcome is
     * unknown: it was sealed by another job or task attempt, or — in an execution that Flink
     * restored from a checkpoint — before this committer started (with {@link
     * #RESTORE_CLOCK_MARGIN_MS} for clock differences). The second rule is what catches a JobManager
     * failover, the adaptive scheduler or a {@code last-state} upgrade, which can restart a task with
     * the same job id and attempt number: exactly the node-loss restores the presence probe is for.
     */
    boolean isFromState(ClickHouseCommittable c) {
        if (c.originAttempt() != attempt || !c.originJobId().equals(jobId)) {
            return true;
        }
        return restored && c.createdAtMillis() < startedAtMillis + RESTORE_CLOCK_MARGIN_MS;
    }

    @Override
    public void close() {
        executor.close();
    }
}
