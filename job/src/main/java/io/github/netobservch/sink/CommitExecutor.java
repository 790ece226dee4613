package io.github.netobservch.sink;

import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one committable with bounded, exponentially backed-off retries of transient errors, always
 * with the committable's own token. Shared by the committer (exactly-once) and the at-least-once
 * writer.
 */
final class CommitExecutor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommitExecutor.class);

    /** What happened to one committable. */
    enum Outcome {
        COMMITTED,
        /** Transient failures exhausted this call's attempts; try again later with the same token. */
        RETRY_LATER,
        /** A permanent failure; {@link #lastFailure()} holds it. */
        FAILED
    }

    private final ClickHouseSinkOptions options;
    private final SinkMetrics metrics;
    private final SinkFaultInjector faults;
    private final int subtask;
    private final int attempt;
    private ClickHouseInserter inserter;
    private Throwable lastFailure;

    CommitExecutor(ClickHouseSinkOptions options, SinkMetrics metrics, SinkFaultInjector faults, int subtask,
            int attempt) {
        this.options = options;
        this.metrics = metrics;
        this.faults = faults;
        this.subtask = subtask;
        this.attempt = attempt;
    }

    Throwable lastFailure() {
        return lastFailure;
    }

    /**
     * Inserts {@code c}, retrying transient errors up to {@code maxAttemptsPerCommit} times.
     *
     * @param priorCalls how often this committable was already handed back (Flink's
     *     {@code getNumberOfRetries()}); continues the exponential backoff across calls, because Flink
     *     calls the committer again immediately
     * @param fromState the committable came back from a checkpoint (a re-commit)
     */
    Outcome commit(ClickHouseCommittable c, int priorCalls, boolean fromState) throws InterruptedException {
        lastFailure = null;
        byte[] payload;
        try {
            payload = c.payload();
        } catch (IOException e) {
            lastFailure = e;
            return Outcome.FAILED;
        }
        String token = options.idempotentCommits() ? c.token() : null;
        SinkFaultInjector.Context context = new SinkFaultInjector.Context(subtask, attempt, fromState, c.token(),
                c.rowCount());
        for (int i = 0; i < options.maxAttemptsPerCommit(); i++) {
            int step = priorCalls * options.maxAttemptsPerCommit() + i;
            if (step > 0) {
                long pause = backoffMillis(step - 1);
                LOG.info("Retrying {} in {} ms (attempt {} of this call, {} earlier calls)", c, pause, i + 1,
                        priorCalls);
                Thread.sleep(pause);
            }
            fire(SinkFaultInjector.Point.BEFORE_INSERT, context);
            long t0 = System.nanoTime();
            try {
                inserter().insert(c.database(), c.table(), c.columns(), payload, token);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                lastFailure = e;
                if (ClickHouseErrors.classify(e) == ClickHouseErrors.Kind.PERMANENT) {
                    metrics.commitFailures.inc();
                    LOG.error("Permanent failure inserting {}: {}", c, ClickHouseErrors.describe(e));
                    return Outcome.FAILED;
                }
                metrics.retries.inc();
                LOG.warn("Transient failure inserting {}: {}", c, ClickHouseErrors.describe(e));
                resetConnection();
                continue;
            }
            long latencyMs = (System.nanoTime() - t0) / 1_000_000;
            metrics.committed(c.rowCount(), latencyMs, fromState);
            LOG.debug("Committed {} in {} ms{}", c, latencyMs, fromState ? " (re-commit)" : "");
            fire(SinkFaultInjector.Point.AFTER_INSERT, context);
            return Outcome.COMMITTED;
        }
        return Outcome.RETRY_LATER;
    }

    /** Injected faults crash the task like a real one (they are not classified as ClickHouse errors). */
    private void fire(SinkFaultInjector.Point point, SinkFaultInjector.Context context) {
        try {
            faults.at(point, context);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("injected fault at " + point, e);
        }
    }

    /** Pause before retry number {@code step} (0-based): initial × 2^step, capped. */
    long backoffMillis(int step) {
        long initial = Math.max(1, options.initialBackoff().toMillis());
        long max = options.maxBackoff().toMillis();
        int shift = Math.min(step, 30);
        return Math.min(max, initial << shift);
    }

    private ClickHouseInserter inserter() {
        if (inserter == null) {
            inserter = new ClickHouseInserter(options);
        }
        return inserter;
    }

    private void resetConnection() {
        // A fresh client after a transport failure: pooled connections to a restarted server are dead.
        if (inserter != null) {
            try {
                inserter.close();
            } catch (RuntimeException e) {
                LOG.debug("Ignoring failure closing the ClickHouse client", e);
            }
            inserter = null;
        }
    }

    @Override
    public void close() {
        resetConnection();
    }
}
