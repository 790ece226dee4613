package io.github.netobservch.sink;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * One INSERT waiting for its checkpoint to complete: rows of one table partition in RowBinary, and
 * the idempotency token that makes repeating the INSERT harmless.
 *
 * <p>Self-contained: any committer subtask can commit it (Flink redistributes committer state on
 * rescaling), with no other state. Stored in checkpoints via {@link ClickHouseCommittableSerializer};
 * immutable.
 *
 * <p><b>Token.</b> A random 128-bit value from {@link SecureRandom}, prefixed with the sink name, drawn
 * once when the writer seals the batch and stored here, so every re-commit of this committable sends
 * the same token. Alternatives rejected:
 *
 * <ul>
 *   <li>checkpoint id + subtask: checkpoint ids restart from a savepoint's id after a restore, so a
 *       new, different batch would reuse a token that ClickHouse still remembers, and its rows would be
 *       <em>silently dropped</em> (a token outranks the data hash);
 *   <li>SHA-256 of (sink ‖ table ‖ partition ‖ payload): deterministic, but two legitimately
 *       identical batches (e.g. a one-row partition whose row repeats in a later checkpoint) would get
 *       the same token and the second would be dropped; it would also cost a pass over the payload.
 *       Determinism buys nothing here: a batch is only ever inserted after its checkpoint completed,
 *       and a restore from that checkpoint brings back this very object, token included. Batches rebuilt
 *       from replayed Kafka records after a restore from an <em>older</em> checkpoint are cut at
 *       different points anyway, so a content hash would not dedupe them either.
 * </ul>
 *
 * <p>A collision needs two equal 128-bit random values: negligible.
 */
public final class ClickHouseCommittable {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String token;
    private final String database;
    private final String table;
    private final String partitionKey;
    private final List<String> columns;
    private final int rowCount;
    private final int rawLength;
    private final PayloadCodec codec;
    /** The stored (compressed) payload, or {@code null} when it is in {@link #spillPath}. */
    private final byte[] storedPayload;

    private final int storedLength;
    /** The spill file holding the stored payload ({@link SpillFiles}), or {@code null}: it is in this object. */
    private final String spillPath;
    /** CRC-32 of the spilled payload (0 when it is in this object). */
    private final long storedCrc;

    private final String originJobId;
    private final int originSubtask;
    private final int originAttempt;
    private final long createdAtMillis;
    private final PresenceProbe probe;
    /** Index into {@link ClickHouseSinkOptions#shardEndpoints()}, or -1: the single endpoint. */
    private final int shard;

    ClickHouseCommittable(
            String token,
            String database,
            String table,
            String partitionKey,
            List<String> columns,
            int rowCount,
            int rawLength,
            PayloadCodec codec,
            byte[] storedPayload,
            String originJobId,
            int originSubtask,
            int originAttempt,
            long createdAtMillis,
            PresenceProbe probe,
            int shard) {
        this(
                token,
                database,
                table,
                partitionKey,
                columns,
                rowCount,
                rawLength,
                codec,
                Objects.requireNonNull(storedPayload, "storedPayload"),
                storedPayload.length,
                null,
                0,
                originJobId,
                originSubtask,
                originAttempt,
                createdAtMillis,
                probe,
                shard);
    }

    /** Every field; {@code storedPayload} is {@code null} exactly when {@code spillPath} is set. */
    ClickHouseCommittable(
            String token,
            String database,
            String table,
            String partitionKey,
            List<String> columns,
            int rowCount,
            int rawLength,
            PayloadCodec codec,
            byte[] storedPayload,
            int storedLength,
            String spillPath,
            long storedCrc,
            String originJobId,
            int originSubtask,
            int originAttempt,
            long createdAtMillis,
            PresenceProbe probe,
            int shard) {
        if ((storedPayload == null) == (spillPath == null)) {
            throw new IllegalArgumentException("a committable holds its payload or a spill path, exactly one");
        }
        if (storedPayload != null && storedPayload.length != storedLength) {
            throw new IllegalArgumentException("stored length " + storedLength + " != " + storedPayload.length);
        }
        this.storedLength = storedLength;
        this.spillPath = spillPath;
        this.storedCrc = storedCrc;
        this.shard = shard;
        this.token = Objects.requireNonNull(token, "token");
        this.database = Objects.requireNonNull(database, "database");
        this.table = Objects.requireNonNull(table, "table");
        this.partitionKey = Objects.requireNonNull(partitionKey, "partitionKey");
        this.columns = List.copyOf(columns);
        this.rowCount = rowCount;
        this.rawLength = rawLength;
        this.codec = Objects.requireNonNull(codec, "codec");
        this.storedPayload = storedPayload;
        this.originJobId = Objects.requireNonNull(originJobId, "originJobId");
        this.originSubtask = originSubtask;
        this.originAttempt = originAttempt;
        this.createdAtMillis = createdAtMillis;
        this.probe = probe;
    }

    /**
     * Seals raw RowBinary rows into a committable with a fresh token; {@code probe} finds its first
     * row (or {@code null}).
     */
    static ClickHouseCommittable seal(
            String sinkName,
            String database,
            String table,
            String partitionKey,
            List<String> columns,
            int rowCount,
            byte[] rawPayload,
            PayloadCodec codec,
            String originJobId,
            int originSubtask,
            int originAttempt,
            PresenceProbe probe) {
        return seal(
                sinkName,
                database,
                table,
                partitionKey,
                columns,
                rowCount,
                rawPayload,
                rawPayload.length,
                codec,
                originJobId,
                originSubtask,
                originAttempt,
                probe,
                -1);
    }

