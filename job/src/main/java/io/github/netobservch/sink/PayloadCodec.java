package io.github.netobservch.sink;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4FrameInputStream;

/**
 * Compression of the RowBinary payload kept in a committable (and so in checkpoint state). A codec
 * with a {@link #contentEncoding()} is sent to ClickHouse as stored, which decompresses it; the
 * others are decompressed by the committer before the INSERT. Ids are persisted: never renumber.
 */
enum PayloadCodec {
    NONE(0),
    /** LZ4 block (lz4-java, bundled with clickhouse-java); fast, ≈ 3–6× on flow rows. */
    LZ4(1),
    /** java.util.zip Deflate at level 1; smaller than LZ4 but several times slower. */
    DEFLATE(2),
    /**
     * LZ4 frame format ({@link Lz4Frames}: independent 4 MB blocks with xxHash32 block checksums,
     * the content size): what ClickHouse's HTTP interface decodes for {@code Content-Encoding:
     * lz4}. The committer sends the stored bytes as they are, ClickHouse decompresses them and
     * checks the checksums; the default.
     */
    LZ4_FRAME(3);

    private final int id;

    PayloadCodec(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    public static PayloadCodec fromId(int id) throws IOException {
        for (PayloadCodec c : values()) {
            if (c.id == id) {
                return c;
            }
        }
        throw new IOException("unknown payload codec id " + id);
    }

    /**
     * The HTTP {@code Content-Encoding} under which ClickHouse accepts the stored bytes, or {@code
     * null} when they must be decompressed before they are sent.
     */
    String contentEncoding() {
        return this == LZ4_FRAME ? "lz4" : null;
    }

    public byte[] compress(byte[] raw) {
        return this == NONE ? raw : compress(raw, raw.length);
    }

    /** The stored form of {@code raw[0, length)} (a new array: {@code raw} may be reused afterwards). */
    public byte[] compress(byte[] raw, int length) {
        switch (this) {
            case NONE:
                return Arrays.copyOf(raw, length);
            case LZ4:
                return LZ4Factory.fastestInstance().fastCompressor().compress(raw, 0, length);
            case LZ4_FRAME:
                return Lz4Frames.compress(raw, length);
            case DEFLATE:
                Deflater deflater = new Deflater(1);
                try {
                    deflater.setInput(raw, 0, length);
                    deflater.finish();
                    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, length / 4));
                    byte[] chunk = new byte[64 * 1024];
                    while (!deflater.finished()) {
                        int n = deflater.deflate(chunk);
                        out.write(chunk, 0, n);
                    }
                    return out.toByteArray();
                } finally {
                    deflater.end();
                }
            default:
                throw new IllegalStateException(name());
        }
    }

    public byte[] decompress(byte[] stored, int rawLength) throws IOException {
        switch (this) {
            case NONE:
                if (stored.length != rawLength) {
                    throw new IOException("payload length " + stored.length + " != " + rawLength);
                }
                return stored;
            case LZ4:
                try {
                    return LZ4Factory.fastestInstance().safeDecompressor().decompress(stored, rawLength);
                } catch (RuntimeException e) {
                    throw new IOException("corrupt LZ4 payload", e);
                }
            case LZ4_FRAME:
                try (InputStream in = new LZ4FrameInputStream(new ByteArrayInputStream(stored))) {
                    byte[] raw = in.readNBytes(rawLength);
                    if (raw.length != rawLength || in.read() != -1) {
                        throw new IOException("LZ4 frame payload is not " + rawLength + " bytes long");
                    }
                    return raw;
                } catch (IOException | RuntimeException e) {
                    throw new IOException("corrupt LZ4 frame payload: " + e.getMessage(), e);
                }
            case DEFLATE:
                Inflater inflater = new Inflater();
                try {
                    inflater.setInput(stored);
                    byte[] raw = new byte[rawLength];
                    int n = 0;
                    while (n < rawLength && !inflater.finished()) {
                        int r = inflater.inflate(raw, n, rawLength - n);
                        if (r == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                            break;
                        }
                        n += r;
                    }
                    if (n != rawLength) {
                        throw new IOException("Deflate payload inflated to " + n + " bytes, expected " + rawLength);
                    }
                    return raw;
                } catch (DataFormatException e) {
                    throw new IOException("corrupt Deflate payload", e);
                } finally {
                    inflater.end();
                }
            default:
                throw new IllegalStateException(name());
        }
    }
}
