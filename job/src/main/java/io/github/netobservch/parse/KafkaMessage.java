package io.github.netobservch.parse;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A Kafka record value with its coordinates, as emitted by {@link KafkaMessageDeserializer}. Flink
 * POJO (public fields, no-arg constructor), so it never needs Kryo. The {@code value} array is
 * owned by this object and never modified.
 */
public class KafkaMessage {

    /** Kafka's "no timestamp" marker. */
    public static final long NO_TIMESTAMP = -1L;

    public String topic;
    public int partition;
    public long offset;
    /** Record timestamp in epoch ms, or {@link #NO_TIMESTAMP}. */
    public long timestamp;
    /** Message value; {@code null} for a tombstone. */
    public byte[] value;

    public KafkaMessage() {}

    public KafkaMessage(String topic, int partition, long offset, long timestamp, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.value = value;
    }

    /** Convenience for tests and replay: UTF-8 text value. */
    public static KafkaMessage of(String topic, int partition, long offset, long timestamp, String value) {
        return new KafkaMessage(
                topic, partition, offset, timestamp, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof KafkaMessage)) {
            return false;
        }
        KafkaMessage m = (KafkaMessage) o;
        return partition == m.partition
                && offset == m.offset
                && timestamp == m.timestamp
                && Objects.equals(topic, m.topic)
                && Arrays.equals(value, m.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset);
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset + " (" + (value == null ? "null" : value.length + " B") + ")";
    }
}
