package io.github.netobservch.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
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
        return new ClickHouseCommittable("flows-00112233445566778899aabbccddeeff", "netobserv", "flows", "2026-11-25",
                List.of("seq", "bytes", "day"), 3, ROWS.length, PayloadCodec.LZ4, PayloadCodec.LZ4.compress(ROWS),
                "0123456789abcdef0123456789abcdef", 1, 2, 1_764_028_800_000L);
    }

    @Test
    void roundTripForEveryCodec() throws IOException {
        ClickHouseCommittableSerializer serializer = new ClickHouseCommittableSerializer();
        for (PayloadCodec codec : PayloadCodec.values()) {
            ClickHouseCommittable c = ClickHouseCommittable.seal("sink", "db", "t", "p", List.of("a", "b"), 7, ROWS,
                    codec, "job", 0, 0);
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
        assertThat(serializer.getVersion()).isEqualTo(1);
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
        // The current writer still produces the same bytes (drop this line, not the one above, on a v2).
        assertThat(HexFormat.of().formatHex(serializer.serialize(frozen()))).isEqualTo(FROZEN_V1_HEX);
    }

    @Test
    void rejectsUnknownVersionsAndCorruptBytes() throws IOException {
        ClickHouseCommittableSerializer serializer = new ClickHouseCommittableSerializer();
        byte[] bytes = serializer.serialize(frozen());
        assertThatThrownBy(() -> serializer.deserialize(2, bytes)).isInstanceOf(IOException.class)
                .hasMessageContaining("version 2");
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
        ClickHouseCommittable a = ClickHouseCommittable.seal("s", "db", "t", "p", List.of("a"), 1, ROWS,
                PayloadCodec.NONE, "job", 0, 0);
        ClickHouseCommittable b = ClickHouseCommittable.seal("s", "db", "t", "p", List.of("a"), 1, ROWS,
                PayloadCodec.NONE, "job", 0, 0);
        assertThat(a.token()).isNotEqualTo(b.token());
    }
}
