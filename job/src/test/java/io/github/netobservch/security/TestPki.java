package io.github.netobservch.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away PKI made with the running JDK's {@code keytool}: a self-signed CA, a server key pair
 * for {@code localhost}/{@code 127.0.0.1} signed by it (PKCS12 keystore for the broker), and a
 * PKCS12 truststore holding only the CA (for the client). Passwords are random per run.
 */
final class TestPki {

    final Path dir;
    final Path serverKeystore;
    final String serverKeystorePassword;
    final Path truststore;
    final String truststorePassword;
    final Path truststorePasswordFile;

    private TestPki(Path dir, String serverPassword, String truststorePassword) throws IOException {
        this.dir = dir;
        this.serverKeystore = dir.resolve("server.p12");
        this.serverKeystorePassword = serverPassword;
        this.truststore = dir.resolve("truststore.p12");
        this.truststorePassword = truststorePassword;
        this.truststorePasswordFile = Files.writeString(dir.resolve("ca.password"), truststorePassword);
    }

    static TestPki create(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String caPassword = random();
        TestPki pki = new TestPki(dir, random(), random());
        Path ca = dir.resolve("ca.p12");
        Path caPem = dir.resolve("ca.pem");
        Path csr = dir.resolve("server.csr");
        Path serverPem = dir.resolve("server.pem");
        String ks = pki.serverKeystore.toString();
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=test-ca",
                "-ext", "bc:c", "-validity", "2", "-keystore", ca.toString(), "-storetype", "PKCS12",
                "-storepass", caPassword);
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", caPassword,
                "-file", caPem.toString());
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=localhost", "-validity", "2", "-keystore", ks, "-storetype", "PKCS12",
                "-storepass", pki.serverKeystorePassword);
        keytool("-certreq", "-alias", "server", "-keystore", ks, "-storepass", pki.serverKeystorePassword,
                "-file", csr.toString());
        keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", caPassword,
                "-infile", csr.toString(), "-outfile", serverPem.toString(), "-validity", "2",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-ext", "EKU=serverAuth");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caPem.toString(), "-keystore", ks,
                "-storepass", pki.serverKeystorePassword);
        keytool("-importcert", "-alias", "server", "-file", serverPem.toString(), "-keystore", ks,
                "-storepass", pki.serverKeystorePassword);
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caPem.toString(), "-keystore",
                pki.truststore.toString(), "-storetype", "PKCS12", "-storepass", pki.truststorePassword);
        return pki;
    }

    private static String random() {
        return "pw" + java.util.UUID.randomUUID().toString().replace("-", "");
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed: " + out);
        }
    }
}
