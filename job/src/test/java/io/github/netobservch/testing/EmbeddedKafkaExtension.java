package io.github.netobservch.testing;

import io.github.netobservch.local.EmbeddedKafka;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JUnit 5 extension that hands tests a {@link KafkaTestCluster} parameter.
 *
 * <p>One single-node KRaft broker ({@link EmbeddedKafka}, Kafka's own test kit) is started per test
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
        private final EmbeddedKafka broker;

        private Handle(KafkaTestCluster cluster, EmbeddedKafka broker) {
            this.cluster = cluster;
            this.broker = broker;
        }

        static Handle start() {
            String external = System.getenv(BOOTSTRAP_ENV);
            if (external != null && !external.isBlank()) {
                LOG.info("Using external Kafka at {}", external);
                return new Handle(new KafkaTestCluster(external.trim(), false), null);
            }
            long t0 = System.nanoTime();
            // The same broker the local runners use (Kafka's own KafkaClusterTestKit, one KRaft node).
            EmbeddedKafka broker = EmbeddedKafka.start();
            LOG.info(
                    "Embedded Kafka ready at {} in {} ms",
                    broker.bootstrapServers(),
                    (System.nanoTime() - t0) / 1_000_000);
            return new Handle(new KafkaTestCluster(broker.bootstrapServers(), true), broker);
        }

        @Override
        public void close() {
            if (broker != null) {
                broker.close();
            }
        }
    }
}
