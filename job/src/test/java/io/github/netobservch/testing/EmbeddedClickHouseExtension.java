package io.github.netobservch.testing;

import io.github.netobservch.local.EmbeddedClickHouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that hands tests a {@link ClickHouseTestServer} parameter.
 *
 * <p>One embedded endpoint (scripts/embedded-clickhouse, a temp data directory, a free port) is
 * started per test JVM on first use and stopped with the root extension context. If
 * {@code CLICKHOUSE_URL} is set, that server is used instead.
 */
public final class EmbeddedClickHouseExtension implements ParameterResolver {

    public static final String URL_ENV = "CLICKHOUSE_URL";

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(EmbeddedClickHouseExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == ClickHouseTestServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext)
            throws ParameterResolutionException {
        return server(extensionContext);
    }

    public static ClickHouseTestServer server(ExtensionContext context) {
        return context.getRoot()
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent(Handle.class, k -> Handle.start(), Handle.class)
                .server;
    }

    static final class Handle implements AutoCloseable {
        final ClickHouseTestServer server;
        private final EmbeddedClickHouse process;
        private final Path tempDir;

        private Handle(ClickHouseTestServer server, EmbeddedClickHouse process, Path tempDir) {
            this.server = server;
            this.process = process;
            this.tempDir = tempDir;
        }

        static Handle start() {
            String user = envOr("CLICKHOUSE_USER", "default");
            String password = envOr("CLICKHOUSE_PASSWORD", "");
            String external = System.getenv(URL_ENV);
            if (external != null && !external.isBlank()) {
                return new Handle(new ClickHouseTestServer(external.trim(), user, password, null), null, null);
            }
            try {
                Path tempDir = Files.createTempDirectory("embedded-clickhouse-");
                EmbeddedClickHouse process = EmbeddedClickHouse.start(tempDir.resolve("data"), 0);
                return new Handle(new ClickHouseTestServer(process.url(), user, password, process), process, tempDir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            if (process != null) {
                process.close();
            }
            if (tempDir != null) {
                try (Stream<Path> paths = Files.walk(tempDir)) {
                    paths.sorted(Comparator.reverseOrder())
                            .forEach(p -> p.toFile().delete());
                }
            }
        }

        private static String envOr(String name, String fallback) {
            String value = System.getenv(name);
            return value == null || value.isEmpty() ? fallback : value;
        }
    }
}
