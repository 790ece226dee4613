package io.github.netobservch.sink;

import io.github.netobservch.clickhouse.ClickHouseErrors;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers encoded rows per table partition and seals them into {@link ClickHouseCommittable}s: one
 * partition, one block, one token each, when a bucket is full (max rows / max bytes) and whenever
 * the delivery guarantee says so. What happens to a sealed batch is the guarantee's: {@link
 * ExactlyOnce} hands it to the committer through the checkpoint, {@link AtLeastOnce} inserts it at
 * once. {@link #create} picks the writer, as the sink does.
 */
abstract class ClickHouseSinkWriter<T> implements CommittingSinkWriter<T, ClickHouseCommittable> {

    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseSinkWriter.class);

    final ClickHouseSinkOptions options;
    private final RowEncoder<T> encoder;
    private final List<String> columns;
    final SinkFaultInjector faults;
    final SinkMetrics metrics;
    private final String jobId;
    final int subtask;
    final int attempt;
    private final Map<String, Bucket> buckets = new LinkedHashMap<>();

    /** The writer of the sink's delivery guarantee. */
    static <T> ClickHouseSinkWriter<T> create(
            ClickHouseSinkOptions options, RowEncoder<T> encoder, SinkFaultInjector faults, WriterInitContext context) {
        return create(
                options,
                encoder,
                faults,
                context.getJobInfo().getJobId().toHexString(),
                context.getTaskInfo().getIndexOfThisSubtask(),
                context.getTaskInfo().getAttemptNumber(),
                context.metricGroup());
    }

    static <T> ClickHouseSinkWriter<T> create(
            ClickHouseSinkOptions options,
            RowEncoder<T> encoder,
            SinkFaultInjector faults,
            String jobId,
            int subtask,
            int attempt,
            MetricGroup metricGroup) {
        return options.deliveryMode() == DeliveryGuarantee.EXACTLY_ONCE
                ? new ExactlyOnce<>(options, encoder, faults, jobId, subtask, attempt, metricGroup)
                : new AtLeastOnce<>(options, encoder, faults, jobId, subtask, attempt, metricGroup);
    }

    private ClickHouseSinkWriter(
            ClickHouseSinkOptions options,
            RowEncoder<T> encoder,
            SinkFaultInjector faults,
            String jobId,
            int subtask,
            int attempt,
            MetricGroup metricGroup) {
        this.options = options;
        this.encoder = encoder;
        this.columns = List.copyOf(encoder.columns());
        this.faults = faults;
        this.metrics = new SinkMetrics(metricGroup);
        this.jobId = jobId;
        this.subtask = subtask;
        this.attempt = attempt;
    }

    /** The codec a sealed payload is stored with. */
    abstract PayloadCodec codec();

    /** Takes a sealed batch. */
    abstract void sealed(ClickHouseCommittable c) throws IOException, InterruptedException;

    @Override
    public void write(T element, Context context) throws IOException, InterruptedException {
        String key = encoder.partitionKey(element);
        Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket());
        RowBinaryWriter out = bucket.rows;
        int mark = out.size();
        if (bucket.count == 0) {
            bucket.probe = probeOf(element);
        }
        try {
            encoder.encode(element, out);
        } catch (RuntimeException e) {
            out.truncate(mark);
            throw new IOException(
                    "cannot encode a record for partition " + key + " of " + options.database() + "." + options.table()
                            + "; validate records before the sink",
                    e);
        }
        bucket.count++;
        bucket.used = true;
        if (out.size() > options.maxBytesPerInsert() && bucket.count > 1) {
            // This row would push the INSERT over the byte limit: seal the rows before it.
            byte[] last = out.copyOfRange(mark, out.size());
            out.truncate(mark);
            bucket.count--;
            seal(key, bucket);
            out.writeRaw(last, 0, last.length);
            bucket.count = 1;
            bucket.probe = probeOf(element);
        }
        if (bucket.count >= options.maxRowsPerInsert() || out.size() >= options.maxBytesPerInsert()) {
            seal(key, bucket);
        }
        fire(SinkFaultInjector.Point.WRITER_WRITE);
    }

    /**
     * Seals every non-empty bucket. A bucket that had rows keeps its buffer for the next interval (a
     * new one grew from 64 KB to the batch size in every interval, copied about three times its
     * size on the way); one that had none since the last call is dropped (partitions come and go:
     * days), and so is a buffer that a very large row grew past twice the batch size.
     */
    final void sealAll() throws IOException, InterruptedException {
        for (Iterator<Map.Entry<String, Bucket>> it = buckets.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Bucket> e = it.next();
            Bucket bucket = e.getValue();
            if (bucket.count > 0) {
                seal(e.getKey(), bucket);
            }
            if (!bucket.used
                    || bucket.rows.array().length > Math.max(Bucket.INITIAL_BYTES, 2L * options.maxBytesPerInsert())) {
                it.remove();
            }
            bucket.used = false;
        }
    }

    /** Buckets held now (for tests). */
    int bucketCount() {
        return buckets.size();
    }

    private void seal(String key, Bucket bucket) throws IOException, InterruptedException {
        int rawLength = bucket.rows.size();
        ClickHouseCommittable c = ClickHouseCommittable.seal(
                options.sinkName(),
                options.database(),
                options.table(),
                key,
                columns,
                bucket.count,
                bucket.rows.array(), // compressed (or copied) from the batch's own buffer
                rawLength,
                codec(),
                jobId,
                subtask,
                attempt,
                bucket.probe,
                nextShard());
        metrics.sealed(bucket.count, rawLength);
        bucket.rows.reset();
        bucket.count = 0;
        bucket.probe = null;
        sealed(c);
    }

    /**
     * The shard of the next committable: round robin over {@code clickhouse.shard-urls}, starting at
     * this subtask's index so the subtasks spread over the shards; -1 without shards. Stored in the
     * committable, so its retries and re-commits go to the same shard.
     */
    private int nextShard() {
        int shards = options.shardEndpoints().size();
        return shards == 0 ? -1 : (int) Math.floorMod(subtask + sealedCount++, (long) shards);
    }

    private long sealedCount;

    private PresenceProbe probeOf(T element) throws IOException {
        try {
            return encoder.presenceProbe(element);
        } catch (RuntimeException e) {
            throw new IOException(
                    "cannot build the presence probe of a record for " + options.database() + "." + options.table(), e);
        }
    }

    final void fire(SinkFaultInjector.Point point) throws IOException {
        try {
            faults.at(point, new SinkFaultInjector.Context(subtask, attempt, false, null, 0));
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("injected fault at " + point, e);
        }
    }

    @Override
    public void close() {
        buckets.clear();
    }

    /**
     * Exactly-once: nothing is sent to ClickHouse here. Full buckets and, in {@link #prepareCommit()}
     * (just before the checkpoint barrier), all buckets are sealed and handed to the committer through
     * the checkpoint. No writer state: rows not yet sealed at a failure are replayed from Kafka.
     *
     * <p>Memory: open buckets hold at most {@code sink.max-bytes-per-insert} each; sealed payloads stay
     * in heap (and travel in the checkpoint) up to {@code sink.spill-threshold} per checkpoint
     * interval; beyond it, while the job catches up on a backlog, each sealed payload is written to
     * the spill directory and the committable holds only its path ({@link SpillSettings}).
     */
    static final class ExactlyOnce<T> extends ClickHouseSinkWriter<T> {

        private final List<ClickHouseCommittable> sealed = new ArrayList<>();
        /** The spill directory, or {@code null}: no spilling. */
        private final SpillFiles spill;
        /** Stored bytes of the committables sealed in heap since the last {@link #prepareCommit()}. */
        private long heldBytes;

        ExactlyOnce(
                ClickHouseSinkOptions options,
                RowEncoder<T> encoder,
                SinkFaultInjector faults,
                String jobId,
                int subtask,
                int attempt,
                MetricGroup metricGroup) {
            super(options, encoder, faults, jobId, subtask, attempt, metricGroup);
            SpillSettings settings = options.spill();
            this.spill = settings.enabled() ? new SpillFiles(settings.dir(), options.sinkName()) : null;
            if (spill != null && subtask == 0) {
                spill.sweep(settings.retention(), System.currentTimeMillis());
            }
        }

        @Override
        PayloadCodec codec() {
            return options.payloadCodec();
        }

        @Override
        void sealed(ClickHouseCommittable c) throws IOException {
            if (spill != null && heldBytes + c.storedLength() > options.spill().thresholdBytes()) {
                try {
                    c = c.spilledTo(spill.write(c.token(), c.storedPayload()));
                } catch (IOException e) {
                    throw new IOException(
                            "cannot write " + c + " to the spill directory " + spill.dir()
                                    + " (sink.spill-dir); its rows are read again from Kafka after the restart",
                            e);
                }
                metrics.spilledBatches.inc();
                metrics.spilledBytes.inc(c.storedLength());
            } else {
                heldBytes += c.storedLength();
            }
            sealed.add(c);
        }

        @Override
        public void flush(boolean endOfInput) {
            // Batches are sealed in prepareCommit, which Flink calls right after this.
        }

        @Override
        public Collection<ClickHouseCommittable> prepareCommit() throws IOException, InterruptedException {
            sealAll();
            heldBytes = 0;
            fire(SinkFaultInjector.Point.PREPARE_COMMIT);
            List<ClickHouseCommittable> out = new ArrayList<>(sealed);
            sealed.clear();
            if (!out.isEmpty()) {
                LOG.debug("Subtask {} prepared {} committable(s)", subtask, out.size());
            }
            return out;
        }

        @Override
        public void close() {
            super.close();
            sealed.clear();
        }
    }

    /**
     * At-least-once: the writer inserts full buckets itself and everything on {@link #flush}, which
     * Flink calls before each checkpoint barrier and at end of input; no committables. A failure
     * between an INSERT and the next checkpoint replays its rows, which are then inserted again.
     */
    static final class AtLeastOnce<T> extends ClickHouseSinkWriter<T> {

        private final CommitExecutor executor;

        AtLeastOnce(
                ClickHouseSinkOptions options,
                RowEncoder<T> encoder,
                SinkFaultInjector faults,
                String jobId,
                int subtask,
                int attempt,
                MetricGroup metricGroup) {
            super(options, encoder, faults, jobId, subtask, attempt, metricGroup);
            this.executor = new CommitExecutor(options, metrics, faults, subtask, attempt);
        }

        @Override
        PayloadCodec codec() {
            return PayloadCodec.NONE; // inserted at once, never stored
        }

        @Override
        void sealed(ClickHouseCommittable c) throws IOException, InterruptedException {
            CommitResult result = executor.commit(c, 0, false);
            if (result instanceof CommitResult.RetryLater retry) {
                throw new IOException(
                        "ClickHouse unreachable after " + options.maxAttemptsPerCommit() + " attempts inserting " + c
                                + ": " + ClickHouseErrors.describe(retry.lastFailure()),
                        retry.lastFailure());
            }
            if (result instanceof CommitResult.Failed failed) {
                throw new IOException(
                        "cannot insert " + c + ": " + ClickHouseErrors.describe(failed.cause()), failed.cause());
            }
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            sealAll();
        }

        @Override
        public Collection<ClickHouseCommittable> prepareCommit() {
            return List.of();
        }

        @Override
        public void close() {
            super.close();
            executor.close();
        }
    }

    private static final class Bucket {
        static final int INITIAL_BYTES = 64 * 1024;
        final RowBinaryWriter rows = new RowBinaryWriter(INITIAL_BYTES);
        int count;
        /** Whether a row came since the last {@link #sealAll}. */
        boolean used;
        /** Of the bucket's first row. */
        PresenceProbe probe;
    }
}
