package io.github.netobservch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.config.ConfigLoader;
import io.github.netobservch.config.JobConfig;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The consumer's properties: the job's defaults, overridden by {@code kafka.properties.*}. */
class FlowSourcesTest {

    private static JobConfig config(String... extra) {
        String[] args = new String[4 + extra.length];
        args[0] = "--kafka.bootstrap-servers";
        args[1] = "kafka:9092";
        args[2] = "--clickhouse.url";
        args[3] = "http://clickhouse:8123";
        System.arraycopy(extra, 0, args, 4, extra.length);
        return ConfigLoader.load(args, Map.of());
    }

    @Test
    void theReceiveBufferIsLeftToTheOsUnlessConfigured() {
        Properties defaults = FlowSources.consumerProperties(config().kafka());
        assertThat(defaults.getProperty("receive.buffer.bytes")).isEqualTo("-1");
        assertThat(defaults.getProperty("security.protocol")).isEqualTo("PLAINTEXT");

        Properties set = FlowSources.consumerProperties(
                config("--kafka.properties.receive.buffer.bytes", "262144").kafka());
        assertThat(set.getProperty("receive.buffer.bytes")).isEqualTo("262144");
    }
}
