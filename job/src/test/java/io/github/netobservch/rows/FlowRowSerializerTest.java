package io.github.netobservch.rows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.netobservch.enrich.FlowEnricher;
import io.github.netobservch.format.Column;
import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowFixtures;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.format.FlowRecordSerializer;
import io.github.netobservch.format.ValueKind;
import java.io.IOException;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

class FlowRowSerializerTest {

    private static FlowRow row(String fixture) {
        return FlowRows.withDedupFacts(FlowEnricher.enrich(FlowFixtures.parse(fixture)));
    }

    private static byte[] bytes(TypeSerializer<FlowRow> s, FlowRow r) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        s.serialize(r, out);
        return out.getCopyOfBuffer();
    }

    @Test
    void aRowComesBackEqualWithItsFacts() throws IOException {
        FlowRowSerializer s = new FlowRowSerializer();
        for (String f : FlowFixtures.ALL) {
            FlowRow r = row(f);
            byte[] b = bytes(s, r);
            assertThat(b).hasSize(45 + r.row().length);
            FlowRow back = s.deserialize(new DataInputDeserializer(b));
            assertThat(back).isEqualTo(r);
            assertThat(back.flags()).isEqualTo(r.flags());
            assertThat(back.fingerprint()).isEqualTo(r.fingerprint());
            assertThat(back.agentHigh()).isEqualTo(r.agentHigh());
            assertThat(back.agentLow()).isEqualTo(r.agentLow());
        }
    }

    @Test
    void aCorruptLengthOrFlagsIsAnIoError() throws IOException {
        byte[] b = bytes(new FlowRowSerializer(), row("example1"));
        byte[] longRow = b.clone();
        longRow[41] = 0x7F; // the row length's high byte
        assertThatThrownBy(() -> new FlowRowSerializer().deserialize(new DataInputDeserializer(longRow)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("length");
        byte[] flags = b.clone();
        flags[16] = (byte) 0x80;
        assertThatThrownBy(() -> new FlowRowSerializer().deserialize(new DataInputDeserializer(flags)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("flags");
    }

    @Test
    void theSnapshotKeepsTheLayoutAndSaysWhenToMigrate() throws Exception {
        FlowRowSerializer s = new FlowRowSerializer();
        TypeSerializerSnapshot<FlowRow> snapshot = s.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(4096);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
        TypeSerializerSnapshot<FlowRow> read = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(read.restoreSerializer()).isEqualTo(s);
        assertThat(s.snapshotConfiguration().resolveSchemaCompatibility(read).isCompatibleAsIs())
                .isTrue();

        FlowRowSerializer earlier = new FlowRowSerializer(withoutColumn(ColumnRegistry.SRC_K8S_OWNER_NAME));
        assertThat(s.snapshotConfiguration()
                        .resolveSchemaCompatibility(earlier.snapshotConfiguration())
                        .isCompatibleAfterMigration())
                .isTrue();
        // (a record serializer's snapshot is not a row serializer's)
        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeSerializerSchemaCompatibility<FlowRow> other = s.snapshotConfiguration()
                .resolveSchemaCompatibility(
                        (TypeSerializerSnapshot) new FlowRecordSerializer().snapshotConfiguration());
        assertThat(other.isIncompatible()).isTrue();
        // serializable (it travels in the job graph)
        assertThat(InstantiationUtil.clone(s)).isEqualTo(s);
    }

    @Test
    void theTypeInfoGivesTheRowSerializerAndSurvivesTheJobGraph() throws Exception {
        FlowRowTypeInfo info = FlowRowTypeInfo.INSTANCE;
        assertThat(info.createSerializer((org.apache.flink.api.common.serialization.SerializerConfig) null))
                .isEqualTo(new FlowRowSerializer());
        assertThat(info.getTypeClass()).isEqualTo(FlowRow.class);
        assertThat(info).hasToString("FlowRow");
        assertThat(InstantiationUtil.clone(info)).isEqualTo(info).hasSameHashCodeAs(info);
        assertThat(info.equals(io.github.netobservch.format.FlowRecordTypeInfo.INSTANCE))
                .isFalse();
        assertThat(info.canEqual(io.github.netobservch.format.FlowRecordTypeInfo.INSTANCE))
                .isFalse();
    }

    /**
     * A serializer restored for rows written before a column existed reads them into today's layout:
     * the column is absent (its default), everything else is as written.
     */
    @Test
    void rowsOfAnEarlierLayoutAreReadIntoTodays() throws IOException {
        Column added = ColumnRegistry.SRC_K8S_OWNER_NAME;
        FlowRecord r = FlowEnricher.enrich(FlowFixtures.parse("example1"));
        assertThat(r.getString(added)).isNotEmpty();
        FlowRowLayout earlierLayout = withoutColumn(added);
        // the row as the earlier version wrote it: today's row less that column's bytes
        FlowRecord withoutIt = r.copy();
        withoutIt.clear(added);
        FlowRow today = FlowRows.withDedupFacts(r);
        byte[] earlierRow = cut(FlowRows.encode(withoutIt), added);
        FlowRow written = new FlowRow(
                today.key(),
                today.timeFlowEndMs(),
                today.flags(),
                today.agentHigh(),
                today.agentLow(),
                today.fingerprint(),
                earlierRow);
        FlowRowSerializer restored = new FlowRowSerializer(earlierLayout);
        FlowRow back = restored.deserialize(new DataInputDeserializer(bytes(restored, written)));
        assertThat(back.row()).isEqualTo(FlowRows.encode(withoutIt));
        assertThat(back.key()).isEqualTo(today.key());
        assertThat(back.fingerprint()).isEqualTo(today.fingerprint());
        // negative control: read as today's layout, the earlier row is refused
        assertThatThrownBy(() -> FlowRowLayout.of().decode(earlierRow)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Today's layout without {@code c} (a String column). */
    static FlowRowLayout withoutColumn(Column c) {
        List<Column> columns = ColumnRegistry.columns();
        String[] names = new String[columns.size() - 1];
        ValueKind[] kinds = new ValueKind[names.length];
        boolean[] nullable = new boolean[names.length];
        for (int i = 0, j = 0; i < columns.size(); i++) {
            if (columns.get(i) != c) {
                names[j] = columns.get(i).name();
                kinds[j] = columns.get(i).kind();
                nullable[j++] = columns.get(i).nullable();
            }
        }
        return new FlowRowLayout(names, kinds, nullable);
    }

    /** A row whose String column {@code c} is empty, without that column's one byte. */
    private static byte[] cut(byte[] row, Column c) {
        List<Column> columns = ColumnRegistry.columns();
        int index = columns.indexOf(c);
        assertThat(c.kind()).isIn(ValueKind.STRING, ValueKind.LOW_CARDINALITY_STRING);
        assertThat(c.nullable()).isFalse();
        // the offset of column c: the shortest prefix the first `index` columns decode from
        String[] names = new String[index];
        ValueKind[] kinds = new ValueKind[index];
        boolean[] nullable = new boolean[index];
        for (int i = 0; i < index; i++) {
            names[i] = columns.get(i).name();
            kinds[i] = columns.get(i).kind();
            nullable[i] = columns.get(i).nullable();
        }
        FlowRowLayout prefix = new FlowRowLayout(names, kinds, nullable);
        for (int at = 0; at < row.length; at++) {
            try {
                prefix.decode(java.util.Arrays.copyOf(row, at));
            } catch (IllegalArgumentException e) {
                continue;
            }
            assertThat(row[at]).isZero(); // the empty string's length
            byte[] out = new byte[row.length - 1];
            System.arraycopy(row, 0, out, 0, at);
            System.arraycopy(row, at + 1, out, at, row.length - at - 1);
            return out;
        }
        throw new AssertionError("column " + c.name() + " not found");
    }
}
