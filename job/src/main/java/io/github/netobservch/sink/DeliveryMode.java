package io.github.netobservch.sink;

/** Delivery guarantee of {@link ClickHouseSink}. */
public enum DeliveryMode {
    /**
     * Rows are inserted only after the checkpoint that contains them completes, by the committer, each
     * INSERT carrying an idempotency token stored in the checkpoint. Needs a deduplicating table.
     */
    EXACTLY_ONCE,
    /**
     * The writer inserts by itself when a batch is full and before every checkpoint barrier; a failure
     * between an INSERT and the next checkpoint replays rows, which are then inserted again.
     */
    AT_LEAST_ONCE
}
