package io.github.netobservch.clickhouse;

import com.clickhouse.client.api.ClientMisconfigurationException;
import com.clickhouse.client.api.ConnectionInitiationException;
import com.clickhouse.client.api.DataTransferException;
import com.clickhouse.client.api.ServerException;
import com.clickhouse.client.api.TransportException;
import java.io.IOException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Decides whether a failed INSERT may be repeated (with the same token) after a pause.
 *
 * <p>TRANSIENT: the server or the network may recover by itself; the committer backs off and
 * retries with the same token, then hands the request back to Flink with {@code retryLater()}.
 * PERMANENT: repeating the same INSERT gives the same error (schema, syntax, auth, payload); the
 * committer fails the job with {@code signalFailedWithUnknownReason}, which keeps the committable in
 * the checkpoint so it is committed once the cause is fixed. Unknown server codes are PERMANENT: a
 * clear failure beats silent retry loops, and the restart strategy still retries through a
 * failover.
 */
public final class ClickHouseErrors {

    /** What the committer does with a failure. */
    public enum Kind {
        TRANSIENT,
        PERMANENT
    }

    /** Server error codes that are worth retrying, with their names (from ErrorCodes.cpp). */
    static final Map<Integer, String> TRANSIENT_CODES = Map.ofEntries(
            Map.entry(3, "UNEXPECTED_END_OF_FILE"),
            Map.entry(32, "ATTEMPT_TO_READ_AFTER_EOF"),
            Map.entry(159, "TIMEOUT_EXCEEDED"),
            Map.entry(173, "CANNOT_ALLOCATE_MEMORY"),
            Map.entry(202, "TOO_MANY_SIMULTANEOUS_QUERIES"),
            Map.entry(203, "NO_FREE_CONNECTION"),
            Map.entry(209, "SOCKET_TIMEOUT"),
            Map.entry(210, "NETWORK_ERROR"),
            Map.entry(225, "NO_ZOOKEEPER"),
            Map.entry(236, "ABORTED"),
            Map.entry(241, "MEMORY_LIMIT_EXCEEDED"),
            Map.entry(242, "TABLE_IS_READ_ONLY"),
            Map.entry(243, "NOT_ENOUGH_SPACE"),
            Map.entry(252, "TOO_MANY_PARTS"),
            Map.entry(279, "ALL_CONNECTION_TRIES_FAILED"),
            Map.entry(319, "UNKNOWN_STATUS_OF_INSERT"),
            Map.entry(394, "QUERY_WAS_CANCELLED"),
            Map.entry(425, "SYSTEM_ERROR"),
            Map.entry(439, "CANNOT_SCHEDULE_TASK"),
            Map.entry(999, "KEEPER_EXCEPTION"),
            Map.entry(1000, "POCO_EXCEPTION"));

    /**
     * Server error codes that are certainly permanent (documentation; every code not in
     * {@link #TRANSIENT_CODES} is permanent).
     */
    static final Map<Integer, String> PERMANENT_CODES = Map.ofEntries(
            Map.entry(16, "NO_SUCH_COLUMN_IN_TABLE"),
            Map.entry(27, "CANNOT_PARSE_INPUT_ASSERTION_FAILED"),
            Map.entry(33, "CANNOT_READ_ALL_DATA"),
            Map.entry(36, "BAD_ARGUMENTS"),
            Map.entry(47, "UNKNOWN_IDENTIFIER"),
            Map.entry(53, "TYPE_MISMATCH"),
            Map.entry(60, "UNKNOWN_TABLE"),
            Map.entry(62, "SYNTAX_ERROR"),
            Map.entry(81, "UNKNOWN_DATABASE"),
            Map.entry(115, "UNKNOWN_SETTING"),
            // READONLY: the user or profile forbids writes; configuration, not load.
            Map.entry(164, "READONLY"),
            Map.entry(497, "ACCESS_DENIED"),
            Map.entry(516, "AUTHENTICATION_FAILED"));

    /** ClickHouse's code for a missing privilege. */
    public static final int ACCESS_DENIED = 497;

    private ClickHouseErrors() {}

    public static Kind classify(Throwable failure) {
        if (tlsVerificationFailure(failure).isPresent()) {
            return Kind.PERMANENT;
        }
        OptionalInt code = serverCode(failure);
        if (code.isPresent() && code.getAsInt() != ServerException.CODE_UNKNOWN) {
            return TRANSIENT_CODES.containsKey(code.getAsInt()) ? Kind.TRANSIENT : Kind.PERMANENT;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ClientMisconfigurationException) {
                return Kind.PERMANENT;
            }
            if (t instanceof ServerException) {
                // No ClickHouse code (e.g. an HTTP proxy's 502/503/504 page): retry gateway/overload statuses.
                int status = ((ServerException) t).getTransportProtocolCode();
                return status == 408 || status == 429 || status >= 500 ? Kind.TRANSIENT : Kind.PERMANENT;
            }
            if (t instanceof IOException
                    || t instanceof TimeoutException
                    || t instanceof ConnectionInitiationException
                    || t instanceof TransportException
                    || t instanceof DataTransferException) {
                return Kind.TRANSIENT;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return Kind.PERMANENT;
    }

    /** The ClickHouse error code in the cause chain (client-v2 or JDBC), if any. */
    public static OptionalInt serverCode(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ServerException) {
                return OptionalInt.of(((ServerException) t).getCode());
            }
            if (t instanceof SQLException && ((SQLException) t).getErrorCode() > 0) {
                return OptionalInt.of(((SQLException) t).getErrorCode());
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return OptionalInt.empty();
    }

    /**
     * When the client rejected the server's certificate (no chain to a trusted CA, expired, or not
     * naming the host), a sentence saying so and what to set; empty for any other failure. Handshake
     * failures that are not about the certificate (e.g. the connection dropped) are not included.
     */
    public static Optional<String> tlsVerificationFailure(Throwable failure) {
        Throwable rejected = null;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CertificateException
                    || t instanceof CertPathBuilderException
                    || t instanceof CertPathValidatorException
                    || t instanceof SSLPeerUnverifiedException) {
                rejected = t; // the innermost one says most precisely what was wrong
            }
            if (t.getCause() == t) {
                break;
            }
        }
        if (rejected == null) {
            return Optional.empty();
        }
        return Optional.of("TLS verification of the ClickHouse server certificate failed: "
                + firstLine(rejected.getMessage())
                + ". Set clickhouse.ssl.root-cert to the CA certificate (PEM) that signed the server certificate,"
                + " and check that the certificate names the host in the URL");
    }

    /** One line for logs: code and name when known, the exception type and message otherwise. */
    public static String describe(Throwable failure) {
        Optional<String> tls = tlsVerificationFailure(failure);
        if (tls.isPresent()) {
            return tls.get();
        }
        OptionalInt code = serverCode(failure);
        if (code.isPresent()) {
            int c = code.getAsInt();
            String name = TRANSIENT_CODES.getOrDefault(c, PERMANENT_CODES.getOrDefault(c, "code"));
            String text = "ClickHouse error " + c + " (" + name + "): " + firstLine(failure.getMessage());
            if (c == ACCESS_DENIED) {
                text += " — the sink's ClickHouse user lacks a privilege it needs (the grants: flink-k8s/README.md,"
                        + " ClickHouse user); this is not a connectivity problem";
            }
            return text;
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return failure.getClass().getSimpleName() + ": " + firstLine(failure.getMessage())
                + (root != failure
                        ? " (caused by " + root.getClass().getSimpleName() + ": " + firstLine(root.getMessage()) + ")"
                        : "");
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 500 ? line.substring(0, 500) + "…" : line;
    }
}
