package io.github.netobservch.sink;

import java.util.List;
import java.util.Map;

/**
 * What the commit protocol ({@link CommitExecutor}) asks of one ClickHouse server or shard: the
 * INSERT and the few questions its in-doubt checks need. {@link ClickHouseInserter} answers them
 * over HTTP; the protocol's unit tests answer them with an in-memory fake, so that every outcome
 * (attempt, in doubt, probe, repair, retry, fail) is tested without a server.
 */
interface CommitTarget extends AutoCloseable {

    /**
     * One INSERT of RowBinary rows, {@code body} compressed as {@code contentEncoding} says (the
     * HTTP {@code Content-Encoding}; {@code null}: plain RowBinary). With a token: {@code
     * insert_deduplication_token}; {@code deduplicate} without a token deduplicates by block hash
     * (test-only control).
     */
    void insert(
            String database,
            String table,
            List<String> columns,
            byte[] body,
            String contentEncoding,
            String token,
            boolean deduplicate)
            throws Exception;

    /** The table's engine ({@code system.tables.engine}), or {@code ""} when there is no such table. */
    String engine(String database, String table);

    /** Whether a row matching {@code probe} is in the table. */
    boolean exists(String database, String table, PresenceProbe probe);

    /** The table's {@code CREATE} statement ({@code system.tables.create_table_query}), or {@code ""}. */
    String createTableQuery(String database, String table);

    /** Rows in the active parts of one partition, by partition id ({@code system.parts}, no row policy applies). */
    Map<String, Long> activePartRows(String database, String table, String partition);

    /** Rows of the partition with that id that the sink's user sees (row policies and lightweight deletes apply). */
    long visibleRows(String database, String table, String partitionId);

    @Override
    void close();
}
