package io.github.netobservch.sink;

import java.io.Serializable;

/**
 * Test hook: called by the sink at named points so a test can throw (or do something else, such as
 * killing a server) exactly there. Production uses {@link #NONE}.
 */
@FunctionalInterface
public interface SinkFaultInjector extends Serializable {

    /** Where the sink calls the injector. */
    enum Point {
        /** Writer, after a record was buffered. */
        WRITER_WRITE,
        /** Writer, in {@code prepareCommit()} before the committables are returned (fails the checkpoint). */
        PREPARE_COMMIT,
        /** Committer (or at-least-once writer), before an INSERT is sent. */
        BEFORE_INSERT,
        /** Committer (or at-least-once writer), after an INSERT succeeded, before the request is marked done. */
        AFTER_INSERT
    }

    /**
     * What the sink was doing.
     *
     * @param subtask subtask index of the writer or committer
     * @param attempt attempt number of that subtask (0 for the first run)
     * @param fromState for committer points: the committable was restored from a checkpoint, i.e. this
     *     is a re-commit
     * @param token idempotency token of the INSERT, or null for writer points
     * @param rows rows in the INSERT, or 0 for writer points
     */
    record Context(int subtask, int attempt, boolean fromState, String token, long rows) {}

    SinkFaultInjector NONE = (point, context) -> {};

    /** Called at {@code point}; an exception thrown here fails the writer or the commit like a real one. */
    void at(Point point, Context context) throws Exception;
}
