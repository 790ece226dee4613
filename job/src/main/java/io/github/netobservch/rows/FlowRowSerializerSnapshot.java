package io.github.netobservch.rows;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Versioned snapshot of {@link FlowRowSerializer}: the column layout of the rows ({@link
 * FlowRowLayout}). Version 1: the form described on {@link FlowRowSerializer}. Bump {@link #VERSION}
 * whenever that form changes, and keep reading the older ones.
 */
public final class FlowRowSerializerSnapshot implements TypeSerializerSnapshot<FlowRow> {

    public static final int VERSION = 1;

    private FlowRowLayout layout;

    /** For reflective instantiation on restore. */
    public FlowRowSerializerSnapshot() {}

    FlowRowSerializerSnapshot(FlowRowLayout layout) {
        this.layout = layout;
    }

    @Override
    public int getCurrentVersion() {
        return VERSION;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
        layout.write(out);
    }

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader userCodeClassLoader) throws IOException {
        if (readVersion != VERSION) {
            throw new IOException("unknown FlowRowSerializerSnapshot version " + readVersion);
        }
        layout = FlowRowLayout.read(in);
    }

    @Override
    public TypeSerializer<FlowRow> restoreSerializer() {
        return new FlowRowSerializer(layout);
    }

    /**
     * Called on the <em>new</em> serializer's snapshot with the old one: the same layout → as is;
     * another layout → after migration (the restored serializer reads the old rows into today's
     * layout, columns mapped by name).
     */
    @Override
    public TypeSerializerSchemaCompatibility<FlowRow> resolveSchemaCompatibility(
            TypeSerializerSnapshot<FlowRow> oldSnapshot) {
        if (!(oldSnapshot instanceof FlowRowSerializerSnapshot old)) {
            return TypeSerializerSchemaCompatibility.incompatible();
        }
        return old.layout.equals(layout)
                ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                : TypeSerializerSchemaCompatibility.compatibleAfterMigration();
    }
}
