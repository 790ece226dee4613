package io.github.netobservch.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.config.ConfigLoader;
import io.github.netobservch.config.KafkaConfig;
import io.github.netobservch.config.SecretFileConfigProvider;
import io.github.netobservch.hostile.HostileCorpus;
import io.github.netobservch.parse.KafkaMessage;
import io.github.netobservch.pipeline.FlowSources;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job's own Kafka source, built from {@link ConfigLoader} options exactly as {@code main} gets
 * them, against one broker with real listeners ({@link SecureKafka}): SASL_PLAINTEXT/SCRAM-SHA-512,
 * TLS, mutual TLS ({@code ssl.client.auth=required}, client keystore signed by the test CA) and
 * SASL_SSL (SCRAM over TLS). Every password comes from a file through Kafka's {@code ${dir:...}}
 * config provider. Negative controls: a wrong SCRAM password (over plaintext and over TLS), TLS and
 * SASL_SSL without the CA truststore, and mTLS without a client keystore make the job fail (no
 * restarts) with the authentication/handshake error, and the error text contains no password.
 */
@ExtendWith(SecurityFixtures.class)
class KafkaSecurityITCase {

    private static final int RECORDS = 20;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    @Test
    @Timeout(120)
    void saslScramSourceReadsEveryRecord(SecureKafka kafka) throws Exception {
        String topic = kafka.topicWith(records());
        KafkaConfig config = kafkaConfig(
                kafka.saslBootstrap,
                topic,
                "--kafka.security-protocol",
                "SASL_PLAINTEXT",
                "--kafka.sasl.mechanism",
                "SCRAM-SHA-512",
                "--kafka.sasl.username",
                SecureKafka.USER,
                "--kafka.sasl.password-file",
                kafka.saslPasswordFile.toString());
        assertThat(config.consumerProperties().toString())
                .doesNotContain(kafka.saslPassword)
                .contains("${dir:");
        assertThat(read(config)).hasSize(RECORDS);
    }

    @Test
    @Timeout(120)
    void tlsSourceReadsEveryRecord(SecureKafka kafka) throws Exception {
        String topic = kafka.topicWith(records());
        KafkaConfig config = kafkaConfig(
                kafka.sslBootstrap,
                topic,
                "--kafka.security-protocol",
                "SSL",
                "--kafka.ssl.truststore-location",
                kafka.pki.truststore.toString(),
                "--kafka.ssl.truststore-type",
                "PKCS12",
                "--kafka.ssl.truststore-password-file",
                kafka.pki.truststorePasswordFile.toString());
        assertThat(config.consumerProperties().toString()).doesNotContain(kafka.pki.truststorePassword);
        assertThat(read(config)).hasSize(RECORDS);
    }

    @Test
    @Timeout(120)
    void wrongScramPasswordFailsTheJobWithAnAuthenticationError(SecureKafka kafka, @TempDir Path dir) throws Exception {
        String topic = kafka.topicWith(records());
        String wrong = SecurityFixtures.marker("WrongKafkaPassword");
        Path file = Files.writeString(dir.resolve("password"), wrong);
        KafkaConfig config = kafkaConfig(
                kafka.saslBootstrap,
                topic,
                "--kafka.security-protocol",
                "SASL_PLAINTEXT",
                "--kafka.sasl.username",
                SecureKafka.USER,
                "--kafka.sasl.password-file",
                file.toString());
        Throwable failure = readExpectingFailure(config);
        String text = ExceptionUtils.stringifyException(failure);
        assertThat(text)
                .contains("SaslAuthenticationException")
                .doesNotContain(wrong)
                .doesNotContain(kafka.saslPassword);
    }

    @Test
    @Timeout(120)
    void tlsWithoutTheCaTruststoreFailsTheHandshake(SecureKafka kafka) throws Exception {
        String topic = kafka.topicWith(records());
        KafkaConfig config = kafkaConfig(kafka.sslBootstrap, topic, "--kafka.security-protocol", "SSL");
        Throwable failure = readExpectingFailure(config);
        String text = ExceptionUtils.stringifyException(failure);
        assertThat(text)
                .containsAnyOf("SslAuthenticationException", "SSLHandshakeException")
                .containsAnyOf("PKIX", "certification path");
    }

