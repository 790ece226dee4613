package io.github.netobservch.dedup;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the dedup stage (immutable, validated).
 *
 * @param mode which dedup to apply, default {@link DedupMode#REPORTER_ELECTION}
 * @param window event-time inactivity after which a flow key's state (its elected reporter and
 *     fingerprints) expires and a new election may happen; default 60 s = 4 × NetObserv's 15 s
 *     eviction period, so a live connection (one slice per ~15 s) never expires between slices
 * @param maxWait event-time wait for the preferred reporter after a record of a non-preferred
 *     reporter opened a key; the held records are emitted if the preferred reporter has not shown
 *     up by then (a node without an agent must not make traffic vanish). Default 30 s: the two
 *     nodes evict the same flow independently, up to one 15 s period apart. {@code ≤ window}
 * @param maxFingerprints recent slice fingerprints kept per key to drop exact re-sends (0
 *     disables re-send detection); default 4 ≈ one window of 15 s slices. At most 64
 * @param stateTtl processing time after its last write at which a key's state is cleared by the
 *     periodic sweep, a safety net for a stalled watermark (the event-time expiry does the normal
 *     cleanup); {@link Duration#ZERO} disables it. Default 1 h; must be ≥ {@code window}
 */
public record DedupConfig(DedupMode mode, Duration window, Duration maxWait, int maxFingerprints, Duration stateTtl)
        implements Serializable {

    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(60);
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_FINGERPRINTS = 4;
    public static final Duration DEFAULT_STATE_TTL = Duration.ofHours(1);
    public static final int MAX_FINGERPRINTS_LIMIT = 64;

    public DedupConfig {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(maxWait, "maxWait");
        Objects.requireNonNull(stateTtl, "stateTtl");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("dedup window must be > 0, got " + window);
        }
        if (maxWait.isNegative() || maxWait.compareTo(window) > 0) {
            throw new IllegalArgumentException(
                    "dedup maxWait must be within [0, window=" + window + "], got " + maxWait);
        }
        if (maxFingerprints < 0 || maxFingerprints > MAX_FINGERPRINTS_LIMIT) {
            throw new IllegalArgumentException(
                    "dedup maxFingerprints must be within [0, " + MAX_FINGERPRINTS_LIMIT + "], got " + maxFingerprints);
        }
        if (stateTtl.isNegative() || (!stateTtl.isZero() && stateTtl.compareTo(window) < 0)) {
            throw new IllegalArgumentException(
                    "dedup stateTtl must be 0 (off) or ≥ window=" + window + ", got " + stateTtl);
        }
    }

    /** All defaults: reporter election, 60 s window, 30 s wait, 4 fingerprints, 1 h TTL. */
    public static DedupConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder()
                .mode(mode)
                .window(window)
                .maxWait(maxWait)
                .maxFingerprints(maxFingerprints)
                .stateTtl(stateTtl);
    }

    /** Fluent builder; {@link #build()} validates. */
    public static final class Builder {
        private DedupMode mode = DedupMode.REPORTER_ELECTION;
        private Duration window = DEFAULT_WINDOW;
        private Duration maxWait = DEFAULT_MAX_WAIT;
        private int maxFingerprints = DEFAULT_MAX_FINGERPRINTS;
        private Duration stateTtl = DEFAULT_STATE_TTL;

        private Builder() {}

        public Builder mode(DedupMode v) {
            this.mode = v;
            return this;
        }

        /** Mode by configuration value ({@code reporter-election}, {@code console-rule}, {@code off}). */
        public Builder mode(String v) {
            return mode(DedupMode.fromCode(v));
        }

        public Builder window(Duration v) {
            this.window = v;
            return this;
        }

        public Builder maxWait(Duration v) {
            this.maxWait = v;
            return this;
        }

        public Builder maxFingerprints(int v) {
            this.maxFingerprints = v;
            return this;
        }

        public Builder stateTtl(Duration v) {
            this.stateTtl = v;
            return this;
        }

        public DedupConfig build() {
            return new DedupConfig(mode, window, maxWait, maxFingerprints, stateTtl);
        }
    }
}
