package io.github.netobservch.parse;

import io.github.netobservch.format.FlowRecordSerializer;
import java.io.Serializable;

/** Limits and switches of the flow parser. Immutable; build with {@link #builder()}. */
public final class ParserConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    /** 1 MiB: NetObserv records are 0.5–2 KB; anything near this is not a flow record. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 1 << 20;
    /** 64 KiB of the offending message are kept in a dead letter. */
    public static final int DEFAULT_MAX_DEAD_LETTER_PAYLOAD_BYTES = 64 * 1024;
    /** Flow records nest 3 deep (object → NetworkEvents array → event); unknown fields get some room. */
    public static final int DEFAULT_MAX_NESTING_DEPTH = 16;

    private final int maxMessageBytes;
    private final int maxDeadLetterPayloadBytes;
    private final int maxNestingDepth;
    private final RawPolicy rawPolicy;
    private final boolean enrich;

    private ParserConfig(Builder b) {
        this.maxMessageBytes = b.maxMessageBytes;
        this.maxDeadLetterPayloadBytes = b.maxDeadLetterPayloadBytes;
        this.maxNestingDepth = b.maxNestingDepth;
        this.rawPolicy = b.rawPolicy;
        this.enrich = b.enrich;
    }

    public static ParserConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    public int maxDeadLetterPayloadBytes() {
        return maxDeadLetterPayloadBytes;
    }

    public int maxNestingDepth() {
        return maxNestingDepth;
    }

    /** What the {@code raw} column keeps (default {@link RawPolicy#UNMAPPED}, docs/raw-policy.md). */
    public RawPolicy rawPolicy() {
        return rawPolicy;
    }

    /** Whether {@link FlowParseFunction} also computes the derived columns (default true). */
    public boolean enrich() {
        return enrich;
    }

    /** Builder with validation. */
    public static final class Builder {
        private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
        private int maxDeadLetterPayloadBytes = DEFAULT_MAX_DEAD_LETTER_PAYLOAD_BYTES;
        private int maxNestingDepth = DEFAULT_MAX_NESTING_DEPTH;
        private RawPolicy rawPolicy = RawPolicy.UNMAPPED;
        private boolean enrich = true;

        public Builder maxMessageBytes(int v) {
            this.maxMessageBytes = v;
            return this;
        }

        public Builder maxDeadLetterPayloadBytes(int v) {
            this.maxDeadLetterPayloadBytes = v;
            return this;
        }

        public Builder maxNestingDepth(int v) {
            this.maxNestingDepth = v;
            return this;
        }

        public Builder rawPolicy(RawPolicy v) {
            this.rawPolicy = java.util.Objects.requireNonNull(v, "rawPolicy");
            return this;
        }

        public Builder enrich(boolean v) {
            this.enrich = v;
            return this;
        }

        public ParserConfig build() {
            if (maxMessageBytes < 64) {
                throw new IllegalArgumentException("maxMessageBytes must be >= 64: " + maxMessageBytes);
            }
            if (maxMessageBytes > FlowRecordSerializer.MAX_BYTES_FIELD) {
                // a record keeps its message as the raw column, which crosses the keyBy shuffle in one field
                throw new IllegalArgumentException("maxMessageBytes must be at most "
                        + FlowRecordSerializer.MAX_BYTES_FIELD + " (64 MiB): " + maxMessageBytes);
            }
            if (maxDeadLetterPayloadBytes < 16) {
                throw new IllegalArgumentException(
                        "maxDeadLetterPayloadBytes must be >= 16: " + maxDeadLetterPayloadBytes);
            }
            if (maxNestingDepth < 3) {
                throw new IllegalArgumentException(
                        "maxNestingDepth must be >= 3 (flow records nest 3 deep): " + maxNestingDepth);
            }
            return new ParserConfig(this);
        }
    }
}
