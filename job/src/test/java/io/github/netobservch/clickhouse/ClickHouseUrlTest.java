package io.github.netobservch.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClickHouseUrlTest {

    @Test
    void httpHttpsAndJdbcSpellingsGiveOneEndpoint() {
        assertThat(ClickHouseUrl.parse("http://clickhouse:8123", "u"))
                .isEqualTo(new ClickHouseUrl("http", "clickhouse", 8123, Optional.empty()));
        assertThat(ClickHouseUrl.parse(" https://ch.example.com ", "u").endpoint())
                .isEqualTo("https://ch.example.com:8443");
        assertThat(ClickHouseUrl.parse("http://ch", "u").port()).isEqualTo(8123);
        assertThat(ClickHouseUrl.parse("jdbc:clickhouse:https://ch:9443/netobserv/", "u"))
                .isEqualTo(new ClickHouseUrl("https", "ch", 9443, Optional.of("netobserv")));
        assertThat(ClickHouseUrl.parse("jdbc:ch://ch:8123/db", "u").database()).contains("db");
        assertThat(ClickHouseUrl.parse("JDBC:ClickHouse:http://ch", "u").tls()).isFalse();
    }

    @Test
    void credentialsOtherSchemesAndMissingHostsAreRefusedWithoutEchoingSecrets() {
        assertThatThrownBy(() -> ClickHouseUrl.parse("http://flink:s3cret@ch:8123", "clickhouse.url"))
                .hasMessageContaining("must not contain credentials")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> ClickHouseUrl.parse("tcp://flink:s3cret@ch:9000", "clickhouse.url"))
                .hasMessageContaining("http://")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> ClickHouseUrl.parse("http:///db", "clickhouse.url"))
                .hasMessageContaining("no host");
        assertThatThrownBy(() -> ClickHouseUrl.parse(" ", "clickhouse.url")).hasMessage("clickhouse.url is required");
        assertThat(ClickHouseUrl.redact("jdbc:clickhouse:http://u:p@h/db?password=x&a=1"))
                .isEqualTo("jdbc:clickhouse:http://<credentials>@h/db?password=<hidden>&a=1");
    }
}
