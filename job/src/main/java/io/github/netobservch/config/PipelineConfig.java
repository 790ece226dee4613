package io.github.netobservch.config;

import io.github.netobservch.dedup.DedupConfig;
import io.github.netobservch.parse.ParserConfig;
import java.io.Serializable;
import java.time.Duration;

/**
 * What the pipeline does between source and sinks: parsing limits, event time, dedup and the
 * optional dead-letter topic.
 *
 * @param checkpointInterval the job option, or {@code null} to keep the cluster's setting
 * @param maxAheadOfKafka how far past its Kafka timestamp a record's event time may count ({@code 0}:
 *     no bound)
 * @param deadLetterTopic Kafka topic that also receives dead letters, or {@code null}
 */
public record PipelineConfig(
        String jobName,
        Duration checkpointInterval,
        Duration maxOutOfOrderness,
        Duration maxAheadOfKafka,
        Duration idleness,
        ParserConfig parser,
        DedupConfig dedup,
        String deadLetterTopic)
        implements Serializable {

    public PipelineConfig {
        if (jobName == null || jobName.isBlank()) {
            throw new IllegalArgumentException("job.name must not be blank");
        }
        if (checkpointInterval != null && checkpointInterval.toMillis() < 10) {
            throw new IllegalArgumentException("checkpoint.interval must be at least 10 ms, got " + checkpointInterval);
        }
        if (maxOutOfOrderness.isNegative()) {
            throw new IllegalArgumentException("event-time.max-out-of-orderness must not be negative");
        }
        if (maxAheadOfKafka.isNegative()) {
            throw new IllegalArgumentException("event-time.max-ahead-of-kafka must not be negative");
        }
        if (idleness.isNegative() || idleness.isZero()) {
            throw new IllegalArgumentException("event-time.idleness must be positive");
        }
        if (deadLetterTopic != null && deadLetterTopic.isBlank()) {
            deadLetterTopic = null;
        }
    }
}
