package io.github.netobservch.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.netobservch.FlowsJob;
import io.github.netobservch.config.ConfigLoader;
import io.github.netobservch.config.JobConfig;
import io.github.netobservch.config.SecretRef;
import io.github.netobservch.pipeline.FlowPipeline;
import io.github.netobservch.pipeline.FlowSources;
import io.github.netobservch.rows.FlowRowEncoder;
import io.github.netobservch.sink.ClickHousePreflight;
import io.github.netobservch.sink.ClickHouseSink;
import io.github.netobservch.sink.ClickHouseSinkOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.apache.flink.util.InstantiationUtil;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets stay references until the TaskManager uses them. The whole job — SASL/SCRAM Kafka source
 * and exactly-once sinks into a ClickHouse that requires a password, both passwords from files whose
 * content is a unique marker — runs on a MiniCluster while every log event (INFO and up, Kafka and
 * Flink included) is captured; the marker must appear in no log line or exception, in no REST view of
 * the configuration or the job, and nowhere in the serialized job graph or the serialized source and
 * sinks. Negative controls: the same search finds a password given as a literal
 * ({@code ClickHouseSinkOptions.password(String)}), and every channel finds a marker planted in it,
 * for the Kafka and the ClickHouse password. Logs are captured at DEBUG for the job's packages and
 * Flink's configuration and REST layers, at INFO elsewhere ({@link LogCapture#DEBUG_LOGGERS} says why).
 */
@ExtendWith(SecurityFixtures.class)
class SecretLeakITCase {

    private static final int RECORDS = 20;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    @Test
    @Timeout(180)
    void noSecretInLogsRestConfigurationOrSerializedJob(
            SecureKafka kafka, AuthClickHouse clickhouse, @InjectMiniCluster MiniCluster miniCluster) throws Exception {
        String db = clickhouse.createSchema("secrets");
        String topic = kafka.topicWith(KafkaSecurityITCase.records());
        List<String> secrets = List.of(kafka.saslPassword, clickhouse.password);

        try (LogCapture logs = LogCapture.capture()) {
            JobConfig config = ConfigLoader.load(
                    new String[] {
                        "--kafka.bootstrap-servers",
                        kafka.saslBootstrap,
                        "--kafka.topics",
                        topic,
                        "--kafka.group-id",
                        "secrets-" + topic,
                        "--kafka.starting-offsets",
                        "earliest",
                        "--kafka.security-protocol",
                        "SASL_PLAINTEXT",
                        "--kafka.sasl.username",
                        SecureKafka.USER,
                        "--kafka.sasl.password-file",
                        kafka.saslPasswordFile.toString(),
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
                        "1 min"
                    },
                    Map.of());
            StreamExecutionEnvironment env = FlowsJob.environment(config);
            Configuration noRestarts = new Configuration();
            noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            env.configure(noRestarts);
            env.setParallelism(2);
            var source = FlowSources.boundedKafka(config.kafka());
            FlowPipeline.Sinks sinks = FlowsJob.sinks(config, env);
            FlowPipeline.build(env, source, sinks, config.pipeline());

            // What a client ships: the configuration objects, the source and sinks, the whole job graph.
            List<byte[]> shipped = new ArrayList<>();
            shipped.add(InstantiationUtil.serializeObject(config));
            shipped.add(InstantiationUtil.serializeObject(source));
            shipped.add(InstantiationUtil.serializeObject(sinks.flows()));
            shipped.add(InstantiationUtil.serializeObject(sinks.deadLetters()));
            shipped.add(
                    InstantiationUtil.serializeObject(env.getStreamGraph(false).getJobGraph()));
            String texts = config + "\n" + config.kafka().consumerProperties() + "\n" + env.getConfiguration() + "\n"
                    + env.getConfig() + "\n" + ((ClickHouseSink<?>) sinks.flows()).options();

            JobExecutionResult result = env.execute("secret-leak-it");
            assertThat(clickhouse.queryLong(db, "SELECT count() FROM flows"))
                    .as("the secrets worked")
                    .isEqualTo(RECORDS);

            String rest = restViews(
                    miniCluster.getRestAddress().get(), result.getJobID().toHexString());
            assertThat(rest).contains("secret-leak-it").contains("\"key\"").contains("execution-config"); // really read
            String logText = logs.text();
            assertThat(logText).as("log capture works").contains("secret-leak-it");
            for (String secret : secrets) {
                byte[] marker = secret.getBytes(StandardCharsets.UTF_8);
                for (byte[] bytes : shipped) {
                    assertThat(indexOf(bytes, marker))
                            .as("secret in a serialized object")
                            .isEqualTo(-1);
                }
                assertThat(texts).doesNotContain(secret);
                assertThat(rest).doesNotContain(secret);
                assertThat(logText).doesNotContain(secret);
            }
        }
    }

