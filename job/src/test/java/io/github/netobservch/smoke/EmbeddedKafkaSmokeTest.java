package io.github.netobservch.smoke;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.testing.EmbeddedKafkaExtension;
import io.github.netobservch.testing.KafkaTestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Produce and consume through the broker embedded in the test JVM (or KAFKA_BOOTSTRAP_SERVERS). */
@ExtendWith(EmbeddedKafkaExtension.class)
class EmbeddedKafkaSmokeTest {

    private static final int RECORDS = 1_000;

    @Test
    void unkeyedRecordsSpreadOverPartitionsAndComeBackExactlyOnce(KafkaTestCluster kafka) throws Exception {
        String topic = kafka.createTopic("smoke", 3);

        Properties producerProps = kafka.producerProperties();
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        Set<String> sent = new HashSet<>();
        try (KafkaProducer<byte[], String> producer =
                new KafkaProducer<>(producerProps, new ByteArraySerializer(), new StringSerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                // Unkeyed, like NetObserv's exporter; spread over the partitions explicitly because the
                // sticky partitioner may keep one partition for a whole small run. Values are
                // distinct, so loss or duplication shows.
                String value = "{\"seq\":" + i + "}";
                sent.add(value);
                producer.send(new ProducerRecord<>(topic, i % 3, null, value));
            }
            producer.flush();
        }

        Properties consumerProps = kafka.clientProperties();
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "smoke-" + topic);
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> received = new ArrayList<>();
        Map<Integer, Integer> perPartition = new HashMap<>();
        try (KafkaConsumer<byte[], String> consumer =
                new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (received.size() < RECORDS && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], String> record : consumer.poll(Duration.ofMillis(200))) {
                    received.add(record.value());
                    perPartition.merge(record.partition(), 1, Integer::sum);
                    assertThat(record.key()).isNull();
                }
            }
            // One more poll: nothing beyond what was sent may arrive.
            consumer.poll(Duration.ofMillis(300)).forEach(r -> received.add(r.value()));
        }

        assertThat(received).hasSize(RECORDS);
        assertThat(new HashSet<>(received)).isEqualTo(sent);
        assertThat(perPartition).isEqualTo(Map.of(0, 334, 1, 333, 2, 333));
        if (kafka.isEmbedded()) {
            try (Admin admin = Admin.create(kafka.clientProperties())) {
                assertThat(admin.describeCluster().nodes().get()).hasSize(1);
            }
        }
    }

    @Test
    void topicsOfDifferentTestsAreIsolated(KafkaTestCluster kafka) throws Exception {
        String a = kafka.createTopic("iso", 1);
        String b = kafka.createTopic("iso", 1);
        assertThat(a).isNotEqualTo(b);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(kafka.producerProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(a, new byte[] {1, 0, (byte) 0xff}))
                    .get();
        }
        Properties consumerProps = kafka.clientProperties();
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "iso-" + b);
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(a, b));
            List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (got.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(got::add);
            }
            consumer.poll(Duration.ofMillis(300)).forEach(got::add);
            assertThat(got).hasSize(1);
            assertThat(got.get(0).topic()).isEqualTo(a);
            assertThat(got.get(0).value()).containsExactly(1, 0, (byte) 0xff);
        }
    }
}
