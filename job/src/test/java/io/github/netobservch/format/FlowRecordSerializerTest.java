package io.github.netobservch.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.netobservch.enrich.FlowEnricher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FlowRecordSerializerTest {

    private final FlowRecordSerializer serializer = new FlowRecordSerializer();

    static List<String> fixtures() {
        return FlowFixtures.ALL;
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void roundTripsEveryFixtureParsedAndEnriched(String name) throws IOException {
        FlowRecord r = FlowEnricher.enrich(FlowFixtures.parse(name));
        FlowRecord back = roundTrip(serializer, serializer, r);
        assertThat(back).isEqualTo(r);
        assertThat(back.toString()).isEqualTo(r.toString());
        assertThat(back.rawText()).isEqualTo(FlowFixtures.text(name));
    }

    @Test
    void roundTripsExtremeValuesOfEveryKind() throws IOException {
        FlowRecord r = new FlowRecord();
        r.setLong(ColumnRegistry.BYTES, -1L); // 2^64-1 as unsigned
        r.setLong(ColumnRegistry.PACKETS, 0xFFFF_FFFFL);
        r.setLong(ColumnRegistry.SRC_PORT, 65535);
        r.setLong(ColumnRegistry.PROTO, 255);
        r.setLong(ColumnRegistry.IPSEC_RET_CODE, -22);
        r.setLong(ColumnRegistry.KAFKA_OFFSET, Long.MAX_VALUE);
        r.setBool(ColumnRegistry.DUPLICATE, true);
        r.setDouble(ColumnRegistry.BYTES_PER_SECOND, 1234.5678);
        long[] ip = new long[2];
        IpAddresses.parse("fd01:0:0:1::2a", ip);
        r.setIp(ColumnRegistry.SRC_ADDR, ip[0], ip[1]);
        IpAddresses.parse("10.0.0.1", ip);
        r.setIp(ColumnRegistry.DST_ADDR, ip[0], ip[1]);
        r.setString(ColumnRegistry.DNS_NAME, "ünïcødé.example ✓");
        r.setStrings(ColumnRegistry.INTERFACES, new String[] {"eth0", ""});
        r.setStrings(ColumnRegistry.FLAGS, new String[0]);
        r.setBytes(ColumnRegistry.IF_DIRECTIONS, new byte[] {0, 1, 3, (byte) 255});
        r.setEvents(
                ColumnRegistry.NETWORK_EVENTS_COL,
                new String[][] {{"Action", "drop", "Type", "NetworkPolicy"}, {"Message", "x"}});
        FlowRecord back = roundTrip(serializer, serializer, r);
        assertThat(back).isEqualTo(r);
        assertThat(back.getLong(ColumnRegistry.BYTES)).isEqualTo(-1L);
        assertThat(back.value(ColumnRegistry.BYTES)).isEqualTo("18446744073709551615");
        assertThat(back.getLong(ColumnRegistry.PACKETS)).isEqualTo(0xFFFF_FFFFL);
        assertThat(back.getLong(ColumnRegistry.IPSEC_RET_CODE)).isEqualTo(-22);
        assertThat(back.ipText(ColumnRegistry.SRC_ADDR)).isEqualTo("fd01:0:0:1::2a");
        assertThat(back.ipText(ColumnRegistry.DST_ADDR)).isEqualTo("10.0.0.1");
        assertThat(back.has(ColumnRegistry.FLAGS)).isTrue();
        assertThat(back.has(ColumnRegistry.SRC_MAC)).isFalse();
        assertThat(back.presentCount()).isEqualTo(r.presentCount()).isEqualTo(15);
    }

    @Test
    void copyIsIndependentOfTheOriginal() {
        FlowRecord r = FlowFixtures.parse("example1");
        FlowRecord c = serializer.copy(r);
        assertThat(c).isEqualTo(r).isNotSameAs(r);
        c.setLong(ColumnRegistry.BYTES, 1);
        c.clear(ColumnRegistry.DST_PORT);
        assertThat(r.getLong(ColumnRegistry.BYTES)).isEqualTo(45871);
        assertThat(r.getLong(ColumnRegistry.DST_PORT)).isEqualTo(8080);
    }

    @Test
    void snapshotIsVersionedAndRestoresAnEqualSerializer() throws IOException {
        TypeSerializerSnapshot<FlowRecord> snap = serializer.snapshotConfiguration();
        assertThat(snap.getCurrentVersion())
                .isEqualTo(FlowRecordSerializerSnapshot.VERSION)
                .isEqualTo(2);
        DataOutputSerializer out = new DataOutputSerializer(4096);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snap);
        TypeSerializerSnapshot<FlowRecord> read = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(read).isInstanceOf(FlowRecordSerializerSnapshot.class);
        assertThat(read.restoreSerializer()).isEqualTo(serializer);
        assertThat(serializer
                        .snapshotConfiguration()
                        .resolveSchemaCompatibility(read)
                        .isCompatibleAsIs())
                .isTrue();
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void stateWrittenByVersion1IsReadAndMigrated(String name) throws IOException {
        // what a job of the previous version checkpointed: its snapshot (version 1) and its records
        FlowRecordSerializer v1 = new FlowRecordSerializer(
                FlowRecordSerializer.currentNames(),
                FlowRecordSerializer.currentKinds(),
                FlowRecordSerializer.STRINGS_STRING_VALUE);
        FlowRecord r = FlowEnricher.enrich(FlowFixtures.parse(name));
        DataOutputSerializer state = new DataOutputSerializer(2048);
        v1.serialize(r, state);
        DataOutputSerializer snapshot = new DataOutputSerializer(4096);
        snapshot.writeUTF(
                FlowRecordSerializerSnapshot.class.getName()); // TypeSerializerSnapshot.writeVersionedSnapshot's layout
        snapshot.writeInt(1);
        new FlowRecordSerializerSnapshot(
                        FlowRecordSerializer.currentNames(),
                        FlowRecordSerializer.currentKinds(),
                        FlowRecordSerializer.STRINGS_STRING_VALUE)
                .writeSnapshot(snapshot);

        TypeSerializerSnapshot<FlowRecord> restored = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(snapshot.getCopyOfBuffer()),
                getClass().getClassLoader());
        assertThat(serializer
                        .snapshotConfiguration()
                        .resolveSchemaCompatibility(restored)
                        .isCompatibleAfterMigration())
                .as("version-1 state is migrated, not read as version 2")
                .isTrue();
        FlowRecordSerializer reader = (FlowRecordSerializer) restored.restoreSerializer();
        assertThat(reader).isEqualTo(v1).isNotEqualTo(serializer);
        DataInputDeserializer in = new DataInputDeserializer(state.getCopyOfBuffer());
        FlowRecord back = reader.deserialize(in);
        assertThat(in.available()).isZero();
        assertThat(back).isEqualTo(r);
        assertThat(roundTrip(serializer, serializer, back)).isEqualTo(r);
        // negative control: the current serializer cannot read version-1 bytes as its own
        boolean misread;
        try {
            DataInputDeserializer again = new DataInputDeserializer(state.getCopyOfBuffer());
            misread = !serializer.deserialize(again).equals(r) || again.available() != 0;
        } catch (IOException | RuntimeException e) {
            misread = true;
        }
        assertThat(misread).isTrue();
    }

    @Test
    void nonAsciiAndLongStringsRoundTrip() throws IOException {
        FlowRecord r = FlowEnricher.enrich(FlowFixtures.parse("example1"));
        r.setString(ColumnRegistry.DNS_NAME, "ümlaut-☃-" + "x".repeat(300) + "-\uD83D\uDE00");
        r.setString(ColumnRegistry.SRC_K8S_NAME, "");
        FlowRecord back = roundTrip(serializer, serializer, r);
        assertThat(back).isEqualTo(r);
        assertThat(back.getString(ColumnRegistry.DNS_NAME)).isEqualTo(r.getString(ColumnRegistry.DNS_NAME));
    }

    /**
     * After the shuffle a record keeps its strings as the UTF-8 bytes it was sent with: the dedup
     * fingerprint (computed from them without decoding), a second serialization (held records go to
     * state) and the values read as strings all equal the original's. Negative control: one changed
     * character changes the fingerprint.
     */
    @ParameterizedTest
    @MethodSource("fixtures")
    void stringsCrossTheShuffleUndecodedAndAgreeWithTheDecodedRecord(String name) throws IOException {
        FlowRecord r = FlowEnricher.enrich(FlowFixtures.parse(name));
        r.setString(ColumnRegistry.DNS_NAME, "ümlaut-☃-\uD83D\uDE00.example");
        r.setStrings(ColumnRegistry.INTERFACES, new String[] {"eth0", "", "vëth-☃"});
        long[] all = FlowRecord.columnMask(c -> true);
        FlowRecord back = roundTrip(serializer, serializer, r);
        int undecoded = 0;
        int arrays = 0;
        for (Column c : ColumnRegistry.columns()) {
            if (c.kind().isString() && r.has(c)) {
                assertThat(back.stringUtf8(c))
                        .as(c.name())
                        .isEqualTo(r.getString(c).getBytes(StandardCharsets.UTF_8));
                undecoded++;
            }
            if (c.kind().isStringArray() && r.has(c)) {
                String[] strings = r.getStrings(c);
                byte[][] utf8 = back.stringsUtf8(c);
                assertThat(utf8.length).as(c.name()).isEqualTo(strings.length);
                for (int i = 0; i < strings.length; i++) {
                    assertThat(utf8[i]).as(c.name()).isEqualTo(strings[i].getBytes(StandardCharsets.UTF_8));
                }
                arrays++;
            }
        }
        assertThat(undecoded).isGreaterThan(5);
        assertThat(arrays).isPositive();
        assertThat(back.contentHash(all)).isEqualTo(r.contentHash(all));

        DataOutputSerializer original = new DataOutputSerializer(2048);
        serializer.serialize(r, original);
        DataOutputSerializer again = new DataOutputSerializer(2048);
        serializer.serialize(back, again);
        assertThat(again.getCopyOfBuffer()).isEqualTo(original.getCopyOfBuffer());

        for (Column c : ColumnRegistry.columns()) {
            if (c.kind().isString()) {
                assertThat(back.getString(c)).as(c.name()).isEqualTo(r.getString(c));
            }
            if (c.kind().isStringArray()) {
                assertThat(back.getStrings(c)).as(c.name()).isEqualTo(r.getStrings(c));
            }
        }
        assertThat(back).isEqualTo(r);

        FlowRecord changed = roundTrip(serializer, serializer, r.copy());
        changed.setString(ColumnRegistry.DNS_NAME, "umlaut-☃-\uD83D\uDE00.example");
        assertThat(changed.contentHash(all)).isNotEqualTo(r.contentHash(all));
        assertThat(changed).isNotEqualTo(r);
        FlowRecord other = r.copy();
        other.setStrings(ColumnRegistry.INTERFACES, new String[] {"eth0", "", "veth-☃"});
        assertThat(roundTrip(serializer, serializer, other).contentHash(all))
                .isNotEqualTo(back.contentHash(all))
                .isEqualTo(other.contentHash(all));
    }

    @Test
    void theLargestRawJsonTheParserAcceptsCrossesTheShuffle() throws IOException {
        FlowRecord r = FlowEnricher.enrich(FlowFixtures.parse("example1"));
        byte[] raw = new byte[FlowRecordSerializer.MAX_BYTES_FIELD];
        java.util.Arrays.fill(raw, (byte) ' ');
        r.setBytes(ColumnRegistry.RAW, raw);
        assertThat(roundTrip(serializer, serializer, r).getBytes(ColumnRegistry.RAW))
                .hasSize(raw.length);
        assertThat(io.github.netobservch.parse.ParserConfig.builder()
                        .maxMessageBytes(FlowRecordSerializer.MAX_BYTES_FIELD)
                        .build()
                        .maxMessageBytes())
                .isEqualTo(FlowRecordSerializer.MAX_BYTES_FIELD);
        assertThatThrownBy(() -> io.github.netobservch.parse.ParserConfig.builder()
                        .maxMessageBytes(FlowRecordSerializer.MAX_BYTES_FIELD + 1)
                        .build())
                .hasMessageContaining("at most");
    }

    @Test
    void unknownSnapshotVersionIsRefused() {
        FlowRecordSerializerSnapshot snap = new FlowRecordSerializerSnapshot();
        assertThatThrownBy(() -> snap.readSnapshot(
                        3, new DataInputDeserializer(new byte[8]), getClass().getClassLoader()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 3");
    }

    @Test
    void olderLayoutMigratesByColumnName() throws IOException {
        // "old" layout: without dns_name, plus a column that no longer exists
        List<String> names = new ArrayList<>(Arrays.asList(FlowRecordSerializer.currentNames()));
        List<ValueKind> kinds = new ArrayList<>(Arrays.asList(FlowRecordSerializer.currentKinds()));
        int dns = names.indexOf("dns_name");
        names.remove(dns);
        kinds.remove(dns);
        names.add(3, "gone_column");
        kinds.add(3, ValueKind.STRING);
        FlowRecordSerializer old =
                new FlowRecordSerializer(names.toArray(new String[0]), kinds.toArray(new ValueKind[0]));

        TypeSerializerSchemaCompatibility<FlowRecord> compat =
                serializer.snapshotConfiguration().resolveSchemaCompatibility(old.snapshotConfiguration());
        assertThat(compat.isCompatibleAfterMigration()).isTrue();

        FlowRecord r = FlowEnricher.enrich(FlowFixtures.parse("example5"));
        FlowRecord back = roundTrip(
                old, (FlowRecordSerializer) old.snapshotConfiguration().restoreSerializer(), r);
        FlowRecord expected = r.copy();
        expected.clear(ColumnRegistry.DNS_NAME);
        assertThat(back).isEqualTo(expected);
        assertThat(back.getLong(ColumnRegistry.DNS_ID)).isEqualTo(40317);
    }

    @Test
    void changedKindIsIncompatible() {
        ValueKind[] kinds = FlowRecordSerializer.currentKinds();
        kinds[ColumnRegistry.BYTES.index()] = ValueKind.UINT32;
        FlowRecordSerializer old = new FlowRecordSerializer(FlowRecordSerializer.currentNames(), kinds);
        assertThat(serializer
                        .snapshotConfiguration()
                        .resolveSchemaCompatibility(old.snapshotConfiguration())
                        .isIncompatible())
                .isTrue();
    }

    @Test
    void typeInformationNeverFallsBackToKryo() {
        TypeInformation<FlowRecord> info = TypeInformation.of(FlowRecord.class);
        assertThat(info).isInstanceOf(FlowRecordTypeInfo.class);
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        TypeSerializer<FlowRecord> s = info.createSerializer(new SerializerConfigImpl(conf));
        assertThat(s).isInstanceOf(FlowRecordSerializer.class);
        assertThat(new ExecutionConfig().getSerializerConfig()).isNotNull();
    }

    static FlowRecord roundTrip(FlowRecordSerializer writer, FlowRecordSerializer reader, FlowRecord r)
            throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(2048);
        writer.serialize(r, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        FlowRecord back = reader.deserialize(in);
        assertThat(in.available()).isZero();
        // copy(DataInputView, DataOutputView) must reproduce the same bytes
        if (writer == reader) {
            DataOutputSerializer copied = new DataOutputSerializer(2048);
            writer.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
            assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
        }
        return back;
    }
}
