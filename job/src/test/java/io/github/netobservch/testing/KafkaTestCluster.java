package io.github.netobservch.testing;

import io.github.netobservch.local.EmbeddedKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * A Kafka cluster for tests: the broker embedded in the test JVM, or the real one named by
 * {@code KAFKA_BOOTSTRAP_SERVERS}. Tests create their own uniquely named topics, so they never see
 * each other's records and can run against a shared external broker.
 */
public final class KafkaTestCluster {

    private final String bootstrapServers;
    private final boolean embedded;

    KafkaTestCluster(String bootstrapServers, boolean embedded) {
        this.bootstrapServers = bootstrapServers;
        this.embedded = embedded;
    }

    /** A broker the test started itself, e.g. one it stops and restarts without disturbing other tests. */
    public static KafkaTestCluster of(EmbeddedKafka broker) {
        return new KafkaTestCluster(broker.bootstrapServers(), true);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** True when the broker runs inside this JVM (false when {@code KAFKA_BOOTSTRAP_SERVERS} is set). */
    public boolean isEmbedded() {
        return embedded;
    }

    /** Properties with just the bootstrap address, for producers, consumers and admin clients. */
    public Properties clientProperties() {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return props;
    }

    /**
     * {@link #clientProperties()} for a test's producer: one request in flight per connection. With
     * several in flight, a first batch to a just-created partition can fail with a retriable error
     * while the next batch succeeds; the broker takes that next batch as the (idempotent) producer's
     * first in the partition, rejects the retried first batch as out of order until the delivery
     * timeout, and the test dies after two minutes (seen once in the suite: OutOfOrderSequenceException
     * "0 (incoming seq. number), 66 (current end sequence number)"). One in flight keeps the batches
     * in order through retries; the tests' volumes do not need more.
     */
    public Properties producerProperties() {
        Properties props = clientProperties();
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        return props;
    }

    /** Creates a topic named {@code prefix-<random>} and waits until it exists; returns its name. */
    public String createTopic(String prefix, int partitions) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = Admin.create(clientProperties())) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all()
                    .get();
            waitForTopic(admin, name, partitions);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not create topic " + name, e.getCause());
        }
        return name;
    }

    private static void waitForTopic(Admin admin, String name, int partitions)
            throws InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                Map<String, org.apache.kafka.clients.admin.TopicDescription> described =
                        admin.describeTopics(List.of(name)).allTopicNames().get();
                if (described.get(name).partitions().size() == partitions
                        && described.get(name).partitions().stream().allMatch(p -> p.leader() != null)) {
                    return;
                }
            } catch (ExecutionException e) {
                // UnknownTopicOrPartition until metadata propagates: retry until the deadline.
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topic " + name + " not ready after 30 s");
            }
            Thread.sleep(50);
        }
    }
}
