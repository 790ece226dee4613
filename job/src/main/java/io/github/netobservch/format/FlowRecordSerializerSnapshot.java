package io.github.netobservch.format;

import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Versioned snapshot of {@link FlowRecordSerializer}: stores the column layout (name and kind of
 * every column, in write order).
 *
 * <p>Versions: 1 = initial format (presence bit set + per-kind values, strings as Flink's
 * StringValue); 2 = strings as LEB128 length + UTF-8 bytes; 3 = as 2, with the byte length of the
 * values before them. The snapshot content is the same; the version says how the state's records
 * were written, and state written by an older version is read by a serializer of that version and
 * migrated. Bump {@link #VERSION} whenever the per-kind encoding changes
 * and keep reading older versions.
 */
public final class FlowRecordSerializerSnapshot implements TypeSerializerSnapshot<FlowRecord> {

    public static final int VERSION = 3;

    private String[] names;
    private ValueKind[] kinds;
    /** The serializer's record form: the version the snapshot was read with, or the current one. */
    private int strings = FlowRecordSerializer.VALUES_BLOCK;

    /** For reflective instantiation on restore. */
    public FlowRecordSerializerSnapshot() {}

    FlowRecordSerializerSnapshot(String[] names, ValueKind[] kinds, int strings) {
        this.names = names;
        this.kinds = kinds;
        this.strings = strings;
    }

    @Override
    public int getCurrentVersion() {
        return VERSION;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
        out.writeInt(names.length);
        for (int i = 0; i < names.length; i++) {
            out.writeUTF(names[i]);
            out.writeUTF(kinds[i].name());
        }
    }

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader userCodeClassLoader) throws IOException {
        if (readVersion < 1 || readVersion > VERSION) {
            throw new IOException("unknown FlowRecordSerializerSnapshot version " + readVersion);
        }
        // (the versions are the serializer's forms: STRINGS_STRING_VALUE, STRINGS_UTF8, VALUES_BLOCK)
        strings = readVersion;
        int n = in.readInt();
        names = new String[n];
        kinds = new ValueKind[n];
        for (int i = 0; i < n; i++) {
            names[i] = in.readUTF();
            String kind = in.readUTF();
            try {
                kinds[i] = ValueKind.valueOf(kind);
            } catch (IllegalArgumentException e) {
                throw new IOException("unknown value kind " + kind + " for column " + names[i], e);
            }
        }
    }

    @Override
    public TypeSerializer<FlowRecord> restoreSerializer() {
        return new FlowRecordSerializer(names, kinds, strings);
    }

    /**
     * Called on the <em>new</em> serializer's snapshot with the old one: same layout and string
     * form → as is; old columns all either still present with the same kind or removed, or
     * records written by an older version → after migration; a column whose kind changed → incompatible.
     */
    @Override
    public TypeSerializerSchemaCompatibility<FlowRecord> resolveSchemaCompatibility(
            TypeSerializerSnapshot<FlowRecord> oldSnapshot) {
        if (!(oldSnapshot instanceof FlowRecordSerializerSnapshot)) {
            return TypeSerializerSchemaCompatibility.incompatible();
        }
        FlowRecordSerializerSnapshot old = (FlowRecordSerializerSnapshot) oldSnapshot;
        if (Arrays.equals(old.names, names) && Arrays.equals(old.kinds, kinds) && old.strings == strings) {
            return TypeSerializerSchemaCompatibility.compatibleAsIs();
        }
        for (int i = 0; i < old.names.length; i++) {
            for (int j = 0; j < names.length; j++) {
                if (names[j].equals(old.names[i]) && kinds[j] != old.kinds[i]) {
                    return TypeSerializerSchemaCompatibility.incompatible();
                }
            }
        }
        return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
    }
}
