package io.github.netobservch.sink;

/** What happened to one committable in one {@link CommitExecutor#commit} call. */
sealed interface CommitResult {

    /** The rows are in the table (inserted now, or found there). */
    record Committed() implements CommitResult {}

    /** Transient failures used up this call's attempts; try again later with the same token. */
    record RetryLater(Throwable lastFailure) implements CommitResult {}

    /** A failure a person must fix (schema, privileges, a lost spill file); the committable is kept. */
    record Failed(Throwable cause) implements CommitResult {}

    CommitResult COMMITTED = new Committed();
}
