package io.github.netobservch.rows;

import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.sink.RowBinaryWriter;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializer of {@link FlowRow} (the {@code keyBy} shuffle, and dedup's held records in state).
 *
 * <p>Form (snapshot version {@link FlowRowSerializerSnapshot#VERSION}): key, {@code TimeFlowEndMs}
 * (8 bytes each), the flags (1 byte), the reporter's address (16 bytes), the fingerprint (8 bytes),
 * the row's length (4 bytes) and the row. 45 bytes before the row, which is read in one copy; a row
 * built in the parser's task is encoded on its way out, into a buffer of the serializer's that is
 * copied to the output once.
 *
 * <p>The rows are in the column layout of {@link FlowRowLayout}, kept in the snapshot. A serializer
 * restored for an earlier layout reads each row, decodes it by column name and encodes it again in
 * today's layout ({@link FlowRowSerializerSnapshot#resolveSchemaCompatibility} asks Flink for that
 * migration): what it returns, and all it writes, is in today's layout.
 */
public final class FlowRowSerializer extends TypeSerializer<FlowRow> {

    private static final long serialVersionUID = 1L;

    /** Far above any flows row (the job refuses messages above 64 MiB): a larger length is corruption. */
    static final int MAX_ROW_BYTES = 1 << 28;

    private final FlowRowLayout layout;
    /**
     * Whether {@link #layout} is today's (1) or not (2), decided once per instance (0: not yet; not
     * carried by Java serialization, so that a serializer sent to a newer version decides again):
     * comparing the layouts' column names for each row read was a tenth of the dedup thread's CPU.
     */
    private transient int current;
    /** Where a row not encoded yet is encoded on its way out (per instance: see {@link #duplicate}). */
    private transient RowBinaryWriter scratch;

    public FlowRowSerializer() {
        this(FlowRowLayout.of());
    }

    FlowRowSerializer(FlowRowLayout layout) {
        this.layout = layout;
    }

    FlowRowLayout layout() {
        return layout;
    }

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public TypeSerializer<FlowRow> duplicate() {
        return new FlowRowSerializer(layout); // its own scratch buffer
    }

    @Override
    public FlowRow createInstance() {
        return new FlowRow(0, 0, 0, 0, 0, 0, (byte[]) null);
    }

    @Override
    public FlowRow copy(FlowRow from) {
        return from;
    }

    @Override
    public FlowRow copy(FlowRow from, FlowRow reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(FlowRow r, DataOutputView out) throws IOException {
        out.writeLong(r.key());
        out.writeLong(r.timeFlowEndMs());
        out.writeByte(r.flags());
        out.writeLong(r.agentHigh());
        out.writeLong(r.agentLow());
        out.writeLong(r.fingerprint());
        FlowRecord record = r.unencoded();
        if (record == null) {
            byte[] row = r.row();
            out.writeInt(row.length);
            out.write(row);
            return;
        }
        // built in the parser's task: encoded here, straight to the output, never as an array of its own
        RowBinaryWriter b = scratch;
        if (b == null) {
            b = new RowBinaryWriter(4096);
            scratch = b;
        }
        b.reset();
        FlowRows.encode(record, b);
        out.writeInt(b.size());
        b.writeTo(out);
        if (b.size() > KEPT_SCRATCH_MAX) {
            scratch = null; // (a record with a large raw JSON: do not keep its buffer)
        }
    }

    /** A scratch buffer that grew past this is not kept. */
    private static final int KEPT_SCRATCH_MAX = 64 << 10;

    @Override
    public FlowRow deserialize(DataInputView in) throws IOException {
        long key = in.readLong();
        long time = in.readLong();
        int flags = in.readUnsignedByte();
        long agentHigh = in.readLong();
        long agentLow = in.readLong();
        long fingerprint = in.readLong();
        int length = in.readInt();
        if (length < 0 || length > MAX_ROW_BYTES) {
            throw new IOException("corrupt flows row: length " + length);
        }
        if ((flags & ~FlowRow.ALL_FLAGS) != 0) {
            throw new IOException("corrupt flows row: flags " + Integer.toBinaryString(flags));
        }
        byte[] row = new byte[length];
        in.readFully(row);
        if (length > 0 && !isCurrent()) {
            row = migrate(row);
        }
        return new FlowRow(key, time, flags, agentHigh, agentLow, fingerprint, row);
    }

    private boolean isCurrent() {
        int c = current;
        if (c == 0) {
            c = layout.isCurrent() ? 1 : 2;
            current = c;
        }
        return c == 1;
    }

    /** A row of this (earlier) layout in today's layout. */
    private byte[] migrate(byte[] row) throws IOException {
        try {
            return FlowRows.encode(layout.decode(row));
        } catch (IllegalArgumentException e) {
            throw new IOException("cannot read a flows row of " + layout, e);
        }
    }

    @Override
    public FlowRow deserialize(FlowRow reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof FlowRowSerializer s && s.layout.equals(layout);
    }

    @Override
    public int hashCode() {
        return layout.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<FlowRow> snapshotConfiguration() {
        return new FlowRowSerializerSnapshot(layout);
    }
}
