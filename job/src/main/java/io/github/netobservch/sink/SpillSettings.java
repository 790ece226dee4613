package io.github.netobservch.sink;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/**
 * Where the exactly-once writer puts sealed INSERT payloads once it holds more than {@code
 * thresholdBytes} of them in heap within one checkpoint interval. The checkpoint then holds a
 * reference (path, length, CRC-32) instead of the bytes. {@code dir} is a Flink file-system URI
 * that must survive the loss of a TaskManager (the checkpoint storage's file system: S3, HDFS, a
 * shared volume); files of committed batches are deleted by the committer, files nobody references
 * (a failure between sealing and the checkpoint) after {@code retention}.
 *
 * @param dir the spill directory, or {@code null}: payloads stay in heap and in the checkpoint
 */
public record SpillSettings(String dir, long thresholdBytes, Duration retention) implements Serializable {

    /** No spilling: every payload stays in heap (the behaviour before spill files). */
    public static final SpillSettings NONE = new SpillSettings(null, Long.MAX_VALUE, Duration.ofDays(7));

    public SpillSettings {
        if (thresholdBytes < 0) {
            throw new IllegalArgumentException("sink.spill-threshold must not be negative");
        }
        if (retention == null || retention.compareTo(Duration.ofHours(1)) < 0) {
            throw new IllegalArgumentException("sink.spill-retention must be at least 1 h, got " + retention);
        }
        if (dir != null) {
            try {
                URI uri = new URI(dir);
                if (uri.getPath() == null || uri.getPath().isEmpty()) {
                    throw new IllegalArgumentException("sink.spill-dir: '" + dir + "' has no path");
                }
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("sink.spill-dir: '" + dir + "' is not a URI: " + e.getMessage());
            }
        }
    }

    public boolean enabled() {
        return dir != null;
    }
}
