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
 *   <li>{@code batchRows}, {@code batchBytes} (histograms): size of each sealed INSERT;
 *   <li>{@code spilledBatches}, {@code spilledBytes}: sealed INSERTs whose payload went to the spill
 *       directory (a writer held more than {@code sink.spill-threshold} in one checkpoint interval);
 *   <li>{@code spillFilesMissing}: restored committables whose spill file was gone and whose rows the
 *       presence probe found (committed before the restore).
 * </ul>
 */
final class SinkMetrics {

    private static final int WINDOW = 1000;

    /**
     * Gauge: how long ClickHouse has failed every attempt with a transient error (unreachable,
     * timeouts, overload), in seconds; 0 once an attempt succeeds. What the alert "ClickHouse
     * unreachable, data safe in Kafka" reads (flink-k8s/monitoring/prometheusrule.yaml).
     */
    static final String UNREACHABLE_SECONDS = "clickHouseUnreachableSeconds";

    final Counter rowsCommitted;
    final Counter commits;
    final Counter recommits;
    final Counter retries;
    final Counter commitFailures;
    final Counter inDoubtChecks;
    final Counter lostInsertsRepaired;
    final Counter inDoubtUncheckable;
    final Counter spilledBatches;
    final Counter spilledBytes;
    final Counter spillFilesMissing;
    final Histogram commitLatencyMs;
    final Histogram batchRows;
    final Histogram batchBytes;
    private volatile long lastCommitLatencyMs;
    /** Wall clock of the first of the current run of transient failures, 0 while ClickHouse answers. */
    private volatile long unreachableSinceMillis;

    SinkMetrics(MetricGroup group) {
        rowsCommitted = group.counter("rowsCommitted");
        commits = group.counter("commits");
        recommits = group.counter("recommits");
        retries = group.counter("retries");
        commitFailures = group.counter("commitFailures");
        inDoubtChecks = group.counter("inDoubtChecks");
        lostInsertsRepaired = group.counter("lostInsertsRepaired");
        inDoubtUncheckable = group.counter("inDoubtUncheckable");
        spilledBatches = group.counter("spilledBatches");
        spilledBytes = group.counter("spilledBytes");
        spillFilesMissing = group.counter("spillFilesMissing");
        commitLatencyMs = group.histogram("commitLatencyMs", new DescriptiveStatisticsHistogram(WINDOW));
        batchRows = group.histogram("batchRows", new DescriptiveStatisticsHistogram(WINDOW));
        batchBytes = group.histogram("batchBytes", new DescriptiveStatisticsHistogram(WINDOW));
        group.gauge("lastCommitLatencyMs", () -> lastCommitLatencyMs);
        group.gauge(UNREACHABLE_SECONDS, () -> {
            long since = unreachableSinceMillis;
            return since == 0 ? 0L : Math.max(0L, (System.currentTimeMillis() - since) / 1000);
        });
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

    /** A transient failure (the server did not answer usefully): starts the unreachable clock. */
    void transientFailure() {
        if (unreachableSinceMillis == 0) {
            unreachableSinceMillis = System.currentTimeMillis();
        }
    }

    /** ClickHouse answered (an INSERT or probe went through, or failed permanently): stops it. */
    void reachable() {
        unreachableSinceMillis = 0;
    }

    /** Seconds ClickHouse has been failing transiently without a success in between (the gauge). */
    long unreachableSeconds() {
        long since = unreachableSinceMillis;
        return since == 0 ? 0L : (System.currentTimeMillis() - since) / 1000;
    }

    void sealed(long rows, long bytes) {
        batchRows.update(rows);
        batchBytes.update(bytes);
    }
}
