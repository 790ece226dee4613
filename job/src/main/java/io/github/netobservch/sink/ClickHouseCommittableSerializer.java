package io.github.netobservch.sink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Checkpoint format of {@link ClickHouseCommittable}. Committables pending in a checkpoint or
 * savepoint must survive a job upgrade: never change how an existing version is read; add a version
 * instead and keep reading the old ones ({@code ClickHouseCommittableSerializerTest} holds a frozen
 * version-1 image).
 *
 * <p>Version 1 (big-endian, strings as int byte length + UTF-8):
 * token, database, table, partitionKey, int columnCount, columnCount × column, int rowCount,
 * int rawLength, byte codecId, int storedLength, storedLength × byte, originJobId, int originSubtask,
 * int originAttempt, long createdAtMillis.
 *
 * <p>Version 2 = version 1 followed by the {@link PresenceProbe}: boolean present; if present, predicate,
 * int paramCount, paramCount × (name, value). Version-1 committables restore without a probe.
 *
 * <p>Version 3 = version 2 followed by int shard (-1: the single endpoint; else the index into
 * {@code clickhouse.shard-urls}). Version-1 and -2 committables restore with shard -1.
 *
 * <p>Version 4 = version 3 followed by boolean spilled; if spilled, the inline payload (storedLength,
 * bytes) is empty and spillPath, int storedLength, long crc32 follow: the payload is in a spill file
 * ({@link SpillSettings}). Older versions restore with the payload inline.
 */
final class ClickHouseCommittableSerializer implements SimpleVersionedSerializer<ClickHouseCommittable> {

    public static final int VERSION_1 = 1;
    public static final int VERSION_2 = 2;
    public static final int VERSION_3 = 3;
    public static final int VERSION_4 = 4;
    public static final int CURRENT_VERSION = VERSION_4;
    private static final int MAX_PROBE_PARAMS = 64;

    private static final int MAX_STRING_BYTES = 1 << 20;

    @Override
    public int getVersion() {
        return CURRENT_VERSION;
    }

    /**
     * Writes into an array of exactly the committable's size, returned as is: the payload is copied
     * once. (With a buffer that grows, the payload was copied three times per call — into the buffer,
     * when the column names outgrew its head room, and out of it — and Flink calls this for every
     * committable crossing to the committer's task and again at every checkpoint while it waits
     * there: with Flink's own copies, 78 % of the committer thread's CPU in the benchmark's profile.)
     */
    @Override
    public byte[] serialize(ClickHouseCommittable c) throws IOException {
        boolean spilled = c.spillPath() != null;
        PresenceProbe probe = c.probe();
        List<byte[]> strings = new ArrayList<>(8 + c.columns().size());
        int size = utf8(strings, c.token())
                + utf8(strings, c.database())
                + utf8(strings, c.table())
                + utf8(strings, c.partitionKey())
                + Integer.BYTES;
        for (String column : c.columns()) {
            size += utf8(strings, column);
        }
        size += 3 * Integer.BYTES + 1 + (spilled ? 0 : c.storedLength());
        size += utf8(strings, c.originJobId()) + 2 * Integer.BYTES + Long.BYTES + 1;
        if (probe != null) {
            size += utf8(strings, probe.predicate()) + Integer.BYTES;
            for (Map.Entry<String, String> p : probe.params().entrySet()) {
                size += utf8(strings, p.getKey()) + utf8(strings, p.getValue());
            }
        }
        size += Integer.BYTES + 1;
        if (spilled) {
            size += utf8(strings, c.spillPath()) + Integer.BYTES + Long.BYTES;
        }

        DataOutputSerializer out = new DataOutputSerializer(size);
        Iterator<byte[]> next = strings.iterator();
        for (int i = 0; i < 4; i++) {
            writeString(out, next.next()); // token, database, table, partitionKey
        }
        out.writeInt(c.columns().size());
        for (int i = 0; i < c.columns().size(); i++) {
            writeString(out, next.next());
        }
        out.writeInt(c.rowCount());
        out.writeInt(c.rawLength());
        out.writeByte(c.codec().id());
        if (spilled) {
            out.writeInt(0);
        } else {
            out.writeInt(c.storedLength());
            out.write(c.storedPayload());
        }
        writeString(out, next.next()); // originJobId
        out.writeInt(c.originSubtask());
        out.writeInt(c.originAttempt());
        out.writeLong(c.createdAtMillis());
        out.writeBoolean(probe != null);
        if (probe != null) {
            writeString(out, next.next());
            out.writeInt(probe.params().size());
            for (int i = 0; i < probe.params().size(); i++) {
                writeString(out, next.next());
                writeString(out, next.next());
            }
        }
        out.writeInt(c.shard());
        out.writeBoolean(spilled);
        if (spilled) {
            writeString(out, next.next());
            out.writeInt(c.storedLength());
            out.writeLong(c.storedCrc());
        }
        if (out.length() != size || out.getSharedBuffer().length != size) {
            throw new IllegalStateException(
                    "committable serialized to " + out.length() + " bytes, " + size + " expected");
        }
        return out.getSharedBuffer();
    }

