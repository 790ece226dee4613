package io.github.netobservch.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.netobservch.FlowsJob;
import io.github.netobservch.config.ConfigLoader;
import io.github.netobservch.config.JobConfig;
import io.github.netobservch.pipeline.FlowPipeline;
import io.github.netobservch.pipeline.FlowSources;
import io.github.netobservch.rows.DeadLetterRowEncoder;
import io.github.netobservch.rows.FlowRowEncoder;
import io.github.netobservch.schema.ApplySchema;
import io.github.netobservch.sink.ClickHousePreflight;
import io.github.netobservch.sink.ClickHousePreflightException;
import io.github.netobservch.sink.ClickHouseSink;
import io.github.netobservch.sink.ClickHouseSinkOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS to ClickHouse, end to end: the embedded endpoint serves HTTPS with a server certificate of a
 * throw-away CA ({@link TestPki}) and accepts only {@link AuthClickHouse#USER} with its password
 * ({@link AuthClickHouse#startTls}). With {@code clickhouse.ssl.root-cert} = the CA's PEM, the schema
 * tool ({@link ApplySchema}, over JDBC), the sinks' preflight and the real job (Kafka → parse → dedup →
 * exactly-once sinks, over client-v2) all reach it and the rows land, sent as that user. Negative
 * controls: with no root certificate (the JVM's default trust store) or an unrelated CA, each of the
 * three stops with a message saying the TLS verification failed and what to set, no row lands, and
 * no password shows; a wrong password over TLS gets 516.
 */
@ExtendWith(SecurityFixtures.class)
class ClickHouseTlsITCase {

    private static final int RECORDS = 20;
    private static final String TLS_FAILED = "TLS verification of the ClickHouse server certificate failed";

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    @TempDir
    static Path dir;

    private static TestPki pki;
    private static Path unrelatedCa;
    private static AuthClickHouse clickhouse;

    @BeforeAll
    static void start(TestPki sharedPki) throws Exception {
        pki = sharedPki;
        unrelatedCa = TestPki.unrelatedCaPem(dir.resolve("unrelated"));
        clickhouse = AuthClickHouse.startTls(
                dir.resolve("clickhouse"), SecurityFixtures.marker(SecurityFixtures.CLICKHOUSE_SECRET_PREFIX), pki);
    }

    @AfterAll
    static void stop() {
        if (clickhouse != null) {
            clickhouse.close();
        }
    }

    @Test
    @Timeout(180)
    void schemaToolPreflightAndJobLoadEveryRowOverHttps(SecureKafka kafka) throws Exception {
        assertThat(clickhouse.url()).startsWith("https://127.0.0.1:");
        String db = "tls_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        Output schema = applySchema(db, "--clickhouse.ssl.root-cert", pki.caPem.toString());
        assertThat(schema.exit).as(schema.err).isZero();
        assertThat(schema.out).contains("migration(s) applied");
        assertThat(clickhouse.queryColumn(db, "SHOW TABLES")).contains("flows", "flows_dlq", "schema_migrations");

        String topic = kafka.topicWith(KafkaSecurityITCase.records());
        JobConfig config = jobConfig(kafka, topic, db, "--clickhouse.ssl.root-cert", pki.caPem.toString());
        StreamExecutionEnvironment env = environment(config);
        FlowPipeline.Sinks sinks = FlowsJob.sinks(config, env);
        assertThat(ClickHousePreflight.check(options(sinks.flows()), new FlowRowEncoder())
                        .serverVersion())
                .startsWith("26.");
        ClickHousePreflight.check(options(sinks.deadLetters()), new DeadLetterRowEncoder());

        FlowPipeline.build(env, FlowSources.boundedKafka(config.kafka()), sinks, config.pipeline());
        env.execute("clickhouse-tls-it");
        assertThat(clickhouse.queryLong(db, "SELECT count() FROM flows")).isEqualTo(RECORDS);
        assertThat(clickhouse.queryLong(db, "SELECT uniqExact(kafka_offset) FROM flows"))
                .isEqualTo(RECORDS);
        assertThat(clickhouse.queryLong(db, "SELECT count() FROM flows_dlq")).isZero();

        // Every request that reached the endpoint over TLS carried the job's user (and its password: the
        // endpoint answers anything else with 516).
        String requests = Files.readString(clickhouse.server.logFile());
        assertThat(requests)
                .contains("user=" + AuthClickHouse.USER + " status=200")
                .doesNotContain("user=default")
                .doesNotContain(clickhouse.password);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"no root certificate", "an unrelated CA"})
    @Timeout(180)
    void withoutTheServersCaEveryClientStopsAtTheTlsVerification(String trust, SecureKafka kafka) throws Exception {
        String[] rootCert = trust.equals("an unrelated CA")
                ? new String[] {"--clickhouse.ssl.root-cert", unrelatedCa.toString()}
                : new String[0];
        String db = clickhouse.createSchema("tls_neg"); // through the right CA, so only the client side differs

        Output schema = applySchema("tls_never_" + UUID.randomUUID().toString().substring(0, 8), rootCert);
        assertThat(schema.exit).isEqualTo(1);
        assertThat(schema.err)
                .contains(TLS_FAILED)
                .contains("clickhouse.ssl.root-cert")
                .doesNotContain(clickhouse.password);

        String topic = kafka.topicWith(KafkaSecurityITCase.records());
        JobConfig config = jobConfig(kafka, topic, db, rootCert);
        StreamExecutionEnvironment env = environment(config);
        FlowPipeline.Sinks sinks = FlowsJob.sinks(config, env);
        assertThatThrownBy(() -> ClickHousePreflight.check(options(sinks.flows()), new FlowRowEncoder()))
                .isInstanceOf(ClickHousePreflightException.class)
                .hasMessageContaining(TLS_FAILED)
                .hasMessageContaining("clickhouse.ssl.root-cert");

        FlowPipeline.build(env, FlowSources.boundedKafka(config.kafka()), sinks, config.pipeline());
        String failure = ExceptionUtils.stringifyException(executeExpectingFailure(env));
        assertThat(failure)
                .contains("ClickHouse sink preflight failed")
                .contains(TLS_FAILED)
                .doesNotContain(clickhouse.password);
        assertThat(clickhouse.queryLong(db, "SELECT count() FROM flows")).isZero();
        assertThat(clickhouse.queryLong(db, "SELECT count() FROM flows_dlq")).isZero();
    }

    @Test
    void wrongPasswordOverTlsGets516WithoutShowingIt(@TempDir Path tmp) throws Exception {
        String db = clickhouse.createSchema("tls_auth");
        String wrong = SecurityFixtures.marker("WrongClickHousePassword");
        Path wrongFile = Files.writeString(tmp.resolve("wrong"), wrong);
        JobConfig config = ConfigLoader.load(
                new String[] {
                    "--kafka.bootstrap-servers",
                    "localhost:1",
                    "--clickhouse.url",
                    clickhouse.url(),
                    "--clickhouse.database",
                    db,
                    "--clickhouse.user",
                    AuthClickHouse.USER,
                    "--clickhouse.password-file",
                    wrongFile.toString(),
                    "--clickhouse.ssl.root-cert",
                    pki.caPem.toString()
                },
                Map.of());
        FlowPipeline.Sinks sinks = FlowsJob.sinks(config, StreamExecutionEnvironment.getExecutionEnvironment());
        assertThatThrownBy(() -> ClickHousePreflight.check(options(sinks.flows()), new FlowRowEncoder()))
                .satisfies(e -> assertThat(ExceptionUtils.stringifyException(e))
                        .contains("516")
                        .doesNotContain(TLS_FAILED)
                        .doesNotContain(wrong)
                        .doesNotContain(clickhouse.password));
    }

    private static ClickHouseSinkOptions options(Sink<?> sink) {
        return ((ClickHouseSink<?>) sink).options();
    }

    private static JobConfig jobConfig(SecureKafka kafka, String topic, String db, String... tls) {
        List<String> args = new ArrayList<>(List.of(
                "--kafka.bootstrap-servers",
                kafka.plaintextBootstrap,
                "--kafka.topics",
                topic,
                "--kafka.group-id",
                "tls-" + topic,
                "--kafka.starting-offsets",
                "earliest",
                "--clickhouse.url",
                clickhouse.url(),
                "--clickhouse.database",
                db,
                "--clickhouse.user",
                AuthClickHouse.USER,
                "--clickhouse.password-file",
                clickhouse.passwordFile.toString(),
                "--checkpoint.interval",
                "300 ms",
                "--sink.tolerated-outage",
                "1 min"));
        args.addAll(List.of(tls));
        return ConfigLoader.load(args.toArray(String[]::new), Map.of());
    }

    private static StreamExecutionEnvironment environment(JobConfig config) {
        StreamExecutionEnvironment env = FlowsJob.environment(config);
        Configuration noRestarts = new Configuration();
        noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        env.configure(noRestarts);
        env.setParallelism(1);
        return env;
    }

    private static Throwable executeExpectingFailure(StreamExecutionEnvironment env) throws Exception {
        var client = env.executeAsync("clickhouse-tls-negative");
        try {
            client.getJobExecutionResult().get(90, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            client.cancel().get(30, TimeUnit.SECONDS);
            throw new AssertionError("the job neither failed nor finished within 90 s", e);
        }
        throw new AssertionError("the job finished although the TLS verification should have failed");
    }

    private record Output(int exit, String out, String err) {}

    private static Output applySchema(String db, String... tls) {
        List<String> args = new ArrayList<>(List.of(
                "--clickhouse.url",
                clickhouse.url(),
                "--clickhouse.database",
                db,
                "--clickhouse.user",
                AuthClickHouse.USER,
                "--clickhouse.password-file",
                clickhouse.passwordFile.toString(),
                "--retention-days",
                "3650",
                "--rollup-retention-days",
                "3650",
                "--dlq-retention-days",
                "3650"));
        args.addAll(List.of(tls));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = ApplySchema.run(
                args.toArray(String[]::new),
                null,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Output(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
