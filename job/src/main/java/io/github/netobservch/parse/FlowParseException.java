package io.github.netobservch.parse;

/** A rejected message: reason, human-readable text and the offending field (if any). Stackless. */
public final class FlowParseException extends Exception {

    private static final long serialVersionUID = 1L;

    private final DeadLetterReason reason;
    private final String field;

    public FlowParseException(DeadLetterReason reason, String field, String message) {
        super(message, null, false, false);
        this.reason = reason;
        this.field = field;
    }

    public DeadLetterReason reason() {
        return reason;
    }

    /** JSON key involved, or {@code null}. */
    public String field() {
        return field;
    }
}