    @Test
    void wrongClickHousePasswordFailsWith516AndTheErrorDoesNotShowIt(AuthClickHouse clickhouse, @TempDir Path dir)
            throws Exception {
        String db = clickhouse.createSchema("auth");
        ClickHouseSinkOptions.Builder base = ClickHouseSinkOptions.builder()
                .url(clickhouse.url())
                .database(db)
                .table("flows")
                .user(AuthClickHouse.USER)
                .deduplicationRequirements(Duration.ofSeconds(1), Duration.ofMinutes(1), 1, 2);
        // The right password, from its file: the preflight passes.
        ClickHousePreflight.check(
                base.password(SecretRef.file(clickhouse.passwordFile.toString()))
                        .build(),
                new FlowRowEncoder());

        String wrong = SecurityFixtures.marker("WrongClickHousePassword");
        Path wrongFile = Files.writeString(dir.resolve("wrong"), wrong);
        ClickHouseSinkOptions bad =
                base.password(SecretRef.file(wrongFile.toString())).build();
        assertThatThrownBy(() -> ClickHousePreflight.check(bad, new FlowRowEncoder()))
                .satisfies(e -> {
                    String text = ExceptionUtils.stringifyException(e);
                    assertThat(text).contains("516").doesNotContain(wrong).doesNotContain(clickhouse.password);
                });
        assertThat(bad.toString()).doesNotContain(wrong).contains("file:");
    }

    /** Negative control: the searches above would find a literal password. */
    @Test
    void negativeControlALiteralPasswordIsFoundInTheSerializedSinkAndJobGraph(AuthClickHouse clickhouse)
            throws Exception {
        ClickHouseSinkOptions literal = ClickHouseSinkOptions.builder()
                .url(clickhouse.url())
                .database("d")
                .table("flows")
                .user(AuthClickHouse.USER)
                .password(clickhouse.password)
                .build();
        ClickHouseSink<io.github.netobservch.rows.FlowRow> sink =
                new ClickHouseSink<>(literal, new io.github.netobservch.rows.EncodedFlowRows());
        byte[] marker = clickhouse.password.getBytes(StandardCharsets.UTF_8);
        assertThat(indexOf(InstantiationUtil.serializeObject(sink), marker)).isNotNegative();
        assertThat(literal.toString()).doesNotContain(clickhouse.password); // toString hides it, serialization cannot

        JobConfig config = ConfigLoader.load(
                new String[] {"--kafka.bootstrap-servers", "localhost:1", "--clickhouse.url", clickhouse.url()},
                Map.of());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        FlowPipeline.Sinks real = FlowsJob.sinks(config, env);
        FlowPipeline.build(
                env,
                FlowSources.boundedKafka(config.kafka()),
                new FlowPipeline.Sinks(sink, real.deadLetters()),
                config.pipeline());
        byte[] graph =
                InstantiationUtil.serializeObject(env.getStreamGraph(false).getJobGraph());
        assertThat(indexOf(graph, marker))
                .as("the job-graph search can see user code")
                .isNotNegative();
    }

    /**
     * Negative controls, one per channel the leak test searches, for the Kafka password as well as
     * ClickHouse's: a marker planted in that channel is found by the same search. Each search can
     * therefore fail.
     */
    @Test
    @Timeout(120)
    void negativeControlsEveryChannelFindsAPlantedSecret(@InjectMiniCluster MiniCluster miniCluster) throws Exception {
        String kafkaSecret = SecurityFixtures.marker("PlantedKafkaPassword");
        String clickHouseSecret = SecurityFixtures.marker("PlantedClickHousePassword");
        try (LogCapture logs = LogCapture.capture()) {
            // logs, at DEBUG in the job's packages and at INFO elsewhere
            org.slf4j.LoggerFactory.getLogger("io.github.netobservch.sink.CommitExecutor")
                    .debug("planted {}", kafkaSecret);
            org.slf4j.LoggerFactory.getLogger("org.apache.flink.runtime.taskmanager.Task")
                    .info("planted {}", clickHouseSecret);
            // REST views: a job whose configuration holds one marker and whose failure names the other
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            Configuration planted = new Configuration();
            planted.setString("planted.clickhouse", clickHouseSecret);
            planted.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            env.configure(planted);
            env.getConfig().setGlobalJobParameters(planted);
            env.setParallelism(1);
            env.fromData(1, 2, 3)
                    .map(x -> {
                        if (x == 2) {
                            throw new IllegalStateException("failed with " + kafkaSecret);
                        }
                        return x;
                    })
                    .returns(Integer.class)
                    .sinkTo(new org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink<>());
            org.apache.flink.core.execution.JobClient job = env.executeAsync("secret-leak-control");
            assertThatThrownBy(() -> job.getJobExecutionResult().get()).isNotNull();
            String rest =
                    restViews(miniCluster.getRestAddress().get(), job.getJobID().toHexString());
            assertThat(rest).as("REST /jobs/<id>/config").contains(clickHouseSecret);
            assertThat(rest).as("REST /jobs/<id>/exceptions").contains(kafkaSecret);
            String logText = logs.text();
            assertThat(logText).as("logs at DEBUG").contains(kafkaSecret);
            assertThat(logText).as("logs at INFO").contains(clickHouseSecret);
        }
        // toString of configuration objects: a literal JAAS config shows its password
        java.util.Properties consumer = new java.util.Properties();
        consumer.setProperty(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required" + " username=\"u\" password=\""
                        + kafkaSecret + "\";");
        assertThat(consumer.toString()).contains(kafkaSecret);
        // serialized source: a KafkaSource built with that literal carries it
        org.apache.flink.connector.kafka.source.KafkaSource<String> literalSource =
                org.apache.flink.connector.kafka.source.KafkaSource.<String>builder()
                        .setBootstrapServers("localhost:1")
                        .setTopics("t")
                        .setProperties(consumer)
                        .setValueOnlyDeserializer(new org.apache.flink.api.common.serialization.SimpleStringSchema())
                        .build();
        assertThat(indexOf(
                        InstantiationUtil.serializeObject(literalSource), kafkaSecret.getBytes(StandardCharsets.UTF_8)))
                .as("serialized source")
                .isNotNegative();
        // exceptions: a message that names the secret is visible in the stringified exception
        assertThat(ExceptionUtils.stringifyException(new IllegalStateException(clickHouseSecret)))
                .contains(clickHouseSecret);
    }

