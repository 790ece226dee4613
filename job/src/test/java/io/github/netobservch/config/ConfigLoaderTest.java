package io.github.netobservch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static final String[] MINIMAL = {
        "--kafka.bootstrap-servers", "kafka:9092", "--clickhouse.url", "http://clickhouse:8123"
    };

    @Test
    void defaultsApplyWhenOnlyRequiredOptionsAreGiven() {
        JobConfig config = ConfigLoader.load(MINIMAL, Map.of());
        assertThat(config.kafka().bootstrapServers()).isEqualTo("kafka:9092");
        assertThat(config.kafka().topics()).containsExactly("flows-export");
        assertThat(config.kafka().groupId()).isEqualTo("netobserv-clickhouse");
        assertThat(config.kafka().startingOffsets().mode()).isEqualTo(KafkaConfig.StartingOffsets.Mode.COMMITTED);
        assertThat(config.kafka().securityProtocol()).isEqualTo("PLAINTEXT");
        assertThat(config.clickHouse().database()).isEqualTo("netobserv");
        assertThat(config.clickHouse().user()).isEqualTo("default");
        assertThat(config.clickHouse().password()).isEqualTo(SecretRef.optionalEnv("CLICKHOUSE_PASSWORD"));
    }

    @Test
    void argumentsOverrideEnvironmentWhichOverridesTheConfigFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("job.yaml");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "# flat YAML-style lines work",
                        "kafka.bootstrap-servers: from-file:9092",
                        "kafka.group-id: \"file-group\"",
                        "kafka.topics: a;b",
                        "clickhouse.url: http://file:8123",
                        "clickhouse.database: from_file"));
        Map<String, String> env = Map.of(
                "FLOWS_KAFKA_GROUP_ID", "env-group",
                "FLOWS_CLICKHOUSE_DATABASE", "from_env");
        JobConfig config =
                ConfigLoader.load(new String[] {"--config", file.toString(), "--clickhouse.database=from_args"}, env);
        assertThat(config.kafka().bootstrapServers()).isEqualTo("from-file:9092");
        assertThat(config.kafka().topics()).containsExactly("a", "b");
        assertThat(config.kafka().groupId()).isEqualTo("env-group");
        assertThat(config.clickHouse().database()).isEqualTo("from_args");
    }

    @Test
    void unknownOptionsAreRejectedWithASuggestion() {
        assertThatThrownBy(() -> ConfigLoader.load(
                        new String[] {"--kafka.bootstrap-server", "k:9092", "--clickhouse.url", "http://c:8123"},
                        Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown option 'kafka.bootstrap-server'")
                .hasMessageContaining("did you mean 'kafka.bootstrap-servers'");
    }

    @Test
    void missingRequiredOptionNamesTheOptionAndItsVariable() {
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--clickhouse.url", "http://c:8123"}, Map.of()))
                .hasMessageContaining("missing required option kafka.bootstrap-servers")
                .hasMessageContaining("FLOWS_KAFKA_BOOTSTRAP_SERVERS");
    }

    @Test
    void malformedArgumentsAndValuesAreRejected() {
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"kafka.bootstrap-servers"}, Map.of()))
                .hasMessageContaining("options are --key value");
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--kafka.group-id"}, Map.of()))
                .hasMessageContaining("needs a value");
        assertThatThrownBy(() -> ConfigLoader.load(with("--kafka.starting-offsets", "yesterday"), Map.of()))
                .hasMessageContaining("kafka.starting-offsets: 'yesterday'");
        assertThatThrownBy(() -> ConfigLoader.load(with("--kafka.security-protocol", "TLS"), Map.of()))
                .hasMessageContaining("kafka.security-protocol: 'TLS'");
        assertThatThrownBy(() -> ConfigLoader.load(with("--clickhouse.database", "x; DROP TABLE y"), Map.of()))
                .hasMessageContaining("not a plain identifier");
        assertThatThrownBy(() -> ConfigLoader.load(
                        new String[] {"--kafka.bootstrap-servers", "k:1", "--clickhouse.url", "http://u:pw@c:8123"},
                        Map.of()))
                .hasMessageContaining("must not contain credentials")
                .hasMessageNotContaining("pw@");
        // Trust material for a plain-http URL: the operator meant TLS and would silently not get it.
        assertThatThrownBy(() -> ConfigLoader.load(with("--clickhouse.ssl.root-cert", "/etc/ch/ca.crt"), Map.of()))
                .hasMessageContaining("clickhouse.ssl.root-cert is set but clickhouse.url 'http://clickhouse:8123'"
                        + " is not https://");
    }

    @Test
    void pipelineAndSinkOptionsAreTypedAndValidated() {
        JobConfig defaults = ConfigLoader.load(MINIMAL, Map.of());
        assertThat(defaults.pipeline().checkpointInterval()).isNull();
        assertThat(defaults.pipeline().dedup().mode())
                .isEqualTo(io.github.netobservch.dedup.DedupMode.REPORTER_ELECTION);
        assertThat(defaults.pipeline().parser().maxMessageBytes()).isEqualTo(1 << 20);
        assertThat(defaults.pipeline().deadLetterTopic()).isNull();
        assertThat(defaults.sink().delivery())
                .isEqualTo(org.apache.flink.connector.base.DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(defaults.sink().flowsTable()).isEqualTo("flows");
        assertThat(defaults.sink().deadLetterTable()).isEqualTo("flows_dlq");

        JobConfig custom = ConfigLoader.load(
                with(
                        "--checkpoint.interval", "10 s",
                        "--dedup.mode", "console-rule",
                        "--dedup.window", "2 min",
                        "--parse.max-message-size", "256 kb",
                        "--sink.delivery", "at-least-once",
                        "--sink.max-bytes-per-insert", "4 mb",
                        "--dlq.kafka-topic", "flows-dlq"),
                Map.of());
        assertThat(custom.pipeline().checkpointInterval()).isEqualTo(java.time.Duration.ofSeconds(10));
        assertThat(custom.pipeline().dedup().mode()).isEqualTo(io.github.netobservch.dedup.DedupMode.CONSOLE_RULE);
        assertThat(custom.pipeline().dedup().window()).isEqualTo(java.time.Duration.ofMinutes(2));
        assertThat(custom.pipeline().parser().maxMessageBytes()).isEqualTo(256 * 1024);
        assertThat(custom.pipeline().deadLetterTopic()).isEqualTo("flows-dlq");
        assertThat(custom.sink().delivery()).isEqualTo(org.apache.flink.connector.base.DeliveryGuarantee.AT_LEAST_ONCE);
        assertThat(custom.sink().maxBytesPerInsert()).isEqualTo(4L << 20);

        assertThatThrownBy(() -> ConfigLoader.load(with("--sink.delivery", "twice"), Map.of()))
                .hasMessageContaining("sink.delivery: 'twice'");
        assertThatThrownBy(() -> ConfigLoader.load(with("--dedup.mode", "sometimes"), Map.of()))
                .hasMessageContaining("dedup");
        assertThatThrownBy(() -> ConfigLoader.load(with("--dedup.window", "soon"), Map.of()))
                .hasMessageContaining("dedup.window");
        assertThatThrownBy(() -> ConfigLoader.load(with("--clickhouse.flows-table", "flows; DROP"), Map.of()))
                .hasMessageContaining("clickhouse.flows-table");
    }

    @Test
    void startingOffsetsAcceptTimestamps() {
        JobConfig config = ConfigLoader.load(with("--kafka.starting-offsets", "timestamp:1700000000000"), Map.of());
        assertThat(config.kafka().startingOffsets())
                .isEqualTo(new KafkaConfig.StartingOffsets(KafkaConfig.StartingOffsets.Mode.TIMESTAMP, 1700000000000L));
    }

    @Test
    void secretValuesCannotBePassedThroughButProviderReferencesCan() {
        assertThatThrownBy(() -> ConfigLoader.load(
                        with("--kafka.properties.sasl.jaas.config", "ScramLoginModule required password=\"hunter2\";"),
                        Map.of()))
                .hasMessageContaining("would put a secret into the job configuration")
                .hasMessageNotContaining("hunter2");
        JobConfig config = ConfigLoader.load(
                with("--kafka.properties.ssl.key.password", "${dir:/etc/kafka/user:key.password}"), Map.of());
        assertThat(config.kafka().consumerProperties().getProperty("ssl.key.password"))
                .isEqualTo("${dir:/etc/kafka/user:key.password}");
    }

    @Test
    void saslScramBecomesAJaasConfigReferencingTheSecretFileNotItsValue(@TempDir Path dir) throws Exception {
        Path password = dir.resolve("password");
        Files.writeString(password, "s3cr3t-value\n", StandardCharsets.UTF_8);
        JobConfig config = ConfigLoader.load(
                with(
                        "--kafka.security-protocol",
                        "SASL_SSL",
                        "--kafka.sasl.username",
                        "flows-reader",
                        "--kafka.sasl.password-file",
                        password.toString(),
                        "--kafka.ssl.truststore-location",
                        "/etc/kafka/ca/ca.crt",
                        "--kafka.ssl.truststore-type",
                        "PEM"),
                Map.of());
        Properties props = config.kafka().consumerProperties();
        assertThat(props.getProperty("security.protocol")).isEqualTo("SASL_SSL");
        assertThat(props.getProperty("sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
        assertThat(props.getProperty("sasl.jaas.config"))
                .isEqualTo("org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"flows-reader\" password=\"${dir:" + dir + ":password}\";");
        assertThat(props.getProperty("config.providers")).isEqualTo("dir");
        assertThat(props.getProperty("ssl.truststore.type")).isEqualTo("PEM");
        assertThat(props.toString()).doesNotContain("s3cr3t-value");
        assertThat(config.toString()).doesNotContain("s3cr3t-value");
        // Resolution happens only on demand (on the TaskManager) and strips the file's newline.
        assertThat(config.kafka().saslPassword().resolve()).isEqualTo("s3cr3t-value");
    }

    @Test
    void saslNeedsAUserAndAPasswordReference() {
        assertThatThrownBy(() -> ConfigLoader.load(with("--kafka.security-protocol", "SASL_PLAINTEXT"), Map.of()))
                .hasMessageContaining("needs kafka.sasl.username and kafka.sasl.password-file");
        assertThatThrownBy(() -> ConfigLoader.load(
                        with(
                                "--kafka.security-protocol",
                                "SASL_PLAINTEXT",
                                "--kafka.sasl.username",
                                "u",
                                "--kafka.sasl.password-file",
                                "/a",
                                "--kafka.sasl.password-env",
                                "B"),
                        Map.of()))
                .hasMessageContaining("set only one of kafka.sasl.password-file and kafka.sasl.password-env");
    }

    @Test
    void mtlsKeystoreUsesTheEnvProviderForAnEnvironmentPassword() {
        JobConfig config = ConfigLoader.load(
                with(
                        "--kafka.security-protocol",
                        "SSL",
                        "--kafka.ssl.keystore-location",
                        "/etc/kafka/user/user.p12",
                        "--kafka.ssl.keystore-password-file",
                        "/etc/kafka/user/user.password",
                        "--kafka.ssl.truststore-location",
                        "/etc/kafka/ca/ca.p12",
                        "--kafka.ssl.truststore-password-file",
                        "/etc/kafka/ca/ca.password"),
                Map.of());
        Properties props = config.kafka().consumerProperties();
        assertThat(props.getProperty("ssl.keystore.password")).isEqualTo("${dir:/etc/kafka/user:user.password}");
        assertThat(props.getProperty("ssl.truststore.password")).isEqualTo("${dir:/etc/kafka/ca:ca.password}");
        assertThat(props.getProperty("config.providers.dir.class")).isEqualTo(SecretFileConfigProvider.class.getName());
        assertThatThrownBy(() -> ConfigLoader.load(with("--kafka.ssl.keystore-location", "/x.p12"), Map.of()))
                .hasMessageContaining("mTLS needs SSL or SASL_SSL");
    }

    @Test
    void secretReferencesResolveFromEnvironmentAndFailWithoutLeakingValues() {
        assertThat(SecretRef.env("PW").resolve(Map.of("PW", "abc")::get)).isEqualTo("abc");
        assertThat(SecretRef.optionalEnv("PW").resolve(Map.<String, String>of()::get))
                .isEmpty();
        assertThatThrownBy(() -> SecretRef.env("PW").resolve(Map.<String, String>of()::get))
                .hasMessage("secret environment variable PW is not set");
        assertThatThrownBy(() -> SecretRef.file("/nonexistent/pw").resolve())
                .hasMessageContaining("cannot read secret file /nonexistent/pw");
        assertThat(SecretRef.env("PW")).hasToString("env:PW");
        assertThat(SecretRef.file("/a/b")).hasToString("file:/a/b");
    }

    @Test
    void everyOptionHasADescriptionAndAnEnvironmentName() {
        assertThat(JobOptions.all()).hasSizeGreaterThan(10);
        JobOptions.all().forEach(o -> {
            assertThat(o.description().getBlocks()).as(o.key()).isNotEmpty();
            assertThat(ConfigLoader.envName(o.key())).matches("FLOWS_[A-Z0-9_]+");
        });
        assertThat(ConfigLoader.envName("kafka.sasl.password-file")).isEqualTo("FLOWS_KAFKA_SASL_PASSWORD_FILE");
    }

    private static String[] with(String... extra) {
        List<String> all = new java.util.ArrayList<>(List.of(MINIMAL));
        all.addAll(List.of(extra));
        return all.toArray(new String[0]);
    }
}
