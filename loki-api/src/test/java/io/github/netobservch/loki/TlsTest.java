package io.github.netobservch.loki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS and mTLS with PEM files as a Kubernetes Secret holds them (tls.crt, tls.key): keys made
 * with the JDK's keytool, converted to PEM here. With a client CA, a client without a certificate
 * never gets an HTTP answer; plain HTTP on the TLS port gets none either.
 */
class TlsTest {

    private static final char[] PASS = "changeit".toCharArray();

    @TempDir
    static Path dir;

    @BeforeAll
    static void keys() throws Exception {
        for (String name : List.of("server", "client")) {
            keytool(
                    "-genkeypair",
                    "-alias",
                    name,
                    "-keyalg",
                    "EC",
                    "-groupname",
                    "secp256r1",
                    "-dname",
                    "CN=" + name,
                    "-ext",
                    "SAN=ip:127.0.0.1,dns:localhost",
                    "-validity",
                    "2",
                    "-keystore",
                    dir.resolve(name + ".p12").toString(),
                    "-storetype",
                    "PKCS12",
                    "-storepass",
                    new String(PASS));
            KeyStore ks = keyStore(name);
            Files.writeString(
                    dir.resolve(name + ".crt"),
                    pem("CERTIFICATE", ks.getCertificate(name).getEncoded()));
            Files.writeString(
                    dir.resolve(name + ".key"),
                    pem("PRIVATE KEY", ks.getKey(name, PASS).getEncoded()));
        }
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    private static KeyStore keyStore(String name) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve(name + ".p12"))) {
            ks.load(in, PASS);
        }
        return ks;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static LokiApi.Running start(String... extra) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of(
                "--listen.host",
                "127.0.0.1",
                "--listen.port",
                "0",
                "--clickhouse.url",
                "http://127.0.0.1:1",
                "--tls.cert",
                dir.resolve("server.crt").toString(),
                "--tls.key",
                dir.resolve("server.key").toString()));
        args.addAll(List.of(extra));
        return ApiArgs.start(Clock.systemUTC(), args.toArray(String[]::new));
    }

    private static HttpClient client(boolean withCertificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        Certificate server = keyStore("server").getCertificate("server");
        trust.setCertificateEntry("server", server);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        KeyManagerFactory kmf = null;
        if (withCertificate) {
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore("client"), PASS);
        }
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return HttpClient.newBuilder()
                .sslContext(ctx)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    private static HttpResponse<String> get(HttpClient c, String url) throws Exception {
        return c.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesHttpsAndNothingInPlainText() throws Exception {
        try (LokiApi.Running api = start("--auth.anonymous")) {
            int port = api.server().port();
            HttpResponse<String> r = get(client(false), "https://127.0.0.1:" + port + "/config");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("max_chunk_age");
            assertThatThrownBy(() -> get(HttpClient.newHttpClient(), "http://127.0.0.1:" + port + "/config"))
                    .isInstanceOf(IOException.class);
        }
    }

    @Test
    void mutualTlsRequiresAClientCertificateSignedByTheClientCa() throws Exception {
        try (LokiApi.Running api =
                start("--tls.client-ca", dir.resolve("client.crt").toString())) {
            int port = api.server().port();
            HttpResponse<String> r = get(client(true), "https://127.0.0.1:" + port + "/config");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThatThrownBy(() -> get(client(false), "https://127.0.0.1:" + port + "/config"))
                    .isInstanceOf(IOException.class);
        }
    }
}