    private static String restViews(URI rest, String jobId) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        StringBuilder out = new StringBuilder();
        for (String path : List.of(
                "/jobmanager/config",
                "/jobs/" + jobId + "/config",
                "/jobs/" + jobId,
                "/jobs/" + jobId + "/plan",
                "/jobs/" + jobId + "/checkpoints/config",
                "/jobs/" + jobId + "/exceptions",
                "/taskmanagers")) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(rest.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            out.append(path).append('\n').append(r.body()).append('\n');
        }
        return out.toString();
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Captures every log event (message and stack trace) of the test JVM, with INFO enabled for all loggers. */
    static final class LogCapture extends AbstractAppender implements AutoCloseable {
        private final StringBuffer text = new StringBuffer();
        private final Map<String, Level> saved = new java.util.HashMap<>();
        private final List<String> added = new ArrayList<>();

        private LogCapture() {
            super("secret-leak-capture", null, null, true, Property.EMPTY_ARRAY);
        }

        static LogCapture capture() {
            LogCapture capture = new LogCapture();
            capture.start0();
            return capture;
        }

        /**
         * Captured at DEBUG: the job's own code and Flink's configuration and REST layers (where
         * configuration values are logged). Everything else at INFO: DEBUG of the Kafka clients and
         * all of Flink writes hundreds of thousands of lines per run, which would make the search
         * slow and the test flaky on time, and those libraries log no configuration values at DEBUG
         * that they do not log at INFO.
         */
        static final List<String> DEBUG_LOGGERS = List.of(
                "io.github.netobservch",
                "org.apache.flink.configuration",
                "org.apache.flink.runtime.rest",
                "org.apache.kafka.common.config");

        private void start0() {
            start();
            LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
            for (String name : DEBUG_LOGGERS) {
                if (ctx.getConfiguration().getLoggers().get(name) == null) {
                    LoggerConfig debug = new LoggerConfig(name, Level.DEBUG, true);
                    ctx.getConfiguration().addLogger(name, debug);
                    added.add(name);
                }
            }
            for (LoggerConfig lc : ctx.getConfiguration().getLoggers().values()) {
                saved.put(lc.getName(), lc.getLevel());
                lc.addAppender(this, Level.ALL, null);
                Level wanted = DEBUG_LOGGERS.contains(lc.getName()) ? Level.DEBUG : Level.INFO;
                if (lc.getLevel().isMoreSpecificThan(wanted)) {
                    lc.setLevel(wanted);
                }
            }
            ctx.updateLoggers();
        }

        @Override
        public void append(LogEvent event) {
            text.append(event.getLoggerName())
                    .append(' ')
                    .append(event.getMessage().getFormattedMessage())
                    .append('\n');
            if (event.getThrown() != null) {
                text.append(ExceptionUtils.stringifyException(event.getThrown()))
                        .append('\n');
            }
        }

        String text() {
            return text.toString();
        }

        @Override
        public void close() {
            LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
            for (LoggerConfig lc : ctx.getConfiguration().getLoggers().values()) {
                lc.removeAppender(getName());
                Level level = saved.get(lc.getName());
                if (level != null) {
                    lc.setLevel(level);
                }
            }
            for (String name : added) {
                ctx.getConfiguration().removeLogger(name);
            }
            ctx.updateLoggers();
            stop();
        }
    }
}
