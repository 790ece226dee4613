package io.github.netobservch.sink;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The sink's own metrics, registered on the writer's or committer's operator metric group.
 *
 * <ul>
 *   <li>{@code rowsCommitted}, {@code commits}: rows and INSERTs acknowledged by the server;
 *   <li>{@code recommits}: INSERTs of committables restored from a checkpoint (a failover or restore
 *       happened after they were sealed; the token makes the repeat harmless);
 *   <li>{@code retries}: failed INSERT attempts that were retried (transient errors);
 *   <li>{@code commitFailures}: permanent failures that failed the job;
 *   <li>{@code inDoubtChecks}: presence probes run because an acknowledged INSERT followed a failure
 *       or a restore (plain MergeTree targets only);
 *   <li>{@code lostInsertsRepaired}: batches whose token was acknowledged without their rows (a server
 *       crash mid-INSERT) and which were inserted again under a derived token;
 *   <li>{@code commitLatencyMs} (histogram) and {@code lastCommitLatencyMs} (gauge): one INSERT;
 *   <li>{@code batchRows}, {@code batchBytes} (histograms): size of each sealed INSERT.
 * </ul>
 */
final class SinkMetrics {

    private static final int WINDOW = 1000;

    final Counter rowsCommitted;
    final Counter commits;
    final Counter recommits;
    final Counter retries;
    final Counter commitFailures;
    final Counter inDoubtChecks;
    final Counter lostInsertsRepaired;
    final Counter inDoubtUncheckable;
    final Histogram commitLatencyMs;
    final Histogram batchRows;
    final Histogram batchBytes;
    private volatile long lastCommitLatencyMs;

    SinkMetrics(MetricGroup group) {
        rowsCommitted = group.counter("rowsCommitted");
        commits = group.counter("commits");
        recommits = group.counter("recommits");
        retries = group.counter("retries");
        commitFailures = group.counter("commitFailures");
        inDoubtChecks = group.counter("inDoubtChecks");
        lostInsertsRepaired = group.counter("lostInsertsRepaired");
        inDoubtUncheckable = group.counter("inDoubtUncheckable");
        commitLatencyMs = group.histogram("commitLatencyMs", new DescriptiveStatisticsHistogram(WINDOW));
        batchRows = group.histogram("batchRows", new DescriptiveStatisticsHistogram(WINDOW));
        batchBytes = group.histogram("batchBytes", new DescriptiveStatisticsHistogram(WINDOW));
        group.gauge("lastCommitLatencyMs", () -> lastCommitLatencyMs);
    }

    void committed(long rows, long latencyMs, boolean fromState) {
        rowsCommitted.inc(rows);
        commits.inc();
        if (fromState) {
            recommits.inc();
        }
        commitLatencyMs.update(latencyMs);
        lastCommitLatencyMs = latencyMs;
    }

    void sealed(long rows, long bytes) {
        batchRows.update(rows);
        batchBytes.update(bytes);
    }
}
