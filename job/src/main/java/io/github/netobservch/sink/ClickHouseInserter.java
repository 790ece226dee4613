package io.github.netobservch.sink;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.insert.InsertResponse;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.client.api.query.GenericRecord;
import com.clickhouse.data.ClickHouseFormat;
import java.io.ByteArrayInputStream;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Sends RowBinary INSERTs (and the preflight's queries) over clickhouse-java client-v2.
 *
 * <p>client-v2 rather than the JDBC driver: the sink already holds RowBinary bytes, and
 * {@link Client#insert(String, List, java.io.InputStream, ClickHouseFormat, InsertSettings)} streams
 * them as the body of one {@code INSERT … FORMAT RowBinary} HTTP request with per-request settings,
 * with no row objects or SQL building in between (the JDBC driver would re-encode bound values).
 * The client's own retries are off: the committer retries with backoff and the same token.
 */
final class ClickHouseInserter implements CommitTarget {

    /** Deduplicate the blocks a deduplicated INSERT would push into materialized views, too. */
    static final String MV_DEDUP = "deduplicate_blocks_in_dependent_materialized_views";

    private final ClickHouseSinkOptions options;
    private final Client client;

    ClickHouseInserter(ClickHouseSinkOptions options) {
        this.options = options;
        Client.Builder builder = new Client.Builder();
        options.clientOptions().forEach(builder::setOption);
        this.client = builder.addEndpoint(options.endpoint())
                .setUsername(options.user())
                .setPassword(options.password())
                .compressServerResponse(false)
                .compressClientRequest(false)
                .setMaxRetries(0)
                .setConnectTimeout(options.connectTimeout().toMillis(), ChronoUnit.MILLIS)
                .setSocketTimeout(options.socketTimeout().toMillis(), ChronoUnit.MILLIS)
                .setClientName("netobserv-clickhouse-sink/" + options.sinkName())
                .build();
    }

    /**
     * One INSERT of {@code rowBinary} into {@code database.table}. With a token: the token,
     * {@code insert_deduplicate=1}; always {@code async_insert=0} (an acknowledged async insert without
     * waiting is not durable, and server-side coalescing would mix batches).
     *
     * @return rows the server reports written (a deduplicated INSERT may report 0 or the row count,
     *     depending on the server version)
     */
    long insert(String database, String table, List<String> columns, byte[] rowBinary, String token) throws Exception {
        return send(database, table, columns, rowBinary, settings(token, token != null));
    }

    /**
     * {@link #insert}, the body sent as it is under {@code contentEncoding} (ClickHouse decompresses
     * it); {@code deduplicate} without a token: ClickHouse deduplicates by block hash (test-only
     * control).
     */
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
        InsertSettings settings = settings(token, deduplicate);
        if (contentEncoding != null) {
            // the client then sends Content-Encoding and the body as it is (a plain header would make it
            // wrap the body in a second LZ4 frame)
            settings.appCompressedData(true, contentEncoding);
        }
        send(database, table, columns, body, settings);
    }

    /**
     * An INSERT of no rows into {@code database.table}: the server checks the privileges of the
     * statement and writes nothing (no part, no deduplication token). The preflight's proof that the
     * sink's user may insert.
     */
    void insertNothing(String database, String table, List<String> columns) throws Exception {
        send(database, table, columns, new byte[0], new InsertSettings().serverSetting("async_insert", "0"));
    }

    /** One RowBinary INSERT of {@code rowBinary} into {@code database.table}; returns the rows written. */
    private long send(String database, String table, List<String> columns, byte[] rowBinary, InsertSettings settings)
            throws Exception {
        List<String> quoted = columns.stream().map(ClickHouseSinkOptions::quote).collect(Collectors.toList());
        String target = ClickHouseSinkOptions.quote(database) + "." + ClickHouseSinkOptions.quote(table);
        try (InsertResponse response = await(client.insert(
                target, quoted, new ByteArrayInputStream(rowBinary), ClickHouseFormat.RowBinary, settings))) {
            return response.getWrittenRows();
        }
    }

    /**
     * The settings of a commit INSERT. With a token: the token, {@code insert_deduplicate=1} and
     * {@code deduplicate_blocks_in_dependent_materialized_views=1} — sent explicitly because only
     * servers since 26.2 default to it, and without it a re-committed batch that the target table
     * drops still reaches every materialized view (the rollups would double count).
     */
    static InsertSettings settings(String token) {
        return settings(token, token != null);
    }

    static InsertSettings settings(String token, boolean deduplicate) {
        InsertSettings settings = new InsertSettings()
                .serverSetting("async_insert", "0")
                // RowBinary is not parsed in parallel, but a future server might: one block per INSERT.
                .serverSetting("input_format_parallel_parsing", "0");
        if (token != null) {
            settings.setDeduplicationToken(token);
            settings.serverSetting("insert_deduplicate", "1");
            settings.serverSetting(MV_DEDUP, "1");
            settings.logComment(token);
        } else if (deduplicate) {
            // Test-only negative control: deduplication by block hash, without a token.
            settings.serverSetting("insert_deduplicate", "1");
            settings.serverSetting(MV_DEDUP, "1");
        } else {
            // Test-only negative control: no deduplication at all. Since 26.2 deduplicate_insert overrides
            // insert_deduplicate (and is unknown to older servers, where this path then fails with 115).
            settings.serverSetting("insert_deduplicate", "0");
            settings.serverSetting("deduplicate_insert", "disable");
        }
        return settings;
    }

    List<GenericRecord> query(String sql, Map<String, Object> params) {
        return client.queryAll(sql, params);
    }

    @Override
    public String engine(String database, String table) {
        List<GenericRecord> rows = query(
                "SELECT engine FROM system.tables WHERE database = {db:String} AND name = {t:String}",
                Map.of("db", database, "t", table));
        return rows.isEmpty() ? "" : rows.get(0).getString("engine");
    }

    @Override
    public boolean exists(String database, String table, PresenceProbe probe) {
        String sql = "SELECT 1 FROM " + ClickHouseSinkOptions.quote(database) + "." + ClickHouseSinkOptions.quote(table)
                + " WHERE " + probe.predicate() + " LIMIT 1";
        return !query(sql, new java.util.HashMap<String, Object>(probe.params()))
                .isEmpty();
    }

    @Override
    public String createTableQuery(String database, String table) {
        List<GenericRecord> rows = query(
                "SELECT create_table_query FROM system.tables WHERE database = {db:String} AND name = {t:String}",
                Map.of("db", database, "t", table));
        return rows.isEmpty() ? "" : rows.get(0).getString("create_table_query");
    }

    @Override
    public Map<String, Long> activePartRows(String database, String table, String partition) {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        for (GenericRecord part : query(
                "SELECT partition_id, toString(sum(rows)) AS rows FROM system.parts"
                        + " WHERE database = {db:String} AND table = {t:String} AND partition = {p:String} AND active"
                        + " GROUP BY partition_id",
                Map.of("db", database, "t", table, "p", partition))) {
            out.put(part.getString("partition_id"), Long.parseLong(part.getString("rows")));
        }
        return out;
    }

    @Override
    public long visibleRows(String database, String table, String partitionId) {
        List<GenericRecord> visible = query(
                "SELECT toString(count()) AS n FROM " + ClickHouseSinkOptions.quote(database) + "."
                        + ClickHouseSinkOptions.quote(table) + " WHERE _partition_id = {pid:String}",
                Map.of("pid", partitionId));
        return Long.parseLong(visible.get(0).getString("n"));
    }

    private <V> V await(java.util.concurrent.CompletableFuture<V> future) throws Exception {
        try {
            return future.get(options.socketTimeout().toMillis() * 2 + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception) {
                throw (Exception) cause;
            }
            throw e;
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