    @Test
    @Timeout(120)
    void mutualTlsSourceReadsEveryRecordWithTheClientKeystore(SecureKafka kafka) throws Exception {
        String topic = kafka.topicWith(records());
        KafkaConfig config = kafkaConfig(
                kafka.mtlsBootstrap,
                topic,
                withTruststore(
                        kafka,
                        "--kafka.security-protocol",
                        "SSL",
                        "--kafka.ssl.keystore-location",
                        kafka.pki.clientKeystore.toString(),
                        "--kafka.ssl.keystore-type",
                        "PKCS12",
                        "--kafka.ssl.keystore-password-file",
                        kafka.pki.clientKeystorePasswordFile.toString()));
        assertThat(config.consumerProperties().toString())
                .doesNotContain(kafka.pki.clientKeystorePassword)
                .doesNotContain(kafka.pki.truststorePassword)
                .contains("ssl.keystore.password=${dir:");
        assertThat(read(config)).hasSize(RECORDS);
    }

    @Test
    @Timeout(120)
    void mutualTlsWithoutAClientKeystoreIsRefusedByTheBroker(SecureKafka kafka) throws Exception {
        String topic = kafka.topicWith(records());
        KafkaConfig config =
                kafkaConfig(kafka.mtlsBootstrap, topic, withTruststore(kafka, "--kafka.security-protocol", "SSL"));
        String text = ExceptionUtils.stringifyException(readExpectingFailure(config));
        assertThat(text)
                .contains("SslAuthenticationException")
                .containsAnyOf("bad_certificate", "certificate_required")
                .doesNotContain(kafka.pki.truststorePassword)
                .doesNotContain(kafka.pki.clientKeystorePassword);
    }

    @Test
    @Timeout(120)
    void saslSslSourceReadsEveryRecord(SecureKafka kafka) throws Exception {
        String topic = kafka.topicWith(records());
        KafkaConfig config = kafkaConfig(
                kafka.saslSslBootstrap,
                topic,
                withTruststore(
                        kafka,
                        "--kafka.security-protocol",
                        "SASL_SSL",
                        "--kafka.sasl.mechanism",
                        "SCRAM-SHA-512",
                        "--kafka.sasl.username",
                        SecureKafka.USER,
                        "--kafka.sasl.password-file",
                        kafka.saslPasswordFile.toString()));
        assertThat(config.consumerProperties().toString())
                .doesNotContain(kafka.saslPassword)
                .doesNotContain(kafka.pki.truststorePassword);
        assertThat(read(config)).hasSize(RECORDS);
    }

    @Test
    @Timeout(120)
    void saslSslWithAWrongPasswordFailsAuthenticationOverTls(SecureKafka kafka, @TempDir Path dir) throws Exception {
        String topic = kafka.topicWith(records());
        String wrong = SecurityFixtures.marker("WrongKafkaPassword");
        Path file = Files.writeString(dir.resolve("password"), wrong);
        KafkaConfig config = kafkaConfig(
                kafka.saslSslBootstrap,
                topic,
                withTruststore(
                        kafka,
                        "--kafka.security-protocol",
                        "SASL_SSL",
                        "--kafka.sasl.username",
                        SecureKafka.USER,
                        "--kafka.sasl.password-file",
                        file.toString()));
        String text = ExceptionUtils.stringifyException(readExpectingFailure(config));
        // The TLS handshake succeeded (a handshake failure would be an SslAuthenticationException).
        assertThat(text)
                .contains("SaslAuthenticationException")
                .contains("SCRAM-SHA-512")
                .doesNotContain("SslAuthenticationException")
                .doesNotContain(wrong)
                .doesNotContain(kafka.saslPassword)
                .doesNotContain(kafka.pki.truststorePassword);
    }

    @Test
    @Timeout(120)
    void saslSslWithoutTheCaTruststoreFailsTheHandshakeBeforeSendingThePassword(SecureKafka kafka) throws Exception {
        String topic = kafka.topicWith(records());
        KafkaConfig config = kafkaConfig(
                kafka.saslSslBootstrap,
                topic,
                "--kafka.security-protocol",
                "SASL_SSL",
                "--kafka.sasl.username",
                SecureKafka.USER,
                "--kafka.sasl.password-file",
                kafka.saslPasswordFile.toString());
        String text = ExceptionUtils.stringifyException(readExpectingFailure(config));
        assertThat(text)
                .contains("SslAuthenticationException")
                .containsAnyOf("PKIX", "certification path")
                .doesNotContain("SaslAuthenticationException")
                .doesNotContain(kafka.saslPassword);
    }

    /** {@code security} plus the CA truststore (PKCS12) and its password file. */
    private static String[] withTruststore(SecureKafka kafka, String... security) {
        List<String> args = new ArrayList<>(List.of(security));
        args.addAll(List.of(
                "--kafka.ssl.truststore-location", kafka.pki.truststore.toString(),
                "--kafka.ssl.truststore-type", "PKCS12",
                "--kafka.ssl.truststore-password-file", kafka.pki.truststorePasswordFile.toString()));
        return args.toArray(String[]::new);
    }

