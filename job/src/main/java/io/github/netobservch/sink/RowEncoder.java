package io.github.netobservch.sink;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * Maps a record to one row of the target table, in ClickHouse RowBinary.
 *
 * <p>Implementations are shipped to every sink subtask, so they must be serializable and
 * stateless (or hold only immutable configuration).
 *
 * @param <T> the record type
 */
public interface RowEncoder<T> extends Serializable {

    /** Target columns, in the order {@link #encode} writes them. */
    List<String> columns();

    /**
     * The value of the table's {@code PARTITION BY} expression for this record, as a string (for a
     * table partitioned by {@code toDate(ts)} the day, e.g. {@code "2026-11-25"}). Every INSERT the
     * sink sends holds rows of one partition only: ClickHouse inserts are atomic per partition, not
     * per statement. Returning a finer key than the real partition is harmless; a coarser one breaks
     * atomicity.
     */
    String partitionKey(T record);

    /**
     * Writes the columns of {@link #columns()} in that order. Validate values before writing: a
     * value the server rejects fails the commit permanently, and the checkpoint stays pending. If
     * this method throws, the sink discards whatever it wrote for the record.
     */
    void encode(T record, RowBinaryWriter out);

    /**
     * Expected ClickHouse types by column name, checked by the preflight (whitespace-insensitive,
     * e.g. {@code "DateTime64(3, 'UTC')"}). Columns not in the map are checked by name only.
     */
    default Map<String, String> columnTypes() {
        return Map.of();
    }

    /**
     * A query that finds this record's row and no row of any other batch (see {@link PresenceProbe}),
     * or {@code null} when the record has no such identity. The sink takes it from the first row of
     * every batch and runs it only when an INSERT's outcome was in doubt, to detect an INSERT that a
     * crashed plain-MergeTree server acknowledged as a duplicate without keeping its rows. Without a
     * probe such a batch is lost; with one it is inserted again.
     */
    default PresenceProbe presenceProbe(T record) {
        return null;
    }

    /**
     * The statement shape of {@link #presenceProbe} with placeholder values, or {@code null} when the
     * encoder has no probe: the start-up preflight runs it once ({@code LIMIT 0}) to prove that the
     * sink's ClickHouse user may run the probe, which it needs after any failover.
     */
    default PresenceProbe probeShape() {
        return null;
    }
}
