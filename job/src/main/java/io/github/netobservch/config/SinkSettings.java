package io.github.netobservch.config;

import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.connector.base.DeliveryGuarantee;

/** How both ClickHouse sinks (flows and dead letters) batch and commit. */
public record SinkSettings(
        DeliveryGuarantee delivery,
        int maxRowsPerInsert,
        long maxBytesPerInsert,
        Duration toleratedOutage,
        boolean preflight,
        String flowsTable,
        String deadLetterTable,
        String spillDir,
        long spillThresholdBytes,
        Duration spillRetention)
        implements Serializable {

    public SinkSettings {
        if (spillThresholdBytes < 0) {
            throw new IllegalArgumentException("sink.spill-threshold must not be negative");
        }
        if (spillRetention.compareTo(Duration.ofHours(1)) < 0) {
            throw new IllegalArgumentException("sink.spill-retention must be at least 1 h");
        }
        if (maxRowsPerInsert < 1) {
            throw new IllegalArgumentException("sink.max-rows-per-insert must be positive, got " + maxRowsPerInsert);
        }
        if (maxBytesPerInsert < 1024) {
            throw new IllegalArgumentException("sink.max-bytes-per-insert must be at least 1 kb");
        }
        if (toleratedOutage.isNegative()) {
            throw new IllegalArgumentException("sink.tolerated-outage must not be negative");
        }
        if (!ClickHouseConfig.isIdentifier(flowsTable)) {
            throw new IllegalArgumentException(
                    "clickhouse.flows-table: '" + flowsTable + "' is not a plain identifier");
        }
        if (!ClickHouseConfig.isIdentifier(deadLetterTable)) {
            throw new IllegalArgumentException(
                    "clickhouse.dlq-table: '" + deadLetterTable + "' is not a plain identifier");
        }
    }

    /** These settings with {@code dir} as the spill directory when none is configured ({@code dir} may be null). */
    public SinkSettings withSpillDirDefault(String dir) {
        if (spillDir != null || dir == null) {
            return this;
        }
        return new SinkSettings(
                delivery,
                maxRowsPerInsert,
                maxBytesPerInsert,
                toleratedOutage,
                preflight,
                flowsTable,
                deadLetterTable,
                dir,
                spillThresholdBytes,
                spillRetention);
    }

    static DeliveryGuarantee parseDelivery(String value) {
        switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "exactly-once":
                return DeliveryGuarantee.EXACTLY_ONCE;
            case "at-least-once":
                return DeliveryGuarantee.AT_LEAST_ONCE;
            default:
                throw new IllegalArgumentException(
                        "sink.delivery: '" + value + "' is not one of exactly-once, at-least-once");
        }
    }
}
