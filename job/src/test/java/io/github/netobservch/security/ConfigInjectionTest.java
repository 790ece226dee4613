package io.github.netobservch.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.netobservch.config.ConfigLoader;
import io.github.netobservch.config.JobConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * No SQL injection by construction, configuration side: the identifiers the job splices into SQL
 * (database, flows and dead-letter tables) must be plain names, from every configuration source
 * (arguments, environment, config file); the JAAS user name cannot break out of its quotes; secrets
 * cannot be given as values; a URL with credentials is refused without echoing them. The value side
 * (hostile strings loaded verbatim through RowBinary, tables intact) is {@code HostileCorpusITCase}.
 */
class ConfigInjectionTest {

    static final List<String> HOSTILE_IDENTIFIERS = List.of(
            "x; DROP DATABASE netobserv",
            "x` DROP",
            "flows'--",
            "a.b",
            "a b",
            "`flows`",
            "flows\"",
            "x\\",
            "1flows",
            "",
            "ñame",
            "x\nDROP",
            "{db:Identifier}");

    private static String[] args(String... extra) {
        List<String> a =
                new ArrayList<>(List.of("--kafka.bootstrap-servers", "k:9092", "--clickhouse.url", "http://c:8123"));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    @Test
    void hostileIdentifiersAreRejectedFromArguments() {
        for (String option : List.of("clickhouse.database", "clickhouse.flows-table", "clickhouse.dlq-table")) {
            for (String bad : HOSTILE_IDENTIFIERS) {
                assertThatThrownBy(() -> ConfigLoader.load(args("--" + option, bad), Map.of()))
                        .as("%s = %s", option, bad)
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining(option);
            }
        }
    }

    @Test
    void hostileIdentifiersAreRejectedFromEnvironmentAndConfigFile(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(args(), Map.of("FLOWS_CLICKHOUSE_DATABASE", "x; DROP TABLE flows")))
                .hasMessageContaining("clickhouse.database");
        Path file = Files.writeString(
                dir.resolve("job.properties"), "clickhouse.flows-table: flows; DROP TABLE flows_dlq\n");
        assertThatThrownBy(() -> ConfigLoader.load(args("--config", file.toString()), Map.of()))
                .hasMessageContaining("clickhouse.flows-table");
    }

    @Test
    void plainIdentifiersAreAccepted() {
        JobConfig c = ConfigLoader.load(
                args(
                        "--clickhouse.database",
                        "net_observ2",
                        "--clickhouse.flows-table",
                        "Flows_v2",
                        "--clickhouse.dlq-table",
                        "_dlq"),
                Map.of());
        assertThat(c.clickHouse().database()).isEqualTo("net_observ2");
        assertThat(c.sink().flowsTable()).isEqualTo("Flows_v2");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "u\" password=\"x",
                "u\\",
                "a\"; org.apache.kafka.common.security.plain.PlainLoginModule required"
            })
    void jaasUserNameCannotBreakOutOfItsQuotes(String user) {
        assertThatThrownBy(() -> ConfigLoader.load(
                        args(
                                "--kafka.security-protocol",
                                "SASL_SSL",
                                "--kafka.sasl.username",
                                user,
                                "--kafka.sasl.password-env",
                                "KAFKA_PASSWORD"),
                        Map.of()))
                .hasMessageContaining("kafka.sasl.username");
    }

    @Test
    void secretsAsValuesAreRefusedAndUrlCredentialsAreNotEchoed() {
        assertThatThrownBy(() -> ConfigLoader.load(
                        args(
                                "--kafka.properties.sasl.jaas.config",
                                "x required username=\"u\" password=\"TopSecret1\";"),
                        Map.of()))
                .hasMessageNotContaining("TopSecret1")
                .hasMessageContaining("config-provider");
        assertThatThrownBy(() -> ConfigLoader.load(args("--clickhouse.properties.password", "TopSecret2"), Map.of()))
                .hasMessageNotContaining("TopSecret2");
        for (String url :
                List.of("http://u:TopSecret3@c:8123", "ftp://u:TopSecret3@c:8123", "http://u:TopSecret3@c :8123")) {
            assertThatThrownBy(() -> ConfigLoader.load(
                            new String[] {"--kafka.bootstrap-servers", "k:9092", "--clickhouse.url", url}, Map.of()))
                    .as(url)
                    .hasMessageContaining("clickhouse.url")
                    .hasMessageNotContaining("TopSecret3");
        }
    }
}
