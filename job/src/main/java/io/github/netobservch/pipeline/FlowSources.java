package io.github.netobservch.pipeline;

import io.github.netobservch.config.KafkaConfig;
import io.github.netobservch.parse.KafkaMessage;
import io.github.netobservch.parse.KafkaMessageDeserializer;
import java.util.Properties;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** Builds the job's Kafka source: raw messages with their coordinates; parsing happens downstream. */
public final class FlowSources {

    /** Operator uid of the source: its state holds the Kafka offsets, so it must never change. */
    public static final String SOURCE_UID = "kafka-flows-source";

    private FlowSources() {}

    /** The production source: unbounded, offsets committed on checkpoints (for monitoring only). */
    public static KafkaSource<KafkaMessage> kafka(KafkaConfig config) {
        return builder(config).build();
    }

    /** A source that stops at the offsets that are latest when the job starts (tests, replay, benchmark). */
    public static KafkaSource<KafkaMessage> boundedKafka(KafkaConfig config) {
        return builder(config).setBounded(OffsetsInitializer.latest()).build();
    }

    private static KafkaSourceBuilder<KafkaMessage> builder(KafkaConfig config) {
        return KafkaSource.<KafkaMessage>builder()
                .setBootstrapServers(config.bootstrapServers())
                .setTopics(config.topics())
                .setGroupId(config.groupId())
                .setStartingOffsets(startingOffsets(config.startingOffsets()))
                .setDeserializer(new KafkaMessageDeserializer())
                .setProperties(consumerProperties(config))
                .setProperty("commit.offsets.on.checkpoint", "true");
    }

    /**
     * The consumer's properties: the job's defaults, then {@link KafkaConfig#consumerProperties()}
     * (security, {@code kafka.properties.*}), which override them.
     *
     * <p>{@code receive.buffer.bytes = -1}: the socket's receive buffer is sized by the OS (Linux
     * autotuning, up to {@code net.ipv4.tcp_rmem}'s maximum) instead of the consumer's fixed 64 KB, so
     * a fetch response of up to {@code max.partition.fetch.bytes} per partition is read in a few large
     * reads. The fetch thread then took 1.3 instead of 1.6–1.8 core-µs per record, its kernel share 30
     * instead of 42–50 % (docs/performance.md). A fixed size ({@code kafka.properties.receive.buffer.bytes})
     * turns autotuning off.
     */
    static Properties consumerProperties(KafkaConfig config) {
        Properties p = new Properties();
        p.setProperty("receive.buffer.bytes", "-1");
        p.putAll(config.consumerProperties());
        return p;
    }

    static OffsetsInitializer startingOffsets(KafkaConfig.StartingOffsets offsets) {
        switch (offsets.mode()) {
            case EARLIEST:
                return OffsetsInitializer.earliest();
            case LATEST:
                return OffsetsInitializer.latest();
            case TIMESTAMP:
                return OffsetsInitializer.timestamp(offsets.timestampMs());
            case COMMITTED:
            default:
                return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        }
    }
}
