package io.github.netobservch.sink;

import io.github.netobservch.clickhouse.ClickHouseErrors;
import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessageTypeInfo;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads records into one ClickHouse table, exactly once (default) or at least once.
 *
 * <p>Exactly-once works like this: the writer buffers RowBinary rows per table partition and, just
 * before each checkpoint barrier, seals them into committables (one partition, one block, one random
 * token each) that become part of the checkpoint. When the checkpoint completes, the committer
 * inserts each committable with {@code insert_deduplication_token=<token>}; after a failure, the
 * committables of the restored checkpoint are inserted again with the same tokens, and ClickHouse
 * drops those it already has. Rows after the checkpoint are replayed by the (Kafka) source and sealed
 * into new committables. Requires a table with an insert-deduplication log large enough (checked by
 * {@link ClickHousePreflight}). Rows become visible only after the checkpoint completes.
 *
 * <pre>{@code
 * ClickHouseSinkOptions options = ClickHouseSinkOptions.builder()
 *         .url("http://clickhouse:8123").database("netobserv").table("flows")
 *         .user("flink").password(secret)
 *         .deduplicationRequirements(Duration.ofSeconds(30), Duration.ofHours(1), parallelism, 2)
 *         .build();
 * stream.sinkTo(new ClickHouseSink<>(options, new FlowRowEncoder())).name("clickhouse").uid("clickhouse-sink");
 * }</pre>
 *
 * <p>Give {@code sinkTo(sink)} a {@code uid}: the committing topology sets uids of its own, and
 * Flink then refuses a sink without one.
 *
 * @param <T> record type
 */
public final class ClickHouseSink<T>
        implements Sink<T>,
                SupportsCommitter<ClickHouseCommittable>,
                SupportsPreCommitTopology<ClickHouseCommittable, ClickHouseCommittable> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseSink.class);

    private final ClickHouseSinkOptions options;
    private final RowEncoder<T> encoder;
    private final SinkFaultInjector faults;

    public ClickHouseSink(ClickHouseSinkOptions options, RowEncoder<T> encoder) {
        this(options, encoder, SinkFaultInjector.NONE);
    }

    private ClickHouseSink(ClickHouseSinkOptions options, RowEncoder<T> encoder, SinkFaultInjector faults) {
        this.options = Objects.requireNonNull(options, "options");
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        this.faults = Objects.requireNonNull(faults, "faults");
        if (encoder.columns().isEmpty()) {
            throw new IllegalArgumentException("the encoder names no columns");
        }
    }

    /** Test only: the same sink with a fault injector. */
    public ClickHouseSink<T> withFaultInjector(SinkFaultInjector injector) {
        return new ClickHouseSink<>(options, encoder, injector);
    }

    public ClickHouseSinkOptions options() {
        return options;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        if (options.preflightOnOpen()) {
            preflight(context.getTaskInfo().getIndexOfThisSubtask());
        }
        return ClickHouseSinkWriter.create(options, encoder, faults, context);
    }

    @Override
    public Committer<ClickHouseCommittable> createCommitter(CommitterInitContext context) throws IOException {
        return new ClickHouseCommitter(options, faults, context);
    }

    @Override
    public SimpleVersionedSerializer<ClickHouseCommittable> getCommittableSerializer() {
        return new ClickHouseCommittableSerializer();
    }

    /**
     * The preflight before the job is submitted ({@code FlowsJob.main}): a target table that cannot
     * work stops the submission with the preflight's message, instead of a job that starts, fails in
     * every sink subtask and restarts over and over. Where the check cannot run here — ClickHouse
     * not reachable from the submitting process, or the password only mounted on the TaskManagers —
     * it logs why and leaves the check to the sink's start-up.
     */
    public void preflightBeforeSubmit() {
        if (!options.preflightOnOpen()) {
            return;
        }
        try {
            ClickHousePreflight.Report report = ClickHousePreflight.check(options, encoder);
            LOG.info(
                    "Pre-submit check of {}.{} passed (ClickHouse {})",
                    options.database(),
                    options.table(),
                    report.serverVersion());
        } catch (ClickHousePreflightException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.warn(
                    "Pre-submit check of {}.{} not possible from here ({}); the sink checks when it starts",
                    options.database(),
                    options.table(),
                    ClickHouseErrors.describe(e));
        }
    }

    @Override
    public SimpleVersionedSerializer<ClickHouseCommittable> getWriteResultSerializer() {
        return new ClickHouseCommittableSerializer();
    }

    /**
     * Hands the committables to a task of their own (same parallelism, forward, no shuffle): Flink
     * chains the committer to the writer by default, and then every INSERT blocks the writer's task
     * — and through back-pressure the whole pipeline — for as long as ClickHouse takes. In a separate
     * task the committer inserts checkpoint N while the writer already buffers N+1. Semantics are
     * unchanged: committables still reach the committer before the barrier and are in its state.
     */
    @Override
    public DataStream<CommittableMessage<ClickHouseCommittable>> addPreCommitTopology(
            DataStream<CommittableMessage<ClickHouseCommittable>> committables) {
        return committables
                .map(new Handoff(), CommittableMessageTypeInfo.of(ClickHouseCommittableSerializer::new))
                .name("commit hand-off")
                .uid("clickhouse-" + options.sinkName() + "-commit-handoff")
                .startNewChain();
    }

    /** Identity: only there to start the committer's own chain. */
    static final class Handoff
            implements MapFunction<
                    CommittableMessage<ClickHouseCommittable>, CommittableMessage<ClickHouseCommittable>> {
        private static final long serialVersionUID = 1L;

        @Override
        public CommittableMessage<ClickHouseCommittable> map(CommittableMessage<ClickHouseCommittable> message) {
            return message;
        }
    }

    /**
     * Misconfiguration fails the task with the preflight's message; an unreachable server only logs a
     * warning, since commits retry on their own and a restart during a ClickHouse outage should not
     * burn restart attempts.
     */
    private void preflight(int subtask) {
        try {
            ClickHousePreflight.check(options, encoder);
        } catch (ClickHousePreflightException e) {
            throw e;
        } catch (RuntimeException e) {
            if (ClickHouseErrors.classify(e) == ClickHouseErrors.Kind.TRANSIENT) {
                LOG.warn(
                        "Subtask {}: preflight skipped, ClickHouse unreachable: {}",
                        subtask,
                        ClickHouseErrors.describe(e));
                return;
            }
            throw new ClickHousePreflightException(
                    options.database() + "." + options.table(),
                    java.util.List.of("preflight query failed: " + ClickHouseErrors.describe(e)));
        }
    }
}
