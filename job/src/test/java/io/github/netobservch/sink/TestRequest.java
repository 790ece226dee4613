package io.github.netobservch.sink;

import org.apache.flink.api.connector.sink2.Committer;

/** A commit request that records how the committer signalled it. */
final class TestRequest implements Committer.CommitRequest<ClickHouseCommittable> {

    enum Signal {
        NONE,
        RETRY_LATER,
        FAILED_UNKNOWN,
        FAILED_KNOWN,
        ALREADY_COMMITTED
    }

    final ClickHouseCommittable committable;
    int retries;
    Signal signal = Signal.NONE;
    Throwable failure;
    /** The committer's counters after the call (set by tests that want them). */
    SinkMetrics metrics;

    TestRequest(ClickHouseCommittable committable) {
        this.committable = committable;
    }

    /** Ready for another commit() call, as Flink does after retryLater(). */
    TestRequest again() {
        retries++;
        signal = Signal.NONE;
        return this;
    }

    @Override
    public ClickHouseCommittable getCommittable() {
        return committable;
    }

    @Override
    public int getNumberOfRetries() {
        return retries;
    }

    @Override
    public void signalFailedWithKnownReason(Throwable t) {
        signal = Signal.FAILED_KNOWN;
        failure = t;
    }

    @Override
    public void signalFailedWithUnknownReason(Throwable t) {
        signal = Signal.FAILED_UNKNOWN;
        failure = t;
    }

    @Override
    public void retryLater() {
        signal = Signal.RETRY_LATER;
    }

    @Override
    public void updateAndRetryLater(ClickHouseCommittable committable) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void signalAlreadyCommitted() {
        signal = Signal.ALREADY_COMMITTED;
    }
}
