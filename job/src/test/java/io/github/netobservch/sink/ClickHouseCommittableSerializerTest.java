package io.github.netobservch.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClickHouseCommittableSerializerTest {

    private static final byte[] ROWS = "rowbinary rows rowbinary rows rowbinary rows".getBytes(StandardCharsets.UTF_8);

    /**
     * Version 1 image of {@link #frozen()}, written by the first release. Never regenerate: a change
     * that breaks this test breaks restoring checkpoints with pending committables.
     */
    private static final String FROZEN_V1_HEX = "00000026666c6f77732d30303131323233333434353536363737383839396161"
            + "62626363646465656666000000096e65746f627365727600000005666c6f7773"
            + "0000000a323032362d31312d3235000000030000000373657100000005627974"
            + "657300000003646179000000030000002c010000001be0726f7762696e617279"
            + "20726f777305000f0f00025020726f7773000000203031323334353637383961"
            + "6263646566303132333435363738396162636465660000000100000002000001"
            + "9ab84f5c00";

    private static ClickHouseCommittable frozen() {
        return frozen(null);
    }

    /** The committable of the frozen images, with {@code probe}. */
    private static ClickHouseCommittable frozen(PresenceProbe probe) {
        return new ClickHouseCommittable(
                "flows-00112233445566778899aabbccddeeff",
                "netobserv",
                "flows",
                "2026-11-25",
                List.of("seq", "bytes", "day"),
                3,
                ROWS.length,
                PayloadCodec.LZ4,
                PayloadCodec.LZ4.compress(ROWS),
                "0123456789abcdef0123456789abcdef",
                1,
                2,
                1_764_028_800_000L,
                probe,
                -1);
    }

    @Test
    void roundTripForEveryCodec() throws IOException {
        ClickHouseCommittableSerializer serializer = new ClickHouseCommittableSerializer();
        for (PayloadCodec codec : PayloadCodec.values()) {
            ClickHouseCommittable c = ClickHouseCommittable.seal(
                    "sink", "db", "t", "p", List.of("a", "b"), 7, ROWS, codec, "job", 0, 0, null);
            ClickHouseCommittable back = serializer.deserialize(serializer.getVersion(), serializer.serialize(c));
            assertThat(back).isEqualTo(c);
            assertThat(back.token()).isEqualTo(c.token());
            assertThat(back.payload()).isEqualTo(ROWS);
            assertThat(back.codec()).isEqualTo(codec);
        }
    }

    @Test
    void readsTheFrozenVersion1Image() throws IOException {
        ClickHouseCommittableSerializer serializer = new ClickHouseCommittableSerializer();
        ClickHouseCommittable c = serializer.deserialize(1, HexFormat.of().parseHex(FROZEN_V1_HEX));
        assertThat(c.token()).isEqualTo("flows-00112233445566778899aabbccddeeff");
        assertThat(c.database()).isEqualTo("netobserv");
        assertThat(c.table()).isEqualTo("flows");
        assertThat(c.partitionKey()).isEqualTo("2026-11-25");
        assertThat(c.columns()).containsExactly("seq", "bytes", "day");
        assertThat(c.rowCount()).isEqualTo(3);
        assertThat(c.codec()).isEqualTo(PayloadCodec.LZ4);
        assertThat(c.payload()).isEqualTo(ROWS);
        assertThat(c.originJobId()).isEqualTo("0123456789abcdef0123456789abcdef");
        assertThat(c.originSubtask()).isEqualTo(1);
        assertThat(c.originAttempt()).isEqualTo(2);
        assertThat(c.createdAtMillis()).isEqualTo(1_764_028_800_000L);
        assertThat(c.probe()).isNull();
        assertThat(c).isEqualTo(frozen());
        // Version 2 is version 1 plus the probe, version 3 plus the shard: one byte "no probe", then -1.
        assertThat(HexFormat.of().formatHex(serializer.serialize(frozen())))
                .isEqualTo(FROZEN_V1_HEX + "00" + "ffffffff" + "00");
    }

    /** Version 2 image of {@link #frozenWithProbe()}. Never regenerate (see {@link #FROZEN_V1_HEX}). */
    private static final String FROZEN_V2_HEX = "00000026666c6f77732d30303131323233333434353536363737383839396161"
            + "62626363646465656666000000096e65746f627365727600000005666c6f7773"
            + "0000000a323032362d31312d3235000000030000000373657100000005627974"
            + "657300000003646179000000030000002c010000001be0726f7762696e617279"
            + "20726f777305000f0f00025020726f7773000000203031323334353637383961"
            + "6263646566303132333435363738396162636465660000000100000002000001"
            + "9ab84f5c000100000027736571203d207b7365713a55496e7436347d20414e44"
            + "20646179203d207b6461793a446174657d00000002000000036461790000000a"
            + "323032362d31312d323500000003736571000000023432";

    private static ClickHouseCommittable frozenWithProbe() {
        return frozen(
                new PresenceProbe("seq = {seq:UInt64} AND day = {day:Date}", Map.of("seq", "42", "day", "2026-11-25")));
    }

    @Test
    void readsTheFrozenVersion2Image() throws IOException {
        ClickHouseCommittableSerializer serializer = new ClickHouseCommittableSerializer();
        ClickHouseCommittable c = serializer.deserialize(2, HexFormat.of().parseHex(FROZEN_V2_HEX));
        assertThat(c).isEqualTo(frozenWithProbe());
        assertThat(c.probe().predicate()).isEqualTo("seq = {seq:UInt64} AND day = {day:Date}");
        assertThat(c.probe().params()).containsExactly(Map.entry("day", "2026-11-25"), Map.entry("seq", "42"));
        assertThat(c.payload()).isEqualTo(ROWS);
        assertThat(c.shard()).isEqualTo(-1);
    }

    /**
     * Version 3 image: {@link #frozenWithProbe()} sealed for shard 1. Never regenerate (see {@link
     * #FROZEN_V1_HEX}).
     */
    private static final String FROZEN_V3_HEX = FROZEN_V2_HEX + "00000001";

    /** {@link #frozenWithProbe()} sealed for shard 1: the committable of the version-3 and -4 images. */
    private static ClickHouseCommittable frozenWithProbeForShard1() {
        ClickHouseCommittable base = frozenWithProbe();
        return new ClickHouseCommittable(
                base.token(),
                base.database(),
                base.table(),
                base.partitionKey(),
                base.columns(),
                base.rowCount(),
                base.rawLength(),
                base.codec(),
                base.storedPayload(),
                base.originJobId(),
                base.originSubtask(),
                base.originAttempt(),
                base.createdAtMillis(),
                base.probe(),
                1);
    }

    @Test
    void readsTheFrozenVersion3Image() throws IOException {
        ClickHouseCommittableSerializer serializer = new ClickHouseCommittableSerializer();
        ClickHouseCommittable sharded = frozenWithProbeForShard1();
        ClickHouseCommittable c = serializer.deserialize(3, HexFormat.of().parseHex(FROZEN_V3_HEX));
        assertThat(c).isEqualTo(sharded);
        assertThat(c.shard()).isEqualTo(1);
        // The current writer produces the same bytes plus version 4's "not spilled".
        assertThat(HexFormat.of().formatHex(serializer.serialize(sharded))).isEqualTo(FROZEN_V3_HEX + "00");
        assertThatThrownBy(() -> serializer.deserialize(3, HexFormat.of().parseHex(FROZEN_V2_HEX + "fffffff0")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("shard");
    }

    /**
     * Version 4 image: {@link #frozenWithProbe()} for shard 1 with its payload spilled to a file.
     * Never regenerate (see {@link #FROZEN_V1_HEX}).
     */
    private static final String FROZEN_V4_SPILLED_HEX =
            "00000026666c6f77732d30303131323233333434353536363737383839396161"
                    + "62626363646465656666000000096e65746f627365727600000005666c6f7773"
                    + "0000000a323032362d31312d3235000000030000000373657100000005627974"
                    + "657300000003646179000000030000002c010000000000000020303132333435"
                    + "3637383961626364656630313233343536373839616263646566000000010000"
                    + "00020000019ab84f5c000100000027736571203d207b7365713a55496e743634"
                    + "7d20414e4420646179203d207b6461793a446174657d00000002000000036461"
                    + "790000000a323032362d31312d32350000000373657100000002343200000001"
                    + "010000005f73333a2f2f6275636b65742f636865636b706f696e74732f636c69"
                    + "636b686f7573652d7370696c6c2f666c6f77732f666c6f77732d303031313232"
                    + "33333434353536363737383839396161626263636464656566662e726f776269"
                    + "6e6172790000001b00000000ffe6aa62";

    @Test
    void readsTheFrozenVersion4ImageOfASpilledCommittable() throws IOException {
        ClickHouseCommittableSerializer serializer = new ClickHouseCommittableSerializer();
        assertThat(serializer.getVersion()).isEqualTo(4);
        ClickHouseCommittable base = frozenWithProbeForShard1();
        ClickHouseCommittable spilled =
                base.spilledTo("s3://bucket/checkpoints/clickhouse-spill/flows/" + base.token() + ".rowbinary");
        ClickHouseCommittable c = serializer.deserialize(4, HexFormat.of().parseHex(FROZEN_V4_SPILLED_HEX));
        assertThat(c).isEqualTo(spilled);
        assertThat(c.spillPath()).endsWith(".rowbinary");
        assertThat(c.storedLength()).isEqualTo(base.storedLength());
        assertThat(HexFormat.of().formatHex(serializer.serialize(c))).isEqualTo(FROZEN_V4_SPILLED_HEX);
        // The payload inline (version 3's bytes) and a spill reference as well: corrupt.
        String reference = FROZEN_V4_SPILLED_HEX.substring(FROZEN_V4_SPILLED_HEX.indexOf("0000005f73333a2f2f"));
        assertThatThrownBy(() -> serializer.deserialize(4, HexFormat.of().parseHex(FROZEN_V3_HEX + "01" + reference)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("spilled, yet");
        // A spilled committable reads its payload from the file only: here the file system is not even there.
        assertThatThrownBy(c::payload).isInstanceOf(IOException.class).hasMessageContaining("s3");
    }

    @Test
    void probeRoundTripsAndIsValidated() throws IOException {
        ClickHouseCommittableSerializer serializer = new ClickHouseCommittableSerializer();
        PresenceProbe probe = new PresenceProbe(
                "kafka_partition = {p:Int32} AND kafka_offset = {o:Int64}", Map.of("p", "3", "o", "123456789"));
        ClickHouseCommittable c = ClickHouseCommittable.seal(
                "sink", "db", "t", "p", List.of("a"), 1, ROWS, PayloadCodec.NONE, "job", 0, 0, probe);
        ClickHouseCommittable back =
                serializer.deserialize(ClickHouseCommittableSerializer.CURRENT_VERSION, serializer.serialize(c));
        assertThat(back.probe()).isEqualTo(probe);
        assertThat(back.probe().toString()).doesNotContain("123456789");
        assertThatThrownBy(() -> new PresenceProbe("a = 1; DROP TABLE t", Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PresenceProbe("a = {x:String}", Map.of("x y", "1")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsUnknownVersionsAndCorruptBytes() throws IOException {
        ClickHouseCommittableSerializer serializer = new ClickHouseCommittableSerializer();
        byte[] bytes = serializer.serialize(frozen());
        assertThatThrownBy(() -> serializer.deserialize(5, bytes))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 5");
        assertThatThrownBy(() -> serializer.deserialize(1, java.util.Arrays.copyOf(bytes, bytes.length - 3)))
                .isInstanceOf(IOException.class);
    }

    @Test
    void tokensAreRandomUniqueAndCarryTheSinkName() {
        Set<String> tokens = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            String token = ClickHouseCommittable.newToken("flows");
            assertThat(token).matches("flows-[0-9a-f]{32}");
            tokens.add(token);
        }
        assertThat(tokens).hasSize(100_000);
        // Identical rows sealed twice (e.g. the same subtask and "checkpoint" after a savepoint restore)
        // get different tokens, so the second batch is never mistaken for a retry of the first.
        ClickHouseCommittable a = ClickHouseCommittable.seal(
                "s", "db", "t", "p", List.of("a"), 1, ROWS, PayloadCodec.NONE, "job", 0, 0, null);
        ClickHouseCommittable b = ClickHouseCommittable.seal(
                "s", "db", "t", "p", List.of("a"), 1, ROWS, PayloadCodec.NONE, "job", 0, 0, null);
        assertThat(a.token()).isNotEqualTo(b.token());
    }
}
