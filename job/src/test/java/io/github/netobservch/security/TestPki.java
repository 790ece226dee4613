package io.github.netobservch.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away PKI made with the running JDK's {@code keytool}: a self-signed CA (also as PEM, for
 * ClickHouse's {@code sslrootcert}), a server key pair for {@code localhost}/{@code 127.0.0.1} signed
 * by it (PKCS12 keystore for the broker and the HTTPS ClickHouse endpoint; EKU serverAuth), a client
 * key pair signed by it (PKCS12 keystore for mTLS; EKU clientAuth), and a PKCS12 truststore holding
 * only the CA. Passwords are random per run and also written to files, as Kubernetes Secrets mount them.
 */
public final class TestPki {

    final Path dir;
    final Path caPem;
    final Path serverKeystore;
    final String serverKeystorePassword;
    final Path serverKeystorePasswordFile;
    final Path clientKeystore;
    final String clientKeystorePassword;
    final Path clientKeystorePasswordFile;
    final Path truststore;
    final String truststorePassword;
    final Path truststorePasswordFile;

    private static final String SERVER_PASSWORD_FILE = "server.password";
    private static final String CLIENT_PASSWORD_FILE = "client.password";
    private static final String TRUSTSTORE_PASSWORD_FILE = "ca.password";

    private TestPki(Path dir, String serverPassword, String clientPassword, String truststorePassword)
            throws IOException {
        this(dir, serverPassword, clientPassword, truststorePassword, true);
    }

    private TestPki(
            Path dir, String serverPassword, String clientPassword, String truststorePassword, boolean writeFiles)
            throws IOException {
        this.dir = dir;
        this.caPem = dir.resolve("ca.pem");
        this.serverKeystore = dir.resolve("server.p12");
        this.serverKeystorePassword = serverPassword;
        this.serverKeystorePasswordFile = dir.resolve(SERVER_PASSWORD_FILE);
        this.clientKeystore = dir.resolve("client.p12");
        this.clientKeystorePassword = clientPassword;
        this.clientKeystorePasswordFile = dir.resolve(CLIENT_PASSWORD_FILE);
        this.truststore = dir.resolve("truststore.p12");
        this.truststorePassword = truststorePassword;
        this.truststorePasswordFile = dir.resolve(TRUSTSTORE_PASSWORD_FILE);
        if (writeFiles) {
            Files.writeString(serverKeystorePasswordFile, serverPassword);
            // Trailing newline, as an editor-saved file gives it: the job's config provider must drop it.
            Files.writeString(clientKeystorePasswordFile, clientPassword + "\n");
            Files.writeString(truststorePasswordFile, truststorePassword);
        }
    }

    /** The PKI {@link #create} made in {@code dir}, read back from its files (another process's view of it). */
    public static TestPki load(Path dir) throws IOException {
        return new TestPki(
                dir,
                Files.readString(dir.resolve(SERVER_PASSWORD_FILE)),
                Files.readString(dir.resolve(CLIENT_PASSWORD_FILE)).strip(),
                Files.readString(dir.resolve(TRUSTSTORE_PASSWORD_FILE)),
                false);
    }

    /** The job options ({@code kafka.*}) of a client that authenticates with this PKI's client certificate. */
    public java.util.Map<String, String> mtlsJobOptions() {
        return java.util.Map.of(
                "kafka.security-protocol", "SSL",
                "kafka.ssl.truststore-location", truststore.toString(),
                "kafka.ssl.truststore-password-file", truststorePasswordFile.toString(),
                "kafka.ssl.keystore-location", clientKeystore.toString(),
                "kafka.ssl.keystore-password-file", clientKeystorePasswordFile.toString());
    }

    /**
     * Broker properties for a TLS listener {@code name} (lower case) that presents this PKI's server
     * certificate.
     */
    public java.util.Map<String, String> serverListenerProperties(String name) {
        String prefix = "listener.name." + name + ".";
        return java.util.Map.of(
                prefix + "ssl.keystore.location",
                serverKeystore.toString(),
                prefix + "ssl.keystore.password",
                serverKeystorePassword,
                prefix + "ssl.key.password",
                serverKeystorePassword,
                prefix + "ssl.keystore.type",
                "PKCS12");
    }

