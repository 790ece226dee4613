package io.github.netobservch.local;

import io.github.netobservch.security.TestPki;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.metadata.BrokerState;

/**
 * A single-node KRaft Kafka broker inside this JVM (Kafka's own {@link KafkaClusterTestKit}, the
 * recipe of the tests' {@code EmbeddedKafkaExtension}), for the local demo, replay and benchmark.
 * Its log directories are temporary and removed by {@link #close()}.
 *
 * <p>{@code kafka-test-common-runtime} is a test-scope dependency, like this package: the scripts
 * run with the test classpath, the job jar holds neither.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private final KafkaClusterTestKit kit;
    private final String bootstrapServers;

    private EmbeddedKafka(KafkaClusterTestKit kit) {
        this.kit = kit;
        this.bootstrapServers = kit.bootstrapServers();
    }

    /** Formats and starts one combined broker/controller node; returns once it accepts clients. */
    public static EmbeddedKafka start() {
        return start(null);
    }

    /** The listener {@link #start(TestPki)} adds for mutual TLS. */
    public static final String MTLS_LISTENER = "MTLS";

    /**
     * As {@link #start()}, plus, when {@code mtls} is not null, a listener {@link #MTLS_LISTENER}
     * that presents its server certificate and requires a client certificate signed by its CA — what
     * a Strimzi {@code tls} listener with {@code tls} users does (the Kubernetes manifests' setup).
     */
    public static EmbeddedKafka start(TestPki mtls) {
        // The test kit prints its storage formatting to System.out; keep the runners' output clean.
        java.io.PrintStream stdout = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
            if (mtls != null) {
                String b = nodes.brokerListenerName().value();
                String c = nodes.controllerListenerName().value();
                builder.setConfigProp(
                                "listeners",
                                b + "://localhost:0," + c + "://localhost:0," + MTLS_LISTENER + "://localhost:0")
                        .setConfigProp(
                                "listener.security.protocol.map",
                                b + ":PLAINTEXT," + c + ":PLAINTEXT," + MTLS_LISTENER + ":SSL");
                mtls.mtlsListenerProperties(MTLS_LISTENER.toLowerCase(java.util.Locale.ROOT))
                        .forEach(builder::setConfigProp);
            }
            KafkaClusterTestKit kit = builder.setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("auto.create.topics.enable", "false")
                    // Records of up to 4 MiB (NetObserv batches are one flow per message; the parser
                    // dead-letters oversized ones, so they must be able to arrive).
                    .setConfigProp("message.max.bytes", Integer.toString(4 << 20))
                    .build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            return new EmbeddedKafka(kit);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("could not start the embedded Kafka broker", e);
        } finally {
            System.setOut(stdout);
        }
    }

    /**
     * A broker in a process of its own (the benchmark's, so that its CPU is not counted as the job's):
     * prints {@code BOOTSTRAP host:port} once it accepts clients and stops when its standard input
     * closes.
     */
    public static void main(String[] args) throws Exception {
        // --mtls DIR: also a mutual-TLS listener, with the PKI the parent made in DIR (TestPki.create)
        TestPki mtls =
                args.length == 2 && args[0].equals("--mtls") ? TestPki.load(java.nio.file.Path.of(args[1])) : null;
        try (EmbeddedKafka kafka = start(mtls)) {
            if (mtls != null) {
                System.out.println(FORKED_MTLS + "localhost:" + kafka.boundPort(MTLS_LISTENER));
            }
            System.out.println(FORKED_READY + kafka.bootstrapServers());
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the parent closes our stdin or dies
            }
        }
        System.exit(0);
    }

    /** The line prefix {@link #main} prints when the broker is ready. */
    public static final String FORKED_READY = "BOOTSTRAP ";

    /** The line prefix {@link #main} prints, before {@link #FORKED_READY}, with the mutual-TLS listener's address. */
    public static final String FORKED_MTLS = "MTLS ";

    /** The port a listener of the broker is bound to. */
    public int boundPort(String listener) {
        return broker().boundPort(new org.apache.kafka.common.network.ListenerName(listener));
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Client properties with just the bootstrap address. */
    public Properties clientProperties() {
        return clientProperties(bootstrapServers);
    }

    /**
     * A producer for streams of generated records (the demo and the soak run): 20 ms linger and
     * 256 KiB batches for throughput, requests of up to 4 MiB so oversized test records get through.
     */
    public static KafkaProducer<byte[], byte[]> bulkProducer(String bootstrapServers) {
        Properties props = clientProperties(bootstrapServers);
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(4 << 20));
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    public static Properties clientProperties(String bootstrapServers) {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return props;
    }

    /** Creates {@code name} with {@code partitions} partitions unless it exists; waits until it has leaders. */
    public void createTopic(String name, int partitions) {
        createTopic(bootstrapServers, name, partitions);
    }

    /**
     * Creates {@code name} on any cluster unless it exists; returns its partition count (the existing
     * topic's when it was already there).
     */
    public static int createTopic(String bootstrapServers, String name, int partitions) {
        try (Admin admin = Admin.create(clientProperties(bootstrapServers))) {
            try {
                admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                        .all()
                        .get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException(
                            "could not create topic " + name + ": " + e.getCause(), e.getCause());
                }
            }
            return waitForTopic(admin, name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        }
    }

    /** End (latest) offset of every partition of {@code topic}. */
    public static Map<Integer, Long> endOffsets(String bootstrapServers, String topic) {
        return offsets(bootstrapServers, topic, OffsetSpec.latest());
    }

    /** Offsets {@code group} committed on {@code topic} (Flink's source: on completed checkpoints), summed over partitions. */
    public static long committedOffsets(Admin admin, String group, String topic) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get();
            return offsets.entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset())
                    .sum();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot read the offsets of group " + group + ": " + e.getCause(), e.getCause());
        }
    }

    /** {@link #committedOffsets(Admin, String, String)} with an admin client of its own. */
    public static long committedOffsets(String bootstrapServers, String group, String topic) {
        try (Admin admin = Admin.create(clientProperties(bootstrapServers))) {
            return committedOffsets(admin, group, topic);
        }
    }

    /** Sum of the end offsets of {@code topic}: records ever written (the topic is never compacted here). */
    public static long totalEndOffset(String bootstrapServers, String topic) {
        try (Admin admin = Admin.create(clientProperties(bootstrapServers))) {
            return totalEndOffset(admin, topic);
        }
    }

    /** Sum of the end offsets of {@code topic}, read with {@code admin}. */
    public static long totalEndOffset(Admin admin, String topic) {
        return offsets(admin, topic, OffsetSpec.latest()).values().stream()
                .mapToLong(Long::longValue)
                .sum();
    }

    static Map<Integer, Long> offsets(String bootstrapServers, String topic, OffsetSpec spec) {
        try (Admin admin = Admin.create(clientProperties(bootstrapServers))) {
            return offsets(admin, topic, spec);
        }
    }

    static Map<Integer, Long> offsets(Admin admin, String topic, OffsetSpec spec) {
        try {
            TopicDescription d =
                    admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            d.partitions().forEach(p -> request.put(new TopicPartition(topic, p.partition()), spec));
            Map<Integer, Long> out = new HashMap<>();
            admin.listOffsets(request).all().get().forEach((tp, info) -> out.put(tp.partition(), info.offset()));
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing offsets of " + topic, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list offsets of " + topic + ": " + e.getCause(), e.getCause());
        }
    }

    private static int waitForTopic(Admin admin, String name) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<Throwable> last = new ArrayList<>(1);
        while (System.nanoTime() < deadline) {
            try {
                TopicDescription d = admin.describeTopics(List.of(name))
                        .allTopicNames()
                        .get()
                        .get(name);
                if (!d.partitions().isEmpty() && d.partitions().stream().allMatch(p -> p.leader() != null)) {
                    return d.partitions().size();
                }
            } catch (ExecutionException e) {
                last.clear();
                last.add(e.getCause()); // UnknownTopicOrPartition until metadata propagates
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(
                "topic " + name + " not ready after 30 s" + (last.isEmpty() ? "" : ": " + last.get(0)));
    }

    /**
     * Shuts the broker down cleanly, as a rolling restart does; the node's KRaft controller keeps
     * running. Clients get connection refused at {@link #bootstrapServers()} until
     * {@link #startBroker()}.
     */
    public void stopBroker() {
        broker().shutdown();
    }

    /**
     * Starts the stopped broker again at the same address and returns once it is registered and
     * unfenced. The test kit pre-binds each listener port once; a restarted broker finds that socket
     * closed and binds a new one on the same port, so clients keep their bootstrap address.
     */
    public void startBroker() {
        BrokerServer broker = broker();
        broker.startup();
        try {
            broker.lifecycleManager().initialUnfenceFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while restarting the embedded Kafka broker", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the restarted embedded Kafka broker did not become ready", e);
        }
        int port = broker.boundPort(kit.nodes().brokerListenerName());
        if (broker.lifecycleManager().state() != BrokerState.RUNNING || !bootstrapServers.endsWith(":" + port)) {
            throw new IllegalStateException(
                    "the restarted broker is " + broker.lifecycleManager().state() + " on port " + port
                            + ", expected RUNNING at " + bootstrapServers);
        }
    }

    private BrokerServer broker() {
        if (kit.brokers().size() != 1) {
            throw new IllegalStateException(
                    "expected one broker, found " + kit.brokers().size());
        }
        return kit.brokers().values().iterator().next();
    }

    @Override
    public void close() {
        try {
            kit.close();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("could not stop the embedded Kafka broker", e);
        }
    }
}