    /** Adds the UTF-8 form of {@code s} to {@code strings}; returns its serialized size (length + bytes). */
    private static int utf8(List<byte[]> strings, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        strings.add(bytes);
        return Integer.BYTES + bytes.length;
    }

    @Override
    public ClickHouseCommittable deserialize(int version, byte[] serialized) throws IOException {
        if (version < VERSION_1 || version > VERSION_4) {
            throw new IOException("unknown ClickHouseCommittable serializer version " + version
                    + " (this build reads " + VERSION_1 + " to " + VERSION_4
                    + "); was the state written by a newer job version?");
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        String token = readString(in);
        String database = readString(in);
        String table = readString(in);
        String partitionKey = readString(in);
        int columnCount = in.readInt();
        if (columnCount < 0 || columnCount > 100_000) {
            throw new IOException("corrupt committable: " + columnCount + " columns");
        }
        List<String> columns = new ArrayList<>(columnCount);
        for (int i = 0; i < columnCount; i++) {
            columns.add(readString(in));
        }
        int rowCount = in.readInt();
        int rawLength = in.readInt();
        PayloadCodec codec = PayloadCodec.fromId(in.readByte());
        int storedLength = in.readInt();
        if (storedLength < 0 || storedLength > in.available()) {
            throw new IOException(
                    "corrupt committable: payload of " + storedLength + " bytes, " + in.available() + " left");
        }
        byte[] stored = new byte[storedLength];
        in.readFully(stored);
        String originJobId = readString(in);
        int originSubtask = in.readInt();
        int originAttempt = in.readInt();
        long createdAt = in.readLong();
        PresenceProbe probe = null;
        if (version >= VERSION_2 && in.readBoolean()) {
            String predicate = readString(in);
            int count = in.readInt();
            if (count < 0 || count > MAX_PROBE_PARAMS) {
                throw new IOException("corrupt committable: " + count + " probe parameters");
            }
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                params.put(readString(in), readString(in));
            }
            try {
                probe = new PresenceProbe(predicate, params);
            } catch (IllegalArgumentException e) {
                throw new IOException("corrupt committable: " + e.getMessage(), e);
            }
        }
        int shard = -1;
        if (version >= VERSION_3) {
            shard = in.readInt();
            if (shard < -1 || shard > 10_000) {
                throw new IOException("corrupt committable: shard " + shard);
            }
        }
        String spillPath = null;
        int spilledLength = 0;
        long crc = 0;
        if (version >= VERSION_4 && in.readBoolean()) {
            if (storedLength != 0) {
                throw new IOException("corrupt committable: spilled, yet " + storedLength + " payload bytes inline");
            }
            spillPath = readString(in);
            spilledLength = in.readInt();
            crc = in.readLong();
            if (spilledLength < 0) {
                throw new IOException("corrupt committable: spilled payload of " + spilledLength + " bytes");
            }
        }
        if (in.available() != 0) {
            throw new IOException("corrupt committable: " + in.available() + " trailing bytes");
        }
        return new ClickHouseCommittable(
                token,
                database,
                table,
                partitionKey,
                columns,
                rowCount,
                rawLength,
                codec,
                spillPath == null ? stored : null,
                spillPath == null ? storedLength : spilledLength,
                spillPath,
                crc,
                originJobId,
                originSubtask,
                originAttempt,
                createdAt,
                probe,
                shard);
    }

    private static void writeString(DataOutputSerializer out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputDeserializer in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_STRING_BYTES || length > in.available()) {
            throw new IOException("corrupt committable: string of " + length + " bytes");
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
