package io.github.netobservch.local;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A metric reporter for the local tools ({@code scripts/replay}): keeps every counter of a job of
 * the local MiniCluster, so the tool can read the job's own counts (dedup drops by cause, records
 * kept) after the job has finished, when Flink's REST API no longer has them. Counters are kept by
 * job id and metric identifier; a restarted subtask replaces its counter, so counts of a job that
 * restarted are not exact ({@link LocalFlink.Job#restarts()} tells).
 *
 * <p>Flink finds reporter factories with the service loader
 * ({@code META-INF/services/org.apache.flink.metrics.reporter.MetricReporterFactory}); it is only
 * used where {@link #enable} configured it. Hand-written because Flink's own in-memory reporter is
 * in its test jar, which the job does not depend on at runtime.
 */
public final class LocalMetrics implements MetricReporter {

    private static final String NAME = "netobservlocal";
    /** job id → metric identifier → counter. */
    private static final Map<String, Map<String, Counter>> COUNTERS = new ConcurrentHashMap<>();

    /** Adds this reporter to a MiniCluster configuration. */
    public static void enable(Configuration conf) {
        conf.setString("metrics.reporter." + NAME + ".factory.class", Factory.class.getName());
    }

    /** Sum over all subtasks of the job's counters whose identifier ends with {@code "." + suffix}. */
    public static long sum(String jobId, String suffix) {
        Map<String, Counter> job = COUNTERS.getOrDefault(jobId, Map.of());
        long total = 0;
        for (Map.Entry<String, Counter> e : job.entrySet()) {
            if (e.getKey().endsWith("." + suffix)) {
                total += e.getValue().getCount();
            }
        }
        return total;
    }

    /** Forgets a job's counters. */
    public static void forget(String jobId) {
        COUNTERS.remove(jobId);
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
        String jobId = group.getAllVariables().get("<job_id>");
        if (jobId != null && metric instanceof Counter) {
            COUNTERS.computeIfAbsent(jobId, k -> new ConcurrentHashMap<>())
                    .put(group.getMetricIdentifier(metricName), (Counter) metric);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
        // kept on purpose: the tool reads the final counts after the job's tasks are gone
    }

    /** Flink's entry point (service loader). */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new LocalMetrics();
        }
    }
}
