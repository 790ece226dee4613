package io.github.netobservch.loki.query;

/** A request the API refuses or cannot answer, with the HTTP status and Loki's wording. */
public final class LokiQueryException extends RuntimeException {

    private static final long serialVersionUID = 1L;
    private final int status;

    public LokiQueryException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
