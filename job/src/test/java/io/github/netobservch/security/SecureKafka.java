package io.github.netobservch.security;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A second embedded KRaft broker (Kafka's {@link KafkaClusterTestKit}) with five client listeners:
 * the kit's PLAINTEXT one (test setup only: topics, SCRAM credentials, producing), {@code SASL}
 * (SASL_PLAINTEXT, SCRAM-SHA-512 only), {@code SSL} (TLS with a server certificate signed by a
 * throw-away CA from {@link TestPki}; no client authentication), {@code MTLS} (TLS that requires a
 * client certificate signed by that CA: {@code ssl.client.auth=required}) and {@code SASLSSL}
 * (SASL_SSL: SCRAM-SHA-512 over TLS). The SCRAM user is created with {@code Admin.alterUserScramCredentials}
 * over the PLAINTEXT listener. Starting a broker costs seconds, so every security test shares this one.
 */
final class SecureKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SecureKafka.class);

    static final String USER = "netobserv-flink";

    final TestPki pki;
    final String saslPassword;
    final Path saslPasswordFile;
    private final KafkaClusterTestKit kit;
    final String plaintextBootstrap;
    final String saslBootstrap;
    final String sslBootstrap;
    final String mtlsBootstrap;
    final String saslSslBootstrap;

    private SecureKafka(TestPki pki, String saslPassword, Path saslPasswordFile, KafkaClusterTestKit kit) {
        this.pki = pki;
        this.saslPassword = saslPassword;
        this.saslPasswordFile = saslPasswordFile;
        this.kit = kit;
        this.plaintextBootstrap = kit.bootstrapServers();
        var broker = kit.brokers().values().iterator().next();
        this.saslBootstrap = "localhost:" + broker.boundPort(new ListenerName("SASL"));
        this.sslBootstrap = "localhost:" + broker.boundPort(new ListenerName("SSL"));
        this.mtlsBootstrap = "localhost:" + broker.boundPort(new ListenerName("MTLS"));
        this.saslSslBootstrap = "localhost:" + broker.boundPort(new ListenerName("SASLSSL"));
    }

    /** A broker whose TLS listeners present {@code pki}'s server certificate and trust its CA. */
    static SecureKafka start(Path dir, String saslPassword, TestPki pki) throws Exception {
        long t0 = System.nanoTime();
        Files.createDirectories(dir);
        // Trailing newline on purpose: what `kubectl create secret --from-file` of an editor-saved file gives.
        Path passwordFile = Files.writeString(dir.resolve("kafka-password"), saslPassword + "\n");
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .build();
        String b = nodes.brokerListenerName().value();
        String c = nodes.controllerListenerName().value();
        KafkaClusterTestKit.Builder kitBuilder = new KafkaClusterTestKit.Builder(nodes)
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("auto.create.topics.enable", "false")
                .setConfigProp(
                        "listeners",
                        b + "://localhost:0," + c + "://localhost:0,SASL://localhost:0,"
                                + "SSL://localhost:0,MTLS://localhost:0,SASLSSL://localhost:0")
                .setConfigProp(
                        "listener.security.protocol.map",
                        b + ":PLAINTEXT," + c + ":PLAINTEXT,"
                                + "SASL:SASL_PLAINTEXT,SSL:SSL,MTLS:SSL,SASLSSL:SASL_SSL");
        for (String listener : List.of("sasl", "saslssl")) {
            kitBuilder
                    .setConfigProp("listener.name." + listener + ".sasl.enabled.mechanisms", "SCRAM-SHA-512")
                    .setConfigProp(
                            "listener.name." + listener + ".scram-sha-512.sasl.jaas.config",
                            "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        }
        for (String listener : List.of("ssl", "saslssl")) {
            pki.serverListenerProperties(listener).forEach(kitBuilder::setConfigProp);
        }
        pki.mtlsListenerProperties("mtls").forEach(kitBuilder::setConfigProp);
        KafkaClusterTestKit kit = kitBuilder.build();
        kit.format();
        kit.startup();
        kit.waitForReadyBrokers();
        SecureKafka kafka = new SecureKafka(pki, saslPassword, passwordFile, kit);
        try (Admin admin = Admin.create(kafka.plaintextProperties())) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(
                            USER, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), saslPassword)))
                    .all()
                    .get();
        }
        kafka.awaitScramUser();
        LOG.info(
                "Secure embedded Kafka: plaintext {}, SASL/SCRAM {}, SSL {}, mTLS {}, SASL_SSL {} (ready in {} ms)",
                kafka.plaintextBootstrap,
                kafka.saslBootstrap,
                kafka.sslBootstrap,
                kafka.mtlsBootstrap,
                kafka.saslSslBootstrap,
                (System.nanoTime() - t0) / 1_000_000);
        return kafka;
    }

    Properties plaintextProperties() {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, plaintextBootstrap);
        return p;
    }

    /** Until the broker's credential cache has the user (metadata propagation), SCRAM logins fail. */
    private void awaitScramUser() throws Exception {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, saslBootstrap);
        p.put("security.protocol", "SASL_PLAINTEXT");
        p.put("sasl.mechanism", "SCRAM-SHA-512");
        p.put(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + USER + "\" password=\""
                        + saslPassword + "\";");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try (Admin admin = Admin.create(p)) {
                admin.describeCluster().clusterId().get();
                return;
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("SCRAM user not usable after 20 s", e);
                }
                Thread.sleep(100);
            }
        }
    }

    /** Creates a topic over the PLAINTEXT listener and writes {@code values} to it. */
    String topicWith(List<byte[]> values) throws Exception {
        String topic = "secure-" + UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = Admin.create(plaintextProperties())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        Properties p = plaintextProperties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (byte[] v : values) {
                producer.send(new ProducerRecord<>(topic, v)).get();
            }
        }
        return topic;
    }

    @Override
    public void close() throws Exception {
        kit.close();
    }
}
