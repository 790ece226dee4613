package io.github.netobservch.pipeline;

import io.github.netobservch.config.ClickHouseConfig;
import io.github.netobservch.config.SinkSettings;
import io.github.netobservch.parse.DeadLetter;
import io.github.netobservch.rows.DeadLetterRowEncoder;
import io.github.netobservch.rows.EncodedFlowRows;
import io.github.netobservch.rows.FlowRow;
import io.github.netobservch.sink.ClickHouseSink;
import io.github.netobservch.sink.ClickHouseSinkOptions;
import io.github.netobservch.sink.SpillSettings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the two ClickHouse sinks (flows and dead letters) from the job configuration. */
public final class ClickHouseSinks {

    private ClickHouseSinks() {}

    public static ClickHouseSink<FlowRow> flows(
            ClickHouseConfig clickHouse, SinkSettings sink, Duration checkpointInterval, int parallelism) {
        return new ClickHouseSink<>(
                options(clickHouse, sink, checkpointInterval, parallelism)
                        .table(sink.flowsTable())
                        .sinkName("flows")
                        .build(),
                new EncodedFlowRows());
    }

    public static ClickHouseSink<DeadLetter> deadLetters(
            ClickHouseConfig clickHouse, SinkSettings sink, Duration checkpointInterval, int parallelism) {
        return new ClickHouseSink<>(
                options(clickHouse, sink, checkpointInterval, parallelism)
                        .table(sink.deadLetterTable())
                        .sinkName("dead-letters")
                        .build(),
                new DeadLetterRowEncoder());
    }

    /** Common options; the password stays a reference, resolved on the TaskManagers. */
    static ClickHouseSinkOptions.Builder options(
            ClickHouseConfig clickHouse, SinkSettings sink, Duration checkpointInterval, int parallelism) {
        Map<String, String> client = new LinkedHashMap<>(clickHouse.passthrough());
        if (clickHouse.sslRootCert() != null) {
            client.put("sslrootcert", clickHouse.sslRootCert());
        }
        return ClickHouseSinkOptions.builder()
                .url(clickHouse.url())
                .shardUrls(clickHouse.shardUrls())
                .database(clickHouse.database())
                .user(clickHouse.user())
                .password(clickHouse.password().isPresent() ? clickHouse.password() : null)
                .clientOptions(client)
                .deliveryMode(sink.delivery())
                .maxRowsPerInsert(sink.maxRowsPerInsert())
                .maxBytesPerInsert(sink.maxBytesPerInsert())
                .preflightOnOpen(sink.preflight())
                .spill(
                        sink.spillDir() == null
                                ? SpillSettings.NONE
                                : new SpillSettings(sink.spillDir(), sink.spillThresholdBytes(), sink.spillRetention()))
                // A day boundary inside one checkpoint gives two partitions per subtask.
                .deduplicationRequirements(checkpointInterval, sink.toleratedOutage(), parallelism, 2);
    }
}
