package io.github.netobservch.config;

import static io.github.netobservch.config.JobOptions.*;

import io.github.netobservch.dedup.DedupConfig;
import io.github.netobservch.parse.ParserConfig;
import io.github.netobservch.parse.RawPolicy;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;

/** The job's whole configuration, typed and validated; built once in {@code main}. */
public record JobConfig(KafkaConfig kafka, ClickHouseConfig clickHouse, PipelineConfig pipeline, SinkSettings sink)
        implements Serializable {

    /** Types and validates a merged configuration; every error names its option. */
    public static JobConfig from(Configuration conf) {
        KafkaConfig kafka = new KafkaConfig(
                required(conf, KAFKA_BOOTSTRAP_SERVERS),
                conf.get(KAFKA_TOPICS),
                conf.get(KAFKA_GROUP_ID),
                KafkaConfig.StartingOffsets.parse(conf.get(KAFKA_STARTING_OFFSETS)),
                conf.get(KAFKA_SECURITY_PROTOCOL).trim().toUpperCase(java.util.Locale.ROOT),
                conf.get(KAFKA_SASL_MECHANISM).trim().toUpperCase(java.util.Locale.ROOT),
                conf.get(KAFKA_SASL_USERNAME),
                secret(conf, KAFKA_SASL_PASSWORD_FILE, KAFKA_SASL_PASSWORD_ENV, true),
                conf.get(KAFKA_TRUSTSTORE_LOCATION),
                conf.get(KAFKA_TRUSTSTORE_TYPE),
                secret(conf, KAFKA_TRUSTSTORE_PASSWORD_FILE, null, false),
                conf.get(KAFKA_KEYSTORE_LOCATION),
                conf.get(KAFKA_KEYSTORE_TYPE),
                secret(conf, KAFKA_KEYSTORE_PASSWORD_FILE, null, false),
                withPrefix(conf, KAFKA_PASSTHROUGH_PREFIX));
        ClickHouseConfig clickHouse = new ClickHouseConfig(
                required(conf, CLICKHOUSE_URL),
                conf.getOptional(CLICKHOUSE_SHARD_URLS).orElse(java.util.List.of()),
                conf.get(CLICKHOUSE_DATABASE),
                conf.get(CLICKHOUSE_USER),
                secret(conf, CLICKHOUSE_PASSWORD_FILE, CLICKHOUSE_PASSWORD_ENV, false),
                conf.get(CLICKHOUSE_SSL_ROOT_CERT),
                withPrefix(conf, CLICKHOUSE_PASSTHROUGH_PREFIX));
        PipelineConfig pipeline = new PipelineConfig(
                conf.get(JOB_NAME),
                conf.getOptional(CHECKPOINT_INTERVAL).orElse(null),
                conf.get(EVENT_TIME_OUT_OF_ORDERNESS),
                conf.get(EVENT_TIME_MAX_AHEAD),
                conf.get(EVENT_TIME_IDLENESS),
                ParserConfig.builder()
                        .maxMessageBytes(intBytes(conf, PARSE_MAX_MESSAGE_BYTES))
                        .maxDeadLetterPayloadBytes(intBytes(conf, DLQ_MAX_PAYLOAD))
                        .rawPolicy(RawPolicy.parse(conf.get(RAW_POLICY)))
                        .build(),
                dedup(conf),
                conf.get(DLQ_KAFKA_TOPIC));
        SinkSettings sink = new SinkSettings(
                SinkSettings.parseDelivery(conf.get(SINK_DELIVERY)),
                conf.get(SINK_MAX_ROWS),
                conf.get(SINK_MAX_BYTES).getBytes(),
                conf.get(SINK_TOLERATED_OUTAGE),
                conf.get(SINK_PREFLIGHT),
                conf.get(CLICKHOUSE_FLOWS_TABLE),
                conf.get(CLICKHOUSE_DLQ_TABLE),
                conf.getOptional(SINK_SPILL_DIR).filter(d -> !d.isBlank()).orElse(null),
                conf.get(SINK_SPILL_THRESHOLD).getBytes(),
                conf.get(SINK_SPILL_RETENTION));
        return new JobConfig(kafka, clickHouse, pipeline, sink);
    }

    private static DedupConfig dedup(Configuration conf) {
        try {
            return DedupConfig.builder()
                    .mode(conf.get(DEDUP_MODE))
                    .window(conf.get(DEDUP_WINDOW))
                    .maxWait(conf.get(DEDUP_MAX_WAIT))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("dedup options: " + e.getMessage(), e);
        }
    }

    private static int intBytes(Configuration conf, ConfigOption<MemorySize> option) {
        long bytes = conf.get(option).getBytes();
        if (bytes < 1 || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(option.key() + " must be between 1 byte and 2 gb");
        }
        return (int) bytes;
    }

    private static String required(Configuration conf, ConfigOption<String> option) {
        String value = conf.get(option);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("missing required option " + option.key() + " (--" + option.key()
                    + " VALUE, or environment variable " + ConfigLoader.envName(option.key()) + ")");
        }
        return value.trim();
    }

    /**
     * A file reference wins over an environment reference. With {@code bothExclusive}, setting both
     * is an error (an ambiguous source for a credential is a misconfiguration worth stopping for).
     */
    private static SecretRef secret(
            Configuration conf,
            ConfigOption<String> fileOption,
            ConfigOption<String> envOption,
            boolean bothExclusive) {
        String file = conf.get(fileOption);
        String env = envOption == null ? null : conf.get(envOption);
        boolean envExplicit = envOption != null && conf.contains(envOption);
        if (bothExclusive && file != null && envExplicit) {
            throw new IllegalArgumentException("set only one of " + fileOption.key() + " and " + envOption.key());
        }
        if (file != null && !file.isBlank()) {
            return SecretRef.file(file.trim());
        }
        if (env != null && !env.isBlank()) {
            // The default variable may be unset (empty password); one the user named must exist.
            return envExplicit ? SecretRef.env(env.trim()) : SecretRef.optionalEnv(env.trim());
        }
        return SecretRef.none();
    }

    private static Map<String, String> withPrefix(Configuration conf, String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        conf.toMap().forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }
}
