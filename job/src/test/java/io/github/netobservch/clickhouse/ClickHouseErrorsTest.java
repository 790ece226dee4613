package io.github.netobservch.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import com.clickhouse.client.api.ClientException;
import com.clickhouse.client.api.ClientMisconfigurationException;
import com.clickhouse.client.api.ConnectionInitiationException;
import com.clickhouse.client.api.ServerException;
import io.github.netobservch.clickhouse.ClickHouseErrors.Kind;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ClickHouseErrorsTest {

    static Stream<Arguments> serverCodes() {
        return Stream.of(
                Arguments.of(3, Kind.TRANSIENT), // UNEXPECTED_END_OF_FILE
                Arguments.of(159, Kind.TRANSIENT), // TIMEOUT_EXCEEDED
                Arguments.of(202, Kind.TRANSIENT), // TOO_MANY_SIMULTANEOUS_QUERIES
                Arguments.of(209, Kind.TRANSIENT), // SOCKET_TIMEOUT
                Arguments.of(210, Kind.TRANSIENT), // NETWORK_ERROR
                Arguments.of(241, Kind.TRANSIENT), // MEMORY_LIMIT_EXCEEDED
                Arguments.of(242, Kind.TRANSIENT), // TABLE_IS_READ_ONLY
                Arguments.of(252, Kind.TRANSIENT), // TOO_MANY_PARTS
                Arguments.of(319, Kind.TRANSIENT), // UNKNOWN_STATUS_OF_INSERT
                Arguments.of(425, Kind.TRANSIENT), // SYSTEM_ERROR
                Arguments.of(999, Kind.TRANSIENT), // KEEPER_EXCEPTION
                Arguments.of(16, Kind.PERMANENT), // NO_SUCH_COLUMN_IN_TABLE
                Arguments.of(27, Kind.PERMANENT), // CANNOT_PARSE_INPUT_ASSERTION_FAILED
                Arguments.of(33, Kind.PERMANENT), // CANNOT_READ_ALL_DATA (payload does not match the columns)
                Arguments.of(36, Kind.PERMANENT), // BAD_ARGUMENTS
                Arguments.of(47, Kind.PERMANENT), // UNKNOWN_IDENTIFIER
                Arguments.of(60, Kind.PERMANENT), // UNKNOWN_TABLE
                Arguments.of(62, Kind.PERMANENT), // SYNTAX_ERROR
                Arguments.of(81, Kind.PERMANENT), // UNKNOWN_DATABASE
                Arguments.of(115, Kind.PERMANENT), // UNKNOWN_SETTING
                Arguments.of(164, Kind.PERMANENT), // READONLY
                Arguments.of(497, Kind.PERMANENT), // ACCESS_DENIED
                Arguments.of(516, Kind.PERMANENT), // AUTHENTICATION_FAILED
                Arguments.of(12345, Kind.PERMANENT)); // unknown: fail loudly
    }

    @ParameterizedTest(name = "code {0} -> {1}")
    @MethodSource("serverCodes")
    void serverCodesFromClientV2AndJdbc(int code, Kind expected) {
        assertThat(ClickHouseErrors.classify(
                        new ServerException(code, "Code: " + code + ". DB::Exception: x", 500, "q")))
                .isEqualTo(expected);
        assertThat(ClickHouseErrors.classify(
                        new ClientException("wrapped", new ServerException(code, "boom", 500, "q"))))
                .isEqualTo(expected);
        assertThat(ClickHouseErrors.classify(new SQLException("jdbc", "HY000", code)))
                .isEqualTo(expected);
        assertThat(ClickHouseErrors.serverCode(new ServerException(code, "boom", 500, "q")))
                .hasValue(code);
    }

    static Stream<Arguments> clientSide() {
        return Stream.of(
                Arguments.of(new ConnectException("Connection refused"), Kind.TRANSIENT),
                Arguments.of(new SocketTimeoutException("Read timed out"), Kind.TRANSIENT),
                Arguments.of(new ConnectionInitiationException("no route", new ConnectException()), Kind.TRANSIENT),
                Arguments.of(
                        new ClientException("Failed to get response", new java.io.IOException("reset")),
                        Kind.TRANSIENT),
                Arguments.of(
                        new ServerException(ServerException.CODE_UNKNOWN, "Bad Gateway", 502, "q"), Kind.TRANSIENT),
                Arguments.of(new ServerException(ServerException.CODE_UNKNOWN, "Not Found", 404, "q"), Kind.PERMANENT),
                Arguments.of(new ClientMisconfigurationException("bad option"), Kind.PERMANENT),
                // The connection dropped during the handshake: may recover.
                Arguments.of(
                        new ClientException(
                                "SSL Problem",
                                new javax.net.ssl.SSLHandshakeException("Remote host terminated the handshake")),
                        Kind.TRANSIENT),
                // The server certificate was rejected (untrusted CA, expired, wrong host): only configuration helps.
                Arguments.of(rejectedCertificate(), Kind.PERMANENT),
                Arguments.of(
                        new ClientException(
                                "SSL Problem",
                                new javax.net.ssl.SSLPeerUnverifiedException(
                                        "Certificate for <ch.example> doesn't match any of the subject alternative names")),
                        Kind.PERMANENT),
                Arguments.of(new SQLException("SSL Problem", "HY000", 0, rejectedCertificate()), Kind.PERMANENT),
                Arguments.of(new IllegalArgumentException("bug"), Kind.PERMANENT));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("clientSide")
    void clientSideFailures(Throwable failure, Kind expected) {
        assertThat(ClickHouseErrors.classify(failure)).isEqualTo(expected);
    }

    /** What client-v2 0.10.0 throws when the JVM's trust manager rejects the server certificate. */
    private static Throwable rejectedCertificate() {
        var validator = new java.security.cert.CertificateException(
                "PKIX path building failed",
                new java.security.cert.CertPathBuilderException(
                        "unable to find valid certification path to requested target"));
        var handshake = new javax.net.ssl.SSLHandshakeException("PKIX path building failed");
        handshake.initCause(validator);
        return new com.clickhouse.client.api.TransportException("SSL Problem", handshake, "query-id");
    }

    @org.junit.jupiter.api.Test
    void describeSaysWhenTheServerCertificateWasRejected() {
        assertThat(ClickHouseErrors.describe(rejectedCertificate()))
                .isEqualTo("TLS verification of the ClickHouse"
                        + " server certificate failed: unable to find valid certification path to requested target. Set"
                        + " clickhouse.ssl.root-cert to the CA certificate (PEM) that signed the server certificate, and check"
                        + " that the certificate names the host in the URL");
        assertThat(ClickHouseErrors.tlsVerificationFailure(new java.io.IOException("reset")))
                .isEmpty();
    }

    @org.junit.jupiter.api.Test
    void describeNamesTheCode() {
        assertThat(ClickHouseErrors.describe(
                        new ServerException(252, "Code: 252. DB::Exception: Too many parts\nstack", 500, "q")))
                .isEqualTo("ClickHouse error 252 (TOO_MANY_PARTS): Code: 252. DB::Exception: Too many parts");
    }
}
