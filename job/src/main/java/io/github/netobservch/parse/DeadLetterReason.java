package io.github.netobservch.parse;

/**
 * Why a Kafka message did not become a flow record. {@link #code()} is stored in ClickHouse
 * ({@code flows_dlq.reason}) and used as a metric label: codes are stable, never rename or reuse
 * one; add new values at the end.
 */
public enum DeadLetterReason {
    /** Null (tombstone), zero-length or whitespace-only value. */
    EMPTY,
    /** Value longer than {@link ParserConfig#maxMessageBytes()}. */
    OVERSIZED,
    /** Bytes are not well-formed UTF-8 (strict: overlongs and surrogates rejected). */
    NOT_UTF8,
    /** Not JSON: syntax error, NaN/Infinity, trailing content after the object, unterminated input. */
    MALFORMED_JSON,
    /** Valid JSON whose root is an array or a scalar. */
    NOT_AN_OBJECT,
    /** Nesting deeper than {@link ParserConfig#maxNestingDepth()}. */
    NESTING_TOO_DEEP,
    /** The same key twice in one object (Go's encoder never does this; the value would be ambiguous). */
    DUPLICATE_FIELD,
    /**
     * A required field is absent, null or empty: {@code TimeFlowStartMs}, {@code TimeFlowEndMs},
     * and on IP flows ({@code Etype} 2048/34525) {@code SrcAddr} and {@code DstAddr}.
     */
    MISSING_FIELD,
    /**
     * A required field has the wrong JSON type (string for a number, fraction for an integer, …).
     * On an optional field this is a parse warning instead: the flow is loaded without it.
     */
    WRONG_TYPE,
    /**
     * A required field's number outside its column's range; on an optional field (negative
     * counter, port > 65535, a sum above the column, …) a parse warning instead.
     */
    OUT_OF_RANGE,
    /** An address field that is not strict IPv4/IPv6 text. */
    INVALID_IP,
    /** A MAC field that is not {@code xx:xx:xx:xx:xx:xx}. */
    INVALID_MAC,
    /** {@code TimeFlowEndMs < TimeFlowStartMs}. */
    END_BEFORE_START,
    /** A bug in the job: an unexpected exception while parsing; the message carries its text. */
    INTERNAL_ERROR;

    /** The stable code stored downstream (the constant's name). */
    public String code() {
        return name();
    }
}
