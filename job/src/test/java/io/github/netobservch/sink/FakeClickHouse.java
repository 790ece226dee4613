package io.github.netobservch.sink;

import com.clickhouse.client.api.ServerException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jpountz.lz4.LZ4FrameInputStream;

/**
 * An in-memory ClickHouse for the commit protocol, after ClickHouse's documented INSERT
 * deduplication: one table, a deduplication log of tokens (a token seen before makes the INSERT a
 * no-op that is still acknowledged), batches as parts. Scripted faults, consumed in order:
 *
 * <ul>
 *   <li>{@link Fault#TIMEOUT_BEFORE}: the request dies before the server sees it (transient);
 *   <li>{@link Fault#TIMEOUT_AFTER}: the server inserts, the answer is lost (transient, in doubt);
 *   <li>{@link Fault#TOKEN_WITHOUT_PART}: the server records the token and crashes before the part
 *       is published — the lost INSERT of a plain MergeTree; the client sees a broken connection;
 *   <li>{@link Fault#PERMANENT}: the server answers UNKNOWN_TABLE (60);
 *   <li>{@link Fault#PROBE_TIMEOUT}: the next presence probe times out.
 * </ul>
 *
 * Rows are identified by the batch's probe key, so a probe sees exactly the batches that are there.
 */
final class FakeClickHouse implements CommitTarget {

    enum Fault {
        TIMEOUT_BEFORE,
        TIMEOUT_AFTER,
        TOKEN_WITHOUT_PART,
        PERMANENT,
        PROBE_TIMEOUT
    }

    /** A published part: the token it came with and its probe key. */
    record Part(String token, String probeKey, int bytes) {}

    final List<Part> parts = new ArrayList<>();
    final Set<String> dedupLog = new HashSet<>();
    final List<String> insertTokens = new ArrayList<>();
    final Deque<Fault> faults = new ArrayDeque<>();
    String engine = "MergeTree";
    String createTableQuery = "CREATE TABLE db.t (x UInt64) ENGINE = MergeTree ORDER BY x";
    /** Rows a row policy hides from the sink's user (visibleRows = part rows − hidden). */
    long hiddenRows;

    int probes;
    boolean closed;
    /** The probe key of the next INSERT's first row (the test sets it per committable). */
    final Map<String, String> probeKeyByToken = new LinkedHashMap<>();

    FakeClickHouse fail(Fault... next) {
        faults.addAll(List.of(next));
        return this;
    }

    private static byte[] decode(String contentEncoding, byte[] body) throws IOException {
        if (!contentEncoding.equals("lz4")) {
            throw new IOException("Content-Encoding " + contentEncoding + " is not one the fake decodes");
        }
        try (InputStream in = new LZ4FrameInputStream(new ByteArrayInputStream(body))) {
            return in.readAllBytes();
        }
    }

    private boolean next(Fault f) {
        if (faults.peek() == f) {
            faults.poll();
            return true;
        }
        return false;
    }

    @Override
    public void insert(
            String database,
            String table,
            List<String> columns,
            byte[] body,
            String contentEncoding,
            String token,
            boolean deduplicate)
            throws Exception {
        // decoded as the server would (and a corrupt body fails before anything is recorded)
        byte[] rowBinary = contentEncoding == null ? body : decode(contentEncoding, body);
        insertTokens.add(token);
        if (next(Fault.TIMEOUT_BEFORE)) {
            throw new SocketTimeoutException("Read timed out (before the server saw the request)");
        }
        if (next(Fault.PERMANENT)) {
            throw new ServerException(
                    60, "Code: 60. DB::Exception: Table db.t does not exist. (UNKNOWN_TABLE)", 404, "q");
        }
        String base = token == null ? null : token.replaceAll("~\\d+$", "");
        String key = base == null ? null : probeKeyByToken.get(base);
        if (next(Fault.TOKEN_WITHOUT_PART)) {
            dedupLog.add(token);
            throw new java.net.SocketException("Connection reset (server killed after recording the token)");
        }
        if (!deduplicate || token == null || dedupLog.add(token)) {
            parts.add(new Part(token, key, rowBinary.length));
        }
        if (next(Fault.TIMEOUT_AFTER)) {
            throw new SocketTimeoutException("Read timed out (the server inserted)");
        }
    }

    @Override
    public String engine(String database, String table) {
        return engine;
    }

    @Override
    public boolean exists(String database, String table, PresenceProbe probe) {
        probes++;
        if (next(Fault.PROBE_TIMEOUT)) {
            throw new IllegalStateException(new SocketTimeoutException("Read timed out (probe)"));
        }
        String key = probe.params().toString();
        return parts.stream().anyMatch(p -> key.equals(p.probeKey()));
    }

    @Override
    public String createTableQuery(String database, String table) {
        return createTableQuery;
    }

    @Override
    public Map<String, Long> activePartRows(String database, String table, String partition) {
        return parts.isEmpty() ? Map.of() : Map.of("p0", (long) parts.size() + hiddenRows);
    }

    @Override
    public long visibleRows(String database, String table, String partitionId) {
        return parts.size();
    }

    /** Batches (parts) of the committable with this token, repairs included. */
    long partsOf(String token) {
        return parts.stream()
                .filter(p ->
                        p.token() != null && p.token().replaceAll("~\\d+$", "").equals(token))
                .count();
    }

    @Override
    public void close() {
        closed = true;
    }
}
