package io.github.netobservch.loki.logql;

/**
 * A query this server cannot run: a syntax error ({@code parse error at line 1, col N: ...}, Loki's
 * wording) or a valid LogQL feature outside the supported subset. Both are answered with HTTP 400
 * and the message as the body, which the console shows as "Error from Loki: [400] ...".
 */
public final class LogQLException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public LogQLException(String message) {
        super(message);
    }

    static LogQLException syntax(int offset, String message) {
        return new LogQLException("parse error at line 1, col " + (offset + 1) + ": syntax error: " + message);
    }

    static LogQLException unsupported(int offset, String what) {
        return new LogQLException("parse error at line 1, col " + (offset + 1) + ": " + what
                + " is not supported by this server (NetObserv console subset, see docs/loki-api.md)");
    }
}
