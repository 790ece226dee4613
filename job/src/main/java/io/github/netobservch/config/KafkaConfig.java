package io.github.netobservch.config;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Kafka consumer settings. Secrets are carried as {@link SecretRef}s and turned into Kafka
 * config-provider placeholders ({@code ${dir:...}}, {@code ${env:...}}), which the Kafka client
 * resolves when it is created on the TaskManager: the password never enters the job graph.
 */
public record KafkaConfig(
        String bootstrapServers,
        List<String> topics,
        String groupId,
        StartingOffsets startingOffsets,
        String securityProtocol,
        String saslMechanism,
        String saslUsername,
        SecretRef saslPassword,
        String truststoreLocation,
        String truststoreType,
        SecretRef truststorePassword,
        String keystoreLocation,
        String keystoreType,
        SecretRef keystorePassword,
        Map<String, String> passthrough)
        implements Serializable {

    /** Where a job without restored state starts reading. */
    public record StartingOffsets(Mode mode, long timestampMs) implements Serializable {
        public enum Mode {
            COMMITTED,
            EARLIEST,
            LATEST,
            TIMESTAMP
        }

        static StartingOffsets parse(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            if (v.startsWith("timestamp:")) {
                try {
                    long ts = Long.parseLong(v.substring("timestamp:".length()));
                    if (ts < 0) {
                        throw new NumberFormatException("negative");
                    }
                    return new StartingOffsets(Mode.TIMESTAMP, ts);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            "kafka.starting-offsets: '" + value + "' is not timestamp:EPOCH_MS");
                }
            }
            switch (v) {
                case "committed":
                    return new StartingOffsets(Mode.COMMITTED, -1);
                case "earliest":
                    return new StartingOffsets(Mode.EARLIEST, -1);
                case "latest":
                    return new StartingOffsets(Mode.LATEST, -1);
                default:
                    throw new IllegalArgumentException("kafka.starting-offsets: '" + value
                            + "' is not one of committed, earliest, latest, timestamp:EPOCH_MS");
            }
        }
    }

    private static final List<String> PROTOCOLS = List.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
    private static final List<String> MECHANISMS = List.of("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN");

    public KafkaConfig {
        topics = List.copyOf(topics);
        passthrough = Map.copyOf(passthrough);
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("kafka.bootstrap-servers is required");
        }
        if (topics.isEmpty() || topics.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("kafka.topics must name at least one topic");
        }
        if (!PROTOCOLS.contains(securityProtocol)) {
            throw new IllegalArgumentException(
                    "kafka.security-protocol: '" + securityProtocol + "' is not one of " + PROTOCOLS);
        }
        // Fields are assigned after this body: test the parameters, not isSasl()/isTls().
        boolean sasl = securityProtocol.startsWith("SASL_");
        boolean tls = securityProtocol.endsWith("SSL");
        if (sasl) {
            if (!MECHANISMS.contains(saslMechanism)) {
                throw new IllegalArgumentException(
                        "kafka.sasl.mechanism: '" + saslMechanism + "' is not one of " + MECHANISMS);
            }
            if (saslUsername == null || saslUsername.isBlank() || !saslPassword.isPresent()) {
                throw new IllegalArgumentException("kafka.security-protocol " + securityProtocol
                        + " needs kafka.sasl.username and kafka.sasl.password-file or kafka.sasl.password-env");
            }
            if (saslUsername.contains("\"") || saslUsername.contains("\\")) {
                throw new IllegalArgumentException("kafka.sasl.username must not contain quotes or backslashes");
            }
        }
        if (keystoreLocation != null && !tls) {
            throw new IllegalArgumentException("kafka.ssl.keystore-location is set but kafka.security-protocol is "
                    + securityProtocol + " (mTLS needs SSL or SASL_SSL)");
        }
    }

    public boolean isSasl() {
        return securityProtocol.startsWith("SASL_");
    }

    public boolean isTls() {
        return securityProtocol.endsWith("SSL");
    }

    /** Consumer properties, with secrets as config-provider references. */
    public Properties consumerProperties() {
        Properties p = new Properties();
        p.setProperty("security.protocol", securityProtocol);
        boolean needsDir = false;
        boolean needsEnv = false;
        if (isSasl()) {
            p.setProperty("sasl.mechanism", saslMechanism);
            String module = saslMechanism.equals("PLAIN")
                    ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                    : "org.apache.kafka.common.security.scram.ScramLoginModule";
            p.setProperty(
                    "sasl.jaas.config",
                    module + " required username=\"" + saslUsername + "\" password=\"" + placeholder(saslPassword)
                            + "\";");
            needsDir |= saslPassword.kind() == SecretRef.Kind.FILE;
            needsEnv |= saslPassword.kind() == SecretRef.Kind.ENV;
        }
        if (isTls() && truststoreLocation != null) {
            p.setProperty("ssl.truststore.location", truststoreLocation);
            p.setProperty("ssl.truststore.type", truststoreType);
            if (truststorePassword.isPresent()) {
                p.setProperty("ssl.truststore.password", placeholder(truststorePassword));
                needsDir |= truststorePassword.kind() == SecretRef.Kind.FILE;
                needsEnv |= truststorePassword.kind() == SecretRef.Kind.ENV;
            }
        }
        if (isTls() && keystoreLocation != null) {
            p.setProperty("ssl.keystore.location", keystoreLocation);
            p.setProperty("ssl.keystore.type", keystoreType);
            if (keystorePassword.isPresent()) {
                p.setProperty("ssl.keystore.password", placeholder(keystorePassword));
                needsDir |= keystorePassword.kind() == SecretRef.Kind.FILE;
                needsEnv |= keystorePassword.kind() == SecretRef.Kind.ENV;
            }
        }
        if (needsDir || needsEnv) {
            String providers = needsDir && needsEnv ? "dir,env" : needsDir ? "dir" : "env";
            p.setProperty("config.providers", providers);
            if (needsDir) {
                // DirectoryConfigProvider that drops one trailing newline, like SecretRef.resolve().
                p.setProperty("config.providers.dir.class", SecretFileConfigProvider.class.getName());
            }
            if (needsEnv) {
                p.setProperty(
                        "config.providers.env.class", "org.apache.kafka.common.config.provider.EnvVarConfigProvider");
            }
        }
        passthrough.forEach(p::setProperty);
        return p;
    }

    /** {@code ${dir:/etc/secret:password}} for a file, {@code ${env:VAR}} for a variable. */
    private static String placeholder(SecretRef ref) {
        if (ref.kind() == SecretRef.Kind.FILE) {
            Path path = Path.of(ref.location()).toAbsolutePath();
            return "${dir:" + path.getParent() + ":" + path.getFileName() + "}";
        }
        return "${env:" + ref.location() + "}";
    }
}
