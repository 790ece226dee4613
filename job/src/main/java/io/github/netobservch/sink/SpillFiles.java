package io.github.netobservch.sink;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Duration;
import java.util.zip.CRC32;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spill directory of one sink ({@code <sink.spill-dir>/<sinkName>/}), through Flink's file
 * systems so that it can live where checkpoints live (S3, HDFS, a shared volume). One file per
 * committable, named by its token: {@code <token>.rowbinary}, holding the stored (compressed)
 * payload. Files are written once and never changed; the committable keeps their length and CRC-32.
 */
final class SpillFiles {

    private static final Logger LOG = LoggerFactory.getLogger(SpillFiles.class);
    static final String SUFFIX = ".rowbinary";

    private final Path dir;

    SpillFiles(String spillDir, String sinkName) {
        this.dir = new Path(new Path(spillDir), sinkName);
    }

    Path dir() {
        return dir;
    }

    /** Writes {@code stored} durably (synced before it returns) and returns its path. */
    String write(String token, byte[] stored) throws IOException {
        Path path = new Path(dir, token + SUFFIX);
        FileSystem fs = path.getFileSystem();
        try (FSDataOutputStream out = fs.create(path, FileSystem.WriteMode.NO_OVERWRITE)) {
            out.write(stored);
            out.flush();
            out.sync();
        }
        return path.toString();
    }

    static long crc32(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length);
        return crc.getValue();
    }

    /**
     * Reads a spilled payload and checks its length and CRC-32.
     *
     * @throws FileNotFoundException when the file is gone (the committer deletes files of committed
     *     batches; a restore from an older checkpoint may still reference one)
     */
    static byte[] read(String path, int length, long crc) throws IOException {
        Path p = new Path(path);
        FileSystem fs = p.getFileSystem();
        byte[] bytes = new byte[length];
        try (FSDataInputStream in = fs.open(p)) {
            int n = 0;
            while (n < length) {
                int r = in.read(bytes, n, length - n);
                if (r < 0) {
                    throw new IOException("spill file " + path + " is shorter than its " + length + " bytes");
                }
                n += r;
            }
            if (in.read() >= 0) {
                throw new IOException("spill file " + path + " is longer than its " + length + " bytes");
            }
        } catch (FileNotFoundException e) {
            throw e;
        } catch (IOException e) {
            if (!fs.exists(p)) {
                FileNotFoundException missing = new FileNotFoundException("spill file " + path + " does not exist");
                missing.initCause(e);
                throw missing;
            }
            throw e;
        }
        if (crc32(bytes) != crc) {
            throw new IOException("spill file " + path + " is corrupt (CRC-32 mismatch)");
        }
        return bytes;
    }

    /** Deletes a spilled payload; a file already gone is fine. */
    static void delete(String path) {
        try {
            Path p = new Path(path);
            p.getFileSystem().delete(p, false);
        } catch (IOException e) {
            LOG.warn("Could not delete spill file {} (the sweep removes it later): {}", path, e.toString());
        }
    }

    /**
     * Deletes spill files older than {@code retention}: payloads of batches whose checkpoint never
     * completed, or whose deletion after commit failed. Returns how many it deleted.
     */
    int sweep(Duration retention, long nowMillis) {
        int deleted = 0;
        try {
            FileSystem fs = dir.getFileSystem();
            if (!fs.exists(dir)) {
                return 0;
            }
            FileStatus[] files = fs.listStatus(dir);
            if (files == null) {
                return 0;
            }
            for (FileStatus f : files) {
                if (!f.isDir()
                        && f.getPath().getName().endsWith(SUFFIX)
                        && f.getModificationTime() < nowMillis - retention.toMillis()) {
                    if (fs.delete(f.getPath(), false)) {
                        deleted++;
                    }
                }
            }
        } catch (IOException e) {
            LOG.warn("Could not sweep the spill directory {}: {}", dir, e.toString());
        }
        if (deleted > 0) {
            LOG.info("Deleted {} spill file(s) older than {} from {}", deleted, retention, dir);
        }
        return deleted;
    }
}
