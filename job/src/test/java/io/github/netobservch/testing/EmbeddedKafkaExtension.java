package io.github.netobservch.testing;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JUnit 5 extension that hands tests a {@link KafkaTestCluster} parameter.
 *
 * <p>One single-node KRaft broker (Kafka's own {@link KafkaClusterTestKit}) is started per test
 * JVM on first use and closed when the JVM's root extension context closes. If the environment
 * variable {@code KAFKA_BOOTSTRAP_SERVERS} is set, that broker is used instead and nothing starts.
 */
public final class EmbeddedKafkaExtension implements ParameterResolver {

    public static final String BOOTSTRAP_ENV = "KAFKA_BOOTSTRAP_SERVERS";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaExtension.class);
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(EmbeddedKafkaExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == KafkaTestCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext)
            throws ParameterResolutionException {
        return cluster(extensionContext);
    }

    /** The JVM-wide cluster, started on first call. */
    public static KafkaTestCluster cluster(ExtensionContext context) {
        return context.getRoot()
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent(Handle.class, k -> Handle.start(), Handle.class)
                .cluster;
    }

    /** Owns the embedded broker; closed by JUnit together with the root context. */
    static final class Handle implements AutoCloseable {
        final KafkaTestCluster cluster;
        private final KafkaClusterTestKit kit;

        private Handle(KafkaTestCluster cluster, KafkaClusterTestKit kit) {
            this.cluster = cluster;
            this.kit = kit;
        }

        static Handle start() {
            String external = System.getenv(BOOTSTRAP_ENV);
            if (external != null && !external.isBlank()) {
                LOG.info("Using external Kafka at {}", external);
                return new Handle(new KafkaTestCluster(external.trim(), false), null);
            }
            long t0 = System.nanoTime();
            try {
                KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(
                                new TestKitNodes.Builder()
                                        .setCombined(true)
                                        .setNumBrokerNodes(1)
                                        .setNumControllerNodes(1)
                                        .build())
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        .setConfigProp("offsets.topic.num.partitions", "1")
                        .setConfigProp("transaction.state.log.replication.factor", "1")
                        .setConfigProp("transaction.state.log.min.isr", "1")
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        .setConfigProp("auto.create.topics.enable", "false")
                        .build();
                kit.format();
                kit.startup();
                kit.waitForReadyBrokers();
                LOG.info("Embedded Kafka ready at {} in {} ms", kit.bootstrapServers(),
                        (System.nanoTime() - t0) / 1_000_000);
                return new Handle(new KafkaTestCluster(kit.bootstrapServers(), true), kit);
            } catch (Exception e) {
                throw new IllegalStateException("could not start the embedded Kafka broker", e);
            }
        }

        @Override
        public void close() throws Exception {
            if (kit != null) {
                kit.close();
            }
        }
    }
}
