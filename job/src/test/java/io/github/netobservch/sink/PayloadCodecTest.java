package io.github.netobservch.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedClickHouseExtension.class)
class PayloadCodecTest {

    /** RowBinary of {@code n} rows (UInt32 i, String s), s repetitive enough to compress. */
    private static byte[] rows(int n) {
        RowBinaryWriter w = new RowBinaryWriter(n * 24);
        Random random = new Random(n);
        for (int i = 0; i < n; i++) {
            w.writeUInt32(i).writeString("namespace-" + random.nextInt(50) + "/pod-" + (i % 997));
        }
        return w.toByteArray();
    }

    @Test
    void everyCodecRoundTripsAndOnlyTheFrameIsSentAsStored() throws IOException {
        for (byte[] raw : List.of(new byte[0], rows(1), rows(100_000), randomBytes(5 << 20))) {
            for (PayloadCodec codec : PayloadCodec.values()) {
                byte[] stored = codec.compress(raw);
                assertThat(codec.decompress(stored, raw.length))
                        .as("%s, %d bytes", codec, raw.length)
                        .isEqualTo(raw);
            }
        }
        assertThat(Arrays.stream(PayloadCodec.values()).filter(c -> c.contentEncoding() != null))
                .containsExactly(PayloadCodec.LZ4_FRAME);
        assertThat(PayloadCodec.LZ4_FRAME.contentEncoding()).isEqualTo("lz4");
    }

    /**
     * The writer compresses from its batch buffer, whose tail past the batch is old bytes, and the
     * frame buffer of the thread is reused: each stored form is that of exactly its batch.
     */
    @Test
    void aBatchIsCompressedFromItsBufferAlone() throws IOException {
        byte[] big = rows(300_000); // several MB: the thread's frame buffer grows to it
        byte[] small = rows(1_000);
        byte[] buffer = big.clone();
        System.arraycopy(small, 0, buffer, 0, small.length); // a smaller batch in a reused buffer
        for (PayloadCodec codec : PayloadCodec.values()) {
            byte[] first = codec.compress(big, big.length);
            byte[] stored = codec.compress(buffer, small.length);
            assertThat(stored).as("%s", codec).isEqualTo(codec.compress(small));
            assertThat(codec.decompress(stored, small.length)).as("%s", codec).isEqualTo(small);
            assertThat(codec.decompress(first, big.length)).as("%s", codec).isEqualTo(big);
            assertThat(stored).as("%s: never the caller's array", codec).isNotSameAs(buffer);
        }
    }

    @Test
    void aDamagedFrameIsRefusedNotDecodedToOtherBytes() {
        byte[] raw = rows(10_000);
        byte[] stored = PayloadCodec.LZ4_FRAME.compress(raw);
        byte[] damaged = stored.clone();
        damaged[damaged.length - 6] ^= 0x01; // the last block's checksum
        assertThatThrownBy(() -> PayloadCodec.LZ4_FRAME.decompress(damaged, raw.length))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("corrupt LZ4 frame payload");
        assertThatThrownBy(() -> PayloadCodec.LZ4_FRAME.decompress(stored, raw.length + 1))
                .isInstanceOf(IOException.class);
    }

    /**
     * The committer's INSERT of a stored frame with {@code Content-Encoding: lz4}: ClickHouse
     * decodes it to the same rows as the plain body, and refuses a frame whose checksum does not
     * match rather than loading something else.
     */
    @Test
    void clickHouseDecodesTheStoredFrameAndChecksItsChecksum(ClickHouseTestServer clickhouse) throws Exception {
        String db = clickhouse.createDatabase("codec");
        for (String t : List.of("plain", "framed", "damaged")) {
            clickhouse.execute(db, "CREATE TABLE " + t + " (i UInt32, s String) ENGINE = MergeTree ORDER BY i");
        }
        List<String> columns = List.of("i", "s");
        byte[] raw = rows(200_000); // several MB: more than one 4 MB frame block
        byte[] frame = PayloadCodec.LZ4_FRAME.compress(raw);
        assertThat(frame.length).isLessThan(raw.length / 2);
        byte[] damaged = frame.clone();
        damaged[damaged.length - 6] ^= 0x10; // the last block's checksum

        try (ClickHouseInserter inserter = new ClickHouseInserter(ClickHouseSinkOptions.builder()
                .url(clickhouse.httpUrl())
                .database(db)
                .table("plain")
                .build())) {
            inserter.insert(db, "plain", columns, raw, null, "codec-plain", true);
            inserter.insert(db, "framed", columns, frame, "lz4", "codec-framed", true);
            assertThatThrownBy(() -> inserter.insert(db, "damaged", columns, damaged, "lz4", "codec-damaged", true))
                    .hasMessageContaining("LZ4");
        }
        String digest = "SELECT count(), sum(i), groupBitXor(cityHash64(s)) FROM ";
        assertThat(clickhouse.queryColumn(db, digest + "framed"))
                .isEqualTo(clickhouse.queryColumn(db, digest + "plain"))
                .containsExactly(clickhouse.queryColumn(db, digest + "plain").get(0));
        assertThat(clickhouse.queryLong(db, "SELECT count() FROM plain")).isEqualTo(200_000);
        assertThat(clickhouse.queryLong(db, "SELECT count() FROM damaged")).isZero();
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(7).nextBytes(b);
        return b;
    }
}
