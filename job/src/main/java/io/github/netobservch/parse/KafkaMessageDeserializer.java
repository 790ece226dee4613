package io.github.netobservch.parse;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Trivial Kafka deserializer: wraps the value bytes and coordinates into a {@link KafkaMessage}.
 * It never fails, so a poison message can never stop the source; all validation happens in {@link
 * FlowParseFunction}, which can route bad input to the dead-letter side output.
 *
 * <pre>{@code
 * KafkaSource<KafkaMessage> source = KafkaSource.<KafkaMessage>builder()
 *         .setTopics("flows-export")
 *         .setDeserializer(new KafkaMessageDeserializer())
 *         ...
 * }</pre>
 */
public final class KafkaMessageDeserializer implements KafkaRecordDeserializationSchema<KafkaMessage> {

    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<KafkaMessage> out) {
        out.collect(new KafkaMessage(
                record.topic(), record.partition(), record.offset(), record.timestamp(), record.value()));
    }

    @Override
    public TypeInformation<KafkaMessage> getProducedType() {
        return TypeInformation.of(KafkaMessage.class);
    }
}