    /**
     * {@link #seal} of the first {@code rawLength} bytes of {@code rawPayload} (a buffer the caller
     * reuses), for shard {@code shard} (-1: the single endpoint).
     */
    static ClickHouseCommittable seal(
            String sinkName,
            String database,
            String table,
            String partitionKey,
            List<String> columns,
            int rowCount,
            byte[] rawPayload,
            int rawLength,
            PayloadCodec codec,
            String originJobId,
            int originSubtask,
            int originAttempt,
            PresenceProbe probe,
            int shard) {
        return new ClickHouseCommittable(
                newToken(sinkName),
                database,
                table,
                partitionKey,
                columns,
                rowCount,
                rawLength,
                codec,
                codec.compress(rawPayload, rawLength),
                originJobId,
                originSubtask,
                originAttempt,
                System.currentTimeMillis(),
                probe,
                shard);
    }

    /** The shard every attempt of this committable goes to (-1: the single endpoint). */
    public int shard() {
        return shard;
    }

    /** {@code <sinkName>-<32 hex digits>}: 128 random bits. */
    static String newToken(String sinkName) {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        return sinkName + "-" + HexFormat.of().formatHex(id);
    }

    public String token() {
        return token;
    }

    public String database() {
        return database;
    }

    public String table() {
        return table;
    }

    public String partitionKey() {
        return partitionKey;
    }

    public List<String> columns() {
        return columns;
    }

    public int rowCount() {
        return rowCount;
    }

    /** Length of the uncompressed RowBinary payload. */
    public int rawLength() {
        return rawLength;
    }

    PayloadCodec codec() {
        return codec;
    }

    /** Length of the payload as stored (compressed). */
    public int storedLength() {
        return storedLength;
    }

    /**
     * The uncompressed RowBinary rows, read from the spill file when the payload was spilled.
     *
     * @throws java.io.FileNotFoundException when the spill file is gone
     */
    public byte[] payload() throws IOException {
        return codec.decompress(stored(), rawLength);
    }

    /**
     * The payload as stored (compressed by {@link #codec()}), read from the spill file when it was
     * spilled.
     *
     * @throws java.io.FileNotFoundException when the spill file is gone
     */
    byte[] stored() throws IOException {
        return spillPath == null ? storedPayload : SpillFiles.read(spillPath, storedLength, storedCrc);
    }

    /** The stored payload held in this object; only for committables that are not spilled. */
    byte[] storedPayload() {
        if (storedPayload == null) {
            throw new IllegalStateException(this + " is spilled to " + spillPath);
        }
        return storedPayload;
    }

    /** The spill file holding the payload, or {@code null} when this object holds it. */
    public String spillPath() {
        return spillPath;
    }

    long storedCrc() {
        return storedCrc;
    }

    /** This committable with its payload moved to {@code path} (already written there by {@link SpillFiles}). */
    ClickHouseCommittable spilledTo(String path) {
        return new ClickHouseCommittable(
                token,
                database,
                table,
                partitionKey,
                columns,
                rowCount,
                rawLength,
                codec,
                null,
                storedLength,
                Objects.requireNonNull(path, "path"),
                SpillFiles.crc32(storedPayload()),
                originJobId,
                originSubtask,
                originAttempt,
                createdAtMillis,
                probe,
                shard);
    }

    public String originJobId() {
        return originJobId;
    }

    public int originSubtask() {
        return originSubtask;
    }

    public int originAttempt() {
        return originAttempt;
    }

    public long createdAtMillis() {
        return createdAtMillis;
    }

    /** Finds the batch's first row in the table; {@code null} when the encoder has none (or state from format version 1). */
    public PresenceProbe probe() {
        return probe;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ClickHouseCommittable)) {
            return false;
        }
        ClickHouseCommittable that = (ClickHouseCommittable) o;
        return rowCount == that.rowCount
                && rawLength == that.rawLength
                && originSubtask == that.originSubtask
                && originAttempt == that.originAttempt
                && createdAtMillis == that.createdAtMillis
                && token.equals(that.token)
                && database.equals(that.database)
                && table.equals(that.table)
                && partitionKey.equals(that.partitionKey)
                && columns.equals(that.columns)
                && codec == that.codec
                && java.util.Arrays.equals(storedPayload, that.storedPayload)
                && storedLength == that.storedLength
                && Objects.equals(spillPath, that.spillPath)
                && storedCrc == that.storedCrc
                && originJobId.equals(that.originJobId)
                && Objects.equals(probe, that.probe)
                && shard == that.shard;
    }

    @Override
    public int hashCode() {
        return token.hashCode();
    }

    /** Identifies the committable in logs and errors; no row data. */
    @Override
    public String toString() {
        return "ClickHouseCommittable{token=" + token + ", table=" + database + "." + table + ", partition="
                + partitionKey + ", rows=" + rowCount + ", bytes=" + rawLength + ", stored=" + storedLength
                + " " + codec + (spillPath != null ? " spilled" : "") + ", origin=" + originJobId + "/" + originSubtask
                + "#" + originAttempt
                + (shard >= 0 ? ", shard=" + shard : "") + "}";
    }
}
