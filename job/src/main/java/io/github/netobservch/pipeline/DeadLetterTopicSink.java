package io.github.netobservch.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.netobservch.config.KafkaConfig;
import io.github.netobservch.parse.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;

/**
 * The optional dead-letter topic: one JSON object per rejected message, keyed by nothing, on the
 * source's Kafka cluster with the source's security settings. At-least-once: a replay after a
 * failure may repeat a dead letter there (the ClickHouse dead-letter table stays exact).
 */
public final class DeadLetterTopicSink {

    private DeadLetterTopicSink() {}

    public static KafkaSink<DeadLetter> create(KafkaConfig kafka, String topic) {
        return KafkaSink.<DeadLetter>builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setKafkaProducerConfig(kafka.consumerProperties())
                .setRecordSerializer(KafkaRecordSerializationSchema.<DeadLetter>builder()
                        .setTopic(topic)
                        .setValueSerializationSchema(new Json())
                        .build())
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    /** Dead letter → JSON with stable snake_case names (the same names as the flows_dlq columns). */
    static final class Json implements SerializationSchema<DeadLetter> {
        private static final long serialVersionUID = 1L;
        private transient ObjectMapper mapper;

        @Override
        public byte[] serialize(DeadLetter d) {
            if (mapper == null) {
                mapper = new ObjectMapper();
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("reason", d.reasonCode());
            m.put("message", d.message);
            m.put("field", d.field);
            m.put("payload", d.payload);
            m.put("payload_encoding", d.payloadEncoding);
            m.put("payload_truncated", d.payloadTruncated);
            m.put("payload_size", d.payloadSize);
            m.put("kafka_topic", d.topic);
            m.put("kafka_partition", d.partition);
            m.put("kafka_offset", d.offset);
            m.put("kafka_timestamp", d.kafkaTimestamp);
            m.put("processing_time", d.processingTime);
            try {
                return mapper.writeValueAsBytes(m);
            } catch (JsonProcessingException e) {
                // Only strings and numbers: cannot happen; never drop silently if it does.
                return ("{\"reason\":\"" + d.reasonCode() + "\",\"serialization_error\":true}")
                        .getBytes(StandardCharsets.UTF_8);
            }
        }
    }
}