    /**
     * {@link #serverListenerProperties}, and the listener requires a client certificate signed by this
     * PKI's CA.
     */
    public java.util.Map<String, String> mtlsListenerProperties(String name) {
        String prefix = "listener.name." + name + ".";
        java.util.Map<String, String> properties = new java.util.HashMap<>(serverListenerProperties(name));
        properties.put(prefix + "ssl.client.auth", "required");
        properties.put(prefix + "ssl.truststore.location", truststore.toString());
        properties.put(prefix + "ssl.truststore.password", truststorePassword);
        properties.put(prefix + "ssl.truststore.type", "PKCS12");
        return properties;
    }

    public static TestPki create(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String caPassword = random();
        TestPki pki = new TestPki(dir, random(), random(), random());
        Path ca = dir.resolve("ca.p12");
        keytool(
                "-genkeypair",
                "-alias",
                "ca",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=test-ca",
                "-ext",
                "bc:c",
                "-validity",
                "2",
                "-keystore",
                ca.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                caPassword);
        keytool(
                "-exportcert",
                "-rfc",
                "-alias",
                "ca",
                "-keystore",
                ca.toString(),
                "-storepass",
                caPassword,
                "-file",
                pki.caPem.toString());
        pki.issue(
                ca,
                caPassword,
                "server",
                "CN=localhost",
                pki.serverKeystore,
                pki.serverKeystorePassword,
                "-ext",
                "SAN=dns:localhost,ip:127.0.0.1",
                "-ext",
                "EKU=serverAuth");
        pki.issue(
                ca,
                caPassword,
                "client",
                "CN=netobserv-flink",
                pki.clientKeystore,
                pki.clientKeystorePassword,
                "-ext",
                "EKU=clientAuth");
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "ca",
                "-file",
                pki.caPem.toString(),
                "-keystore",
                pki.truststore.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                pki.truststorePassword);
        return pki;
    }

    /** Another self-signed CA, as PEM only: what a client trusting the wrong CA holds. */
    static Path unrelatedCaPem(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String password = random();
        Path ca = dir.resolve("unrelated-ca.p12");
        Path pem = dir.resolve("unrelated-ca.pem");
        keytool(
                "-genkeypair",
                "-alias",
                "ca",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=unrelated-ca",
                "-ext",
                "bc:c",
                "-validity",
                "2",
                "-keystore",
                ca.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                password);
        keytool(
                "-exportcert",
                "-rfc",
                "-alias",
                "ca",
                "-keystore",
                ca.toString(),
                "-storepass",
                password,
                "-file",
                pem.toString());
        return pem;
    }

    /** A key pair in {@code keystore} whose certificate the CA signed, with the CA certificate as its chain. */
    private void issue(
            Path ca,
            String caPassword,
            String alias,
            String dname,
            Path keystore,
            String password,
            String... extensions)
            throws IOException, InterruptedException {
        Path csr = dir.resolve(alias + ".csr");
        Path pem = dir.resolve(alias + ".pem");
        String ks = keystore.toString();
        keytool(
                "-genkeypair",
                "-alias",
                alias,
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                dname,
                "-validity",
                "2",
                "-keystore",
                ks,
                "-storetype",
                "PKCS12",
                "-storepass",
                password);
        keytool("-certreq", "-alias", alias, "-keystore", ks, "-storepass", password, "-file", csr.toString());
        List<String> gencert = new ArrayList<>(List.of(
                "-gencert",
                "-rfc",
                "-alias",
                "ca",
                "-keystore",
                ca.toString(),
                "-storepass",
                caPassword,
                "-infile",
                csr.toString(),
                "-outfile",
                pem.toString(),
                "-validity",
                "2"));
        gencert.addAll(List.of(extensions));
        keytool(gencert.toArray(String[]::new));
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "ca",
                "-file",
                caPem.toString(),
                "-keystore",
                ks,
                "-storepass",
                password);
        keytool("-importcert", "-alias", alias, "-file", pem.toString(), "-keystore", ks, "-storepass", password);
    }

    private static String random() {
        return "pw" + java.util.UUID.randomUUID().toString().replace("-", "");
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        // A short-lived JVM per call: C1 only and the serial GC start it about twice as fast.
        command.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed: " + out);
        }
    }
}
