package io.github.netobservch.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigData;
import org.apache.kafka.common.config.provider.DirectoryConfigProvider;

/**
 * Kafka's {@link DirectoryConfigProvider} ({@code ${dir:/mount/path:key}}, one file per key) with the
 * file rule of {@link SecretRef#resolve()}: one trailing {@code \n} or {@code \r\n} is dropped, as a
 * Secret made with {@code kubectl create secret --from-file} from an editor-saved file ends with one.
 * Without this, a password file that {@code clickhouse.password-file} reads correctly would give Kafka
 * a password ending in a newline, and the SASL login would fail.
 *
 * <p>Registered by {@link KafkaConfig#consumerProperties()} as the {@code dir} provider; a platform
 * that sets the system property {@code org.apache.kafka.automatic.config.providers} must list this
 * class.
 */
public class SecretFileConfigProvider extends DirectoryConfigProvider {

    @Override
    public ConfigData get(String path) {
        return trimmed(super.get(path));
    }

    @Override
    public ConfigData get(String path, Set<String> keys) {
        return trimmed(super.get(path, keys));
    }

    private static ConfigData trimmed(ConfigData data) {
        Map<String, String> out = new LinkedHashMap<>();
        data.data().forEach((k, v) -> out.put(k, stripOneNewline(v)));
        return new ConfigData(out, data.ttl());
    }

    static String stripOneNewline(String v) {
        if (v == null) {
            return null;
        }
        if (v.endsWith("\r\n")) {
            return v.substring(0, v.length() - 2);
        }
        return v.endsWith("\n") ? v.substring(0, v.length() - 1) : v;
    }
}
