package io.github.netobservch.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands tests a {@link SecureKafka}, an {@link AuthClickHouse} and the {@link TestPki} whose
 * certificates the broker presents, each made once per test JVM on first use (passwords are unique
 * marker strings, so leak checks can search for them) and closed with the root extension context.
 */
public final class SecurityFixtures implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(SecurityFixtures.class);

    /** Marker prefixes: a secret's value is {@code PREFIX + random}, never found in a config or log by accident. */
    static final String KAFKA_SECRET_PREFIX = "KafkaSecretMarker";

    static final String CLICKHOUSE_SECRET_PREFIX = "ClickHouseSecretMarker";

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        Class<?> t = p.getParameter().getType();
        return t == SecureKafka.class || t == AuthClickHouse.class || t == TestPki.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        Handle h = e.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Handle.class, k -> new Handle(), Handle.class);
        Class<?> t = p.getParameter().getType();
        return t == SecureKafka.class ? h.kafka() : t == TestPki.class ? h.pki() : h.clickHouse();
    }

    static String marker(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "");
    }

    static final class Handle implements AutoCloseable {
        private final Path dir;
        private TestPki pki;
        private SecureKafka kafka;
        private AuthClickHouse clickHouse;

        Handle() {
            try {
                dir = Files.createTempDirectory("security-it-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        synchronized TestPki pki() {
            if (pki == null) {
                try {
                    pki = TestPki.create(dir.resolve("pki"));
                } catch (Exception e) {
                    throw new IllegalStateException("cannot create the test PKI", e);
                }
            }
            return pki;
        }

        synchronized SecureKafka kafka() {
            if (kafka == null) {
                try {
                    kafka = SecureKafka.start(dir.resolve("kafka"), marker(KAFKA_SECRET_PREFIX), pki());
                } catch (Exception e) {
                    throw new IllegalStateException("cannot start the secure Kafka broker", e);
                }
            }
            return kafka;
        }

        synchronized AuthClickHouse clickHouse() {
            if (clickHouse == null) {
                try {
                    clickHouse = AuthClickHouse.start(dir.resolve("clickhouse"), marker(CLICKHOUSE_SECRET_PREFIX));
                } catch (Exception e) {
                    throw new IllegalStateException("cannot start the password-protected ClickHouse", e);
                }
            }
            return clickHouse;
        }

        @Override
        public synchronized void close() throws Exception {
            if (kafka != null) {
                kafka.close();
            }
            if (clickHouse != null) {
                clickHouse.close();
            }
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
