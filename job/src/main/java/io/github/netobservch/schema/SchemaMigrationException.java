package io.github.netobservch.schema;

/** The schema cannot be brought to the state the migrations describe; the message says why and what to do. */
public class SchemaMigrationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SchemaMigrationException(String message) {
        super(message);
    }

    public SchemaMigrationException(String message, Throwable cause) {
        super(message, cause);
    }
}
