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
                .isEqualTo(3);
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

    static List<org.junit.jupiter.params.provider.Arguments> olderVersions() {
        List<org.junit.jupiter.params.provider.Arguments> a = new ArrayList<>();
        for (int version : new int[] {FlowRecordSerializer.STRINGS_STRING_VALUE, FlowRecordSerializer.STRINGS_UTF8}) {
            for (String name : FlowFixtures.ALL) {
                a.add(org.junit.jupiter.params.provider.Arguments.of(version, name));
            }
        }
        return a;
    }

    @ParameterizedTest(name = "version {0}: {1}")
    @MethodSource("olderVersions")
    void stateWrittenByAnOlderVersionIsReadAndMigrated(int version, String name) throws IOException {
        // what a job of an older version checkpointed: its snapshot and its records
        FlowRecordSerializer old = new FlowRecordSerializer(
                FlowRecordSerializer.currentNames(), FlowRecordSerializer.currentKinds(), version);
        FlowRecord r = FlowEnricher.enrich(FlowFixtures.parse(name));
        DataOutputSerializer state = new DataOutputSerializer(2048);
        old.serialize(r, state);
        DataOutputSerializer snapshot = new DataOutputSerializer(4096);
        snapshot.writeUTF(
                FlowRecordSerializerSnapshot.class.getName()); // TypeSerializerSnapshot.writeVersionedSnapshot's layout
        snapshot.writeInt(version);
        new FlowRecordSerializerSnapshot(
                        FlowRecordSerializer.currentNames(), FlowRecordSerializer.currentKinds(), version)
                .writeSnapshot(snapshot);

        TypeSerializerSnapshot<FlowRecord> restored = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(snapshot.getCopyOfBuffer()),
                getClass().getClassLoader());
        assertThat(serializer
                        .snapshotConfiguration()
                        .resolveSchemaCompatibility(restored)
                        .isCompatibleAfterMigration())
                .as("version-%d state is migrated, not read as the current version", version)
                .isTrue();
        FlowRecordSerializer reader = (FlowRecordSerializer) restored.restoreSerializer();
        assertThat(reader).isEqualTo(old).isNotEqualTo(serializer);
        DataInputDeserializer in = new DataInputDeserializer(state.getCopyOfBuffer());
        FlowRecord back = reader.deserialize(in);
        assertThat(in.available()).isZero();
        assertThat(back).isEqualTo(r);
        assertThat(roundTrip(serializer, serializer, back)).isEqualTo(r);
        // negative control: the current serializer cannot read older bytes as its own
        boolean misread;
        try {
            DataInputDeserializer again = new DataInputDeserializer(state.getCopyOfBuffer());
            misread = !serializer.deserialize(again).equals(r) || again.available() != 0;
        } catch (IOException | RuntimeException e) {
            misread = true;
        }
        assertThat(misread).isTrue();
    }

    /**
     * The values' length (version 3) is checked: a record whose values end before or after it is
     * refused instead of being read with its neighbour's bytes.
     */
    @Test
    void aValueBlockWhoseLengthDisagreesIsRefused() throws IOException {
        FlowRecord r = FlowEnricher.enrich(FlowFixtures.parse("example1"));
        DataOutputSerializer out = new DataOutputSerializer(2048);
        serializer.serialize(r, out);
        byte[] ok = out.getCopyOfBuffer();
        int at = ok.length - 4 - blockLength(ok);
        assertThat(at).isEqualTo(Long.BYTES * ((ColumnRegistry.slots().size() + 63) / 64));
        for (int delta : new int[] {-1, +1}) {
            byte[] bad = ok.clone();
            int n = blockLength(ok) + delta;
            bad[at] = (byte) (n >>> 24);
            bad[at + 1] = (byte) (n >>> 16);
            bad[at + 2] = (byte) (n >>> 8);
            bad[at + 3] = (byte) n;
            byte[] padded = Arrays.copyOf(bad, bad.length + 8);
            assertThatThrownBy(() -> serializer.deserialize(new DataInputDeserializer(padded)))
                    .as("length %+d", delta)
                    .isInstanceOf(IOException.class);
        }
        assertThat(serializer.deserialize(new DataInputDeserializer(ok))).isEqualTo(r);
    }

    /** The length of the value block of a serialized record (the int after the presence words). */
    private static int blockLength(byte[] serialized) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        in.skipBytesToRead(Long.BYTES * ((ColumnRegistry.slots().size() + 63) / 64));
        return in.readInt();
    }

    /**
     * The path records take across the {@code keyBy} shuffle: framed by Flink's record writer, cut
     * into small off-heap network buffers (so records span buffers, the value block too) and read
     * back by Flink's network deserializer. Every record comes back equal and in order.
     */
    @Test
    void recordsCrossFlinksNetworkBuffersWhole() throws Exception {
        List<FlowRecord> records = new ArrayList<>();
        for (String name : FlowFixtures.ALL) {
            records.add(FlowEnricher.enrich(FlowFixtures.parse(name)));
        }
        java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
        DataOutputSerializer framing = new DataOutputSerializer(2048);
        org.apache.flink.runtime.plugable.SerializationDelegate<FlowRecord> writing =
                new org.apache.flink.runtime.plugable.SerializationDelegate<>(serializer);
        for (FlowRecord r : records) {
            writing.setInstance(r);
            java.nio.ByteBuffer framed =
                    org.apache.flink.runtime.io.network.api.writer.RecordWriter.serializeRecord(framing, writing);
            wire.write(framed.array(), framed.position(), framed.remaining());
        }
        byte[] bytes = wire.toByteArray();
        for (int bufferSize : new int[] {97, 4096, bytes.length}) {
            org.apache.flink.runtime.io.network.api.serialization.SpillingAdaptiveSpanningRecordDeserializer<
                            org.apache.flink.runtime.plugable.DeserializationDelegate<FlowRecord>>
                    network =
                            new org.apache.flink.runtime.io.network.api.serialization
                                    .SpillingAdaptiveSpanningRecordDeserializer<>(
                                    new String[] {System.getProperty("java.io.tmpdir")});
            org.apache.flink.runtime.plugable.NonReusingDeserializationDelegate<FlowRecord> reading =
                    new org.apache.flink.runtime.plugable.NonReusingDeserializationDelegate<>(serializer.duplicate());
            List<FlowRecord> back = new ArrayList<>();
            for (int at = 0; at < bytes.length; at += bufferSize) {
                int n = Math.min(bufferSize, bytes.length - at);
                org.apache.flink.core.memory.MemorySegment segment =
                        org.apache.flink.core.memory.MemorySegmentFactory.allocateUnpooledOffHeapMemory(n);
                segment.put(0, bytes, at, n);
                org.apache.flink.runtime.io.network.buffer.NetworkBuffer buffer =
                        new org.apache.flink.runtime.io.network.buffer.NetworkBuffer(
                                segment, org.apache.flink.runtime.io.network.buffer.FreeingBufferRecycler.INSTANCE);
                buffer.setSize(n);
                network.setNextBuffer(buffer);
                while (true) {
                    var result = network.getNextRecord(reading);
                    if (result.isFullRecord()) {
                        back.add(reading.getInstance());
                    }
                    if (result.isBufferConsumed()) {
                        break;
                    }
                }
            }
            assertThat(back).as("buffers of %d bytes", bufferSize).isEqualTo(records);
            network.clear();
        }
    }

    /**
     * Outputs other than Flink's {@link DataOutputSerializer} (RocksDB's and the checkpoint streams'
     * views) get the same bytes, written through the serializer's own buffer.
     */
    @ParameterizedTest
    @MethodSource("fixtures")
    void anyOutputViewGetsTheSameBytes(String name) throws IOException {
        FlowRecord r = FlowEnricher.enrich(FlowFixtures.parse(name));
        DataOutputSerializer direct = new DataOutputSerializer(64);
        serializer.serialize(r, direct);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        org.apache.flink.core.memory.DataOutputViewStreamWrapper stream =
                new org.apache.flink.core.memory.DataOutputViewStreamWrapper(bytes);
        serializer.serialize(r, stream);
        serializer.serialize(r, stream);
        byte[] one = direct.getCopyOfBuffer();
        assertThat(bytes.toByteArray()).hasSize(2 * one.length);
        assertThat(Arrays.copyOfRange(bytes.toByteArray(), one.length, 2 * one.length))
                .isEqualTo(one);
        assertThat(Arrays.copyOf(bytes.toByteArray(), one.length)).isEqualTo(one);
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

    /**
     * The parser and the enricher store shared values ({@link Utf8Text}: the string cache's entries,
     * the enricher's constants); a record holding them is equal to, hashes like,
     * serializes to and encodes as the same record holding plain strings. Negative control: a value
     * whose UTF-8 form does not match its text changes the bytes (so the bytes are the ones written).
     */
    @ParameterizedTest
    @MethodSource("fixtures")
    void sharedTextValuesAreWrittenLikeTheirStrings(String name) throws IOException {
        FlowRecord shared = FlowEnricher.enrich(FlowFixtures.parse(name));
        FlowRecord plain = shared.copy();
        int sharedValues = 0;
        for (Column c : ColumnRegistry.columns()) {
            if (c.kind().isString() && shared.has(c)) {
                if (shared.stringUtf8(c) != null) {
                    sharedValues++;
                }
                plain.setString(c, new String(shared.getString(c)));
                assertThat(plain.stringUtf8(c)).isNull();
            }
        }
        assertThat(sharedValues)
                .as("string values the parser and enricher shared")
                .isGreaterThan(5);
        long[] all = FlowRecord.columnMask(c -> true);
        assertThat(shared).isEqualTo(plain);
        assertThat(plain).isEqualTo(shared);
        assertThat(shared.contentHash(all)).isEqualTo(plain.contentHash(all));
        assertThat(serialized(shared)).isEqualTo(serialized(plain));
        assertThat(row(shared)).isEqualTo(row(plain));

        FlowRecord wrong = shared.copy();
        wrong.setString(ColumnRegistry.SRC_K8S_NAMESPACE, Utf8Text.of("a", "b".getBytes(StandardCharsets.UTF_8)));
        FlowRecord right = shared.copy();
        right.setString(ColumnRegistry.SRC_K8S_NAMESPACE, "a");
        assertThat(serialized(wrong)).isNotEqualTo(serialized(right));
        assertThat(row(wrong)).isNotEqualTo(row(right));
    }

    private byte[] serialized(FlowRecord r) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(2048);
        serializer.serialize(r, out);
        return out.getCopyOfBuffer();
    }

    private static byte[] row(FlowRecord r) {
        io.github.netobservch.sink.RowBinaryWriter out = new io.github.netobservch.sink.RowBinaryWriter(2048);
        new io.github.netobservch.rows.FlowRowEncoder().encode(r, out);
        return out.toByteArray();
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
                        4, new DataInputDeserializer(new byte[8]), getClass().getClassLoader()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 4");
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