    /**
     * Kafka 4.2 clients resolve {@code ${dir:...}} while {@code org.apache.kafka.automatic.config.providers}
     * is unset (the default) or lists the provider class; a platform that sets it to anything else makes
     * the consumer fail at creation. The password file ends with a newline (as {@code kubectl create
     * secret --from-file} of an editor-saved file does): the provider must drop it, like {@link
     * io.github.netobservch.config.SecretRef} does for ClickHouse — Kafka's own DirectoryConfigProvider
     * keeps it and the SCRAM login then fails.
     */
    @Test
    void kafkaClientsResolveTheJobsConfigProviderReferences(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("password"), "s3cr3t-from-file\n");
        KafkaConfig config = kafkaConfig(
                "localhost:1",
                "t",
                "--kafka.security-protocol",
                "SASL_SSL",
                "--kafka.sasl.username",
                "u",
                "--kafka.sasl.password-file",
                file.toString(),
                "--kafka.ssl.truststore-location",
                "/nonexistent/ca.p12",
                "--kafka.ssl.truststore-password-file",
                file.toString());
        String property = AbstractConfig.AUTOMATIC_CONFIG_PROVIDERS_PROPERTY;
        String before = System.getProperty(property);
        try {
            System.clearProperty(property);
            assertResolved(config, true);
            System.setProperty(property, SecretFileConfigProvider.class.getName());
            assertResolved(config, true);
            // Listing only Kafka's own DirectoryConfigProvider is not enough any more: the job registers its subclass.
            System.setProperty(property, "org.apache.kafka.common.config.provider.DirectoryConfigProvider");
            assertResolved(config, false);
            System.setProperty(property, "org.apache.kafka.common.config.provider.EnvVarConfigProvider");
            assertResolved(config, false);
        } finally {
            if (before == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, before);
            }
        }
    }

    private static void assertResolved(KafkaConfig config, boolean resolved) {
        Properties p = config.consumerProperties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        if (!resolved) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ConsumerConfig(p))
                    .hasMessageContaining("org.apache.kafka.automatic.config.providers");
            return;
        }
        ConsumerConfig resolvedConfig = new ConsumerConfig(p);
        assertThat(resolvedConfig.getPassword(SaslConfigs.SASL_JAAS_CONFIG).value())
                .contains("password=\"s3cr3t-from-file\"");
        assertThat(resolvedConfig
                        .getPassword(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG)
                        .value())
                .isEqualTo("s3cr3t-from-file");
    }

    static List<byte[]> records() {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            out.add(HostileCorpus.validRecord(50_000 + i, "").getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    static KafkaConfig kafkaConfig(String bootstrap, String topic, String... security) {
        List<String> args = new ArrayList<>(List.of(
                "--kafka.bootstrap-servers", bootstrap,
                "--kafka.topics", topic,
                "--kafka.group-id", "sec-" + topic,
                "--kafka.starting-offsets", "earliest",
                "--kafka.properties.request.timeout.ms", "10000",
                "--kafka.properties.default.api.timeout.ms", "15000",
                "--clickhouse.url", "http://127.0.0.1:1"));
        args.addAll(List.of(security));
        return ConfigLoader.load(args.toArray(String[]::new), Map.of()).kafka();
    }

    private static StreamExecutionEnvironment environment() {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        return env;
    }

    /** The job's bounded Kafka source → collected messages. */
    static List<KafkaMessage> read(KafkaConfig config) throws Exception {
        StreamExecutionEnvironment env = environment();
        List<KafkaMessage> out = new ArrayList<>();
        try (var it = env.fromSource(FlowSources.boundedKafka(config), WatermarkStrategy.noWatermarks(), "kafka")
                .executeAndCollect("secure-kafka-read")) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    /** Runs the source and returns its failure; fails the test if the job does not fail within 60 s. */
    static Throwable readExpectingFailure(KafkaConfig config) throws Exception {
        StreamExecutionEnvironment env = environment();
        env.fromSource(FlowSources.boundedKafka(config), WatermarkStrategy.noWatermarks(), "kafka")
                .sinkTo(new org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink<>());
        var client = env.executeAsync("secure-kafka-negative");
        try {
            client.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            client.cancel().get(30, TimeUnit.SECONDS);
            throw new AssertionError("the job neither failed nor finished within 60 s", e);
        }
        throw new AssertionError("the job finished although authentication should have failed");
    }
}
