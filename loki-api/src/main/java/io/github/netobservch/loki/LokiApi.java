package io.github.netobservch.loki;

import io.github.netobservch.loki.http.Authenticator;
import io.github.netobservch.loki.http.KubernetesTokenReview;
import io.github.netobservch.loki.http.LokiHttpServer;
import io.github.netobservch.loki.query.ClickHouseReader;
import io.github.netobservch.loki.query.Limits;
import io.github.netobservch.loki.query.LokiQueries;
import io.github.netobservch.loki.query.SqlQuery;
import io.github.netobservch.loki.query.StreamLabels;
import io.github.netobservch.loki.query.Tenant;
import io.github.netobservch.loki.query.TimeParams;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Entry point of the Loki-compatible read API: parses options into one {@link Config}, builds the
 * ClickHouse reader, the queries and the HTTP server, and serves until stopped.
 */
@Command(
        name = "loki-api",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Serves the slice of Loki's HTTP API that NetObserv's console plugin uses, from the "
                + "flows tables in ClickHouse. Closed by default: give --auth.token-file, --tls.client-ca "
                + "or, for local use only, --auth.anonymous.")
public final class LokiApi implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(LokiApi.class);

    @Option(names = "--listen.host", defaultValue = "0.0.0.0", description = "Address to listen on.")
    String host;

    @Option(names = "--listen.port", defaultValue = "3100", description = "Port (Loki's default 3100).")
    int port;

    @Option(names = "--clickhouse.url", defaultValue = "http://localhost:8123", description = "ClickHouse HTTP(S) URL.")
    String clickhouseUrl;

    @Option(
            names = "--clickhouse.user",
            defaultValue = "netobserv_reader",
            description = "ClickHouse user; give it read-only grants on the flows tables and readonly=2.")
    String clickhouseUser;

    @Option(
            names = "--clickhouse.password-file",
            description = "File holding the ClickHouse password (a mounted Secret). Never logged.")
    Path clickhousePasswordFile;

    @Option(names = "--clickhouse.table", defaultValue = "flows", description = "Flows table in each tenant database.")
    String table;

    @Option(
            names = "--tenant",
            defaultValue = "netobserv=netobserv",
            split = ",",
            description =
                    "X-Scope-OrgID to database mapping, id=database[/cluster] (repeatable). Default ${DEFAULT-VALUE}.")
    List<String> tenants;

    @Option(
            names = "--default-tenant",
            description = "Tenant for requests without X-Scope-OrgID (default: such requests get 401 \"no org id\").")
    String defaultTenant;

    @Option(
            names = "--labels",
            split = ",",
            description =
                    "Stream label fields, exactly as the FlowCollector's loki.labels (default: the operator's default group).")
    List<String> labels;

    @Option(
            names = "--label-groups",
            split = ",",
            description = "Optional operator label groups to add to --labels: conntrack, multiCluster, zones, udn.")
    List<String> labelGroups;

    @Option(names = "--auth.token-file", description = "File of accepted bearer tokens, one per line (repeatable).")
    List<Path> tokenFiles;

    @Option(names = "--auth.anonymous", description = "Accept requests without credentials (local use only).")
    boolean anonymous;

    @Option(
            names = "--auth.kubernetes",
            description = "Check bearer tokens with the Kubernetes API server (TokenReview): the console plugin's "
                    + "service account token (FlowCollector authToken: Host) or the user's (Forward).")
    boolean kubernetes;

    @Option(
            names = "--auth.kubernetes.allow",
            split = ",",
            description = "Identities allowed with --auth.kubernetes: user names (e.g. "
                    + "system:serviceaccount:netobserv:netobserv-plugin) or group:<name> (repeatable).")
    List<String> kubernetesAllow;

    @Option(
            names = "--auth.kubernetes.authorize",
            description = "With --auth.kubernetes, also allow identities the API server authorizes to read "
                    + "NetObserv's flows in Loki (SubjectAccessReview: get loki.grafana.com/network, name logs, "
                    + "as granted by NetObserv's reader role), e.g. console users with authToken: Forward.")
    boolean kubernetesAuthorize;

    @Option(
            names = "--auth.kubernetes.api-url",
            defaultValue = "https://kubernetes.default.svc",
            description = "Kubernetes API server URL.")
    String kubernetesApiUrl;

    @Option(
            names = "--auth.kubernetes.token-file",
            defaultValue = "/var/run/secrets/kubernetes.io/serviceaccount/token",
            description = "This pod's service account token, sent with each TokenReview.")
    Path kubernetesTokenFile;

    @Option(
            names = "--auth.kubernetes.ca-file",
            defaultValue = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt",
            description = "CA bundle of the API server.")
    Path kubernetesCaFile;

    @Option(
            names = "--auth.kubernetes.cache-ttl",
            defaultValue = "60s",
            description = "How long a TokenReview answer is reused (by token digest).")
    String kubernetesCacheTtl;

    @Option(names = "--tls.cert", description = "PEM certificate chain: serve HTTPS.")
    Path tlsCert;

    @Option(names = "--tls.key", description = "PEM private key (PKCS#8) of --tls.cert.")
    Path tlsKey;

    @Option(names = "--tls.client-ca", description = "PEM CA bundle: require client certificates signed by it (mTLS).")
    Path tlsClientCa;

    @Option(names = "--limits.max-query-length", defaultValue = "721h", description = "Longest time range per query.")
    String maxQueryLength;

    @Option(names = "--limits.max-entries", defaultValue = "5000", description = "Largest log query limit.")
    int maxEntries;

    @Option(names = "--limits.max-series", defaultValue = "500", description = "Most series in a metric answer.")
    int maxSeries;

    @Option(
            names = "--limits.query-timeout",
            defaultValue = "25s",
            description = "ClickHouse max_execution_time per query.")
    String queryTimeout;

    @Option(names = "--limits.workers", defaultValue = "4", description = "Queries run at once.")
    int workers;

    @Option(names = "--limits.queue", defaultValue = "64", description = "Queries waiting; more are refused with 429.")
    int queue;

    @Option(
            names = "--ingester.max-chunk-age",
            defaultValue = "2h",
            description = "Reported in /config (the console shows it).")
    String maxChunkAge;

    /** The parsed, validated configuration. */
    public record Config(
            String host,
            int port,
            URI clickhouseUrl,
            String clickhouseUser,
            Path clickhousePasswordFile,
            Map<String, Tenant> tenants,
            String defaultTenant,
            StreamLabels labels,
            Authenticator auth,
            SslContext ssl,
            Limits limits,
            int workers,
            int queue,
            String maxChunkAge) {}

    public static void main(String[] args) {
        System.exit(new CommandLine(new LokiApi()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Config config = config();
        try (Running running = start(config, Clock.systemUTC())) {
            LOG.info(
                    "Loki API listening on {}:{} (ClickHouse {}, tenants {}, labels {})",
                    config.host(),
                    running.server().port(),
                    config.clickhouseUrl(),
                    config.tenants().keySet(),
                    config.labels().fields());
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
        }
        return 0;
    }

    /** Validates the options into one immutable {@link Config}. */
    public Config config() {
        if (!anonymous && (tokenFiles == null || tokenFiles.isEmpty()) && tlsClientCa == null && !kubernetes) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this),
                    "no authentication configured: give --auth.kubernetes, --auth.token-file and/or "
                            + "--tls.client-ca (or --auth.anonymous for local use)");
        }
        if (anonymous && (kubernetes || (tokenFiles != null && !tokenFiles.isEmpty()))) {
            throw new IllegalArgumentException("--auth.anonymous cannot be combined with token checks");
        }
        if (tlsClientCa != null && tlsCert == null) {
            throw new IllegalArgumentException("--tls.client-ca needs --tls.cert and --tls.key");
        }
        URI url = URI.create(clickhouseUrl);
        if (url.getUserInfo() != null) {
            throw new IllegalArgumentException(
                    "--clickhouse.url must not hold credentials; use --clickhouse.password-file");
        }
        Map<String, Tenant> t = new LinkedHashMap<>();
        for (String spec : tenants) {
            Tenant tenant = Tenant.parse(spec, table);
            t.put(tenant.id(), tenant);
        }
        if (defaultTenant != null && !t.containsKey(defaultTenant)) {
            throw new IllegalArgumentException("--default-tenant " + defaultTenant + " is not a --tenant");
        }
        List<String> fields = new ArrayList<>(labels == null ? StreamLabels.DEFAULT_FIELDS : labels);
        if (labelGroups != null) {
            for (String g : labelGroups) {
                List<String> extra = StreamLabels.OPTIONAL_GROUPS.get(g);
                if (extra == null) {
                    throw new IllegalArgumentException(
                            "unknown label group " + g + "; known: " + StreamLabels.OPTIONAL_GROUPS.keySet());
                }
                extra.stream().filter(f -> !fields.contains(f)).forEach(fields::add);
            }
        }
        Limits limits = new Limits(
                Duration.ofMillis(TimeParams.durationMs("--limits.max-query-length", maxQueryLength)),
                maxEntries,
                maxSeries,
                11_000,
                1000,
                Duration.ofMillis(TimeParams.durationMs("--limits.query-timeout", queryTimeout)));
        return new Config(
                host,
                port,
                url,
                clickhouseUser,
                clickhousePasswordFile,
                t,
                defaultTenant,
                new StreamLabels("app", "netobserv-flowcollector", fields),
                Authenticator.of(tokenFiles == null ? List.of() : tokenFiles, tokenReview(), anonymous),
                ssl(),
                limits,
                workers,
                queue,
                maxChunkAge);
    }

    private KubernetesTokenReview tokenReview() {
        if (!kubernetes) {
            return null;
        }
        return new KubernetesTokenReview(
                URI.create(kubernetesApiUrl),
                kubernetesTokenFile,
                kubernetesCaFile,
                kubernetesAllow == null ? List.of() : kubernetesAllow,
                kubernetesAuthorize,
                Duration.ofMillis(TimeParams.durationMs("--auth.kubernetes.cache-ttl", kubernetesCacheTtl)),
                Clock.systemUTC());
    }

    private SslContext ssl() {
        if (tlsCert == null) {
            return null;
        }
        if (tlsKey == null) {
            throw new IllegalArgumentException("--tls.cert needs --tls.key");
        }
        try {
            SslContextBuilder b = SslContextBuilder.forServer(tlsCert.toFile(), tlsKey.toFile());
            if (tlsClientCa != null) {
                b.trustManager(tlsClientCa.toFile()).clientAuth(ClientAuth.REQUIRE);
            }
            return b.build();
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot load the TLS certificate or key: " + e.getMessage(), e);
        }
    }

    /** A started server and what it owns. */
    public record Running(LokiHttpServer server, LokiQueries queries) implements AutoCloseable {
        @Override
        public void close() {
            server.close();
        }
    }

    /** Builds the reader, the queries and the server from {@code config} and starts serving. */
    public static Running start(Config config) throws InterruptedException {
        return start(config, Clock.systemUTC());
    }

    /** Like {@link #start(Config)} with the clock that supplies default query ranges (tests fix it). */
    public static Running start(Config config, Clock clock) throws InterruptedException {
        Supplier<String> password = () -> readPassword(config.clickhousePasswordFile());
        Map<String, String> chSettings = new LinkedHashMap<>();
        chSettings.put(
                "max_execution_time",
                Long.toString(config.limits().queryTimeout().toSeconds()));
        chSettings.put("timeout_overflow_mode", "throw");
        // lines rebuilt from columns (raw.policy unmapped/none) write '/' as NetObserv does, not as '\/'
        chSettings.put("output_format_json_escape_forward_slashes", "0");
        ClickHouseReader reader = new ClickHouseReader(
                config.clickhouseUrl(),
                config.clickhouseUser(),
                password,
                chSettings,
                config.limits().queryTimeout().plusSeconds(5));
        LokiQueries queries = new LokiQueries(reader, config.labels(), config.limits(), clock);
        Tenant first = config.tenants().values().iterator().next();
        BooleanSupplier ready = () -> {
            try {
                reader.rows(new SqlQuery("SELECT 1", Map.of()), first.database());
                return true;
            } catch (RuntimeException e) {
                LOG.warn("ClickHouse not ready: {}", e.getMessage());
                return false;
            }
        };
        LokiHttpServer.Settings settings = new LokiHttpServer.Settings(
                config.host(),
                config.port(),
                config.ssl(),
                config.auth(),
                config.tenants(),
                config.defaultTenant(),
                config.workers(),
                config.queue(),
                configYaml(config),
                buildInfo());
        return new Running(LokiHttpServer.start(settings, queries, ready), queries);
    }

    /** What {@code /config} shows: the values the console reads, in Loki's YAML layout. */
    static String configYaml(Config c) {
        return "ingester:\n  max_chunk_age: " + c.maxChunkAge() + "\n"
                + "limits_config:\n"
                + "  max_entries_limit_per_query: " + c.limits().maxEntries() + "\n"
                + "  max_query_series: " + c.limits().maxSeries() + "\n"
                + "  max_query_length: "
                + TimeParams.goDuration(c.limits().maxQueryLength()) + "\n"
                + "  query_timeout: "
                + TimeParams.goDuration(c.limits().queryTimeout()) + "\n";
    }

    static Map<String, String> buildInfo() {
        Map<String, String> m = new LinkedHashMap<>();
        String v = LokiApi.class.getPackage().getImplementationVersion();
        m.put("version", v == null ? "dev" : v);
        m.put("revision", "");
        m.put("branch", "");
        m.put("buildUser", "");
        m.put("buildDate", "");
        m.put("goVersion", "");
        m.put("implementation", "netobserv-clickhouse loki-api (ClickHouse-backed, NetObserv console subset)");
        return m;
    }

    private static String readPassword(Path file) {
        if (file == null) {
            return "";
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the ClickHouse password file " + file, e);
        }
    }
}
