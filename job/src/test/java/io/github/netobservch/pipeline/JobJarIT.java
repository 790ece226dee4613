package io.github.netobservch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.generate.FlowGenerator;
import io.github.netobservch.generate.GeneratedMessage;
import io.github.netobservch.generate.GeneratorConfig;
import io.github.netobservch.generate.GroundTruth;
import io.github.netobservch.schema.Migration;
import io.github.netobservch.schema.SchemaMigrator;
import io.github.netobservch.schema.SchemaOptions;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import io.github.netobservch.testing.EmbeddedKafkaExtension;
import io.github.netobservch.testing.KafkaTestCluster;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded job jar submitted exactly as {@code flink run} does it: Flink's own CLI
 * ({@code CliFrontend run -t local}) in a separate JVM whose classpath is a bare Flink
 * distribution (the provided Flink modules, no Kafka, no ClickHouse driver), so everything the job
 * needs must come from the jar — connectors, driver, merged service files. The job runs on that
 * JVM's MiniCluster against the embedded Kafka and ClickHouse, and rows land. Runs after
 * {@code package} (Failsafe, {@code mvn verify}).
 */
@org.junit.jupiter.api.Timeout(300)
@ExtendWith({EmbeddedKafkaExtension.class, EmbeddedClickHouseExtension.class})
class JobJarIT {

    private static final File JAR = new File("target/netobserv-clickhouse-job.jar");
    private static final Path FLINK_CLASSPATH = Path.of("target/flink-dist.classpath");
    private static final Path FLINK_SHARED_CLASSPATH = Path.of("target/flink-dist-shared.classpath");

    /** What flink-dist's config.yaml passes to every Flink JVM on Java 17. */
    private static final List<String> MODULE_FLAGS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    /** The jar holds what a cluster runs: no demo, replay, generator or embedded services. */
    @Test
    void theShadedJarHoldsNoDevelopmentTools() throws Exception {
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(JAR)) {
            java.util.List<String> ours = jar.stream()
                    .map(java.util.zip.ZipEntry::getName)
                    .filter(n -> n.startsWith("io/github/netobservch/"))
                    .toList();
            assertThat(ours).contains("io/github/netobservch/FlowsJob.class");
            assertThat(ours)
                    .noneMatch(n -> n.startsWith("io/github/netobservch/local/")
                            || n.startsWith("io/github/netobservch/generate/")
                            || n.startsWith("io/github/netobservch/bench/"));
            assertThat(jar.stream().map(java.util.zip.ZipEntry::getName))
                    .noneMatch(n -> n.startsWith("kafka/server/") || n.startsWith("org/apache/kafka/common/test/"));
        }
    }

    @Test
    void theShadedJarRunsWithFlinkRun(KafkaTestCluster kafka, ClickHouseTestServer clickhouse, @TempDir Path tmp)
            throws Exception {
        assertThat(JAR).as("run after mvn package").isFile();
        assertThat(FLINK_CLASSPATH).as("written by maven-dependency-plugin").isRegularFile();
        String topic = kafka.createTopic("flows-export", 2);
        String db = clickhouse.createDatabase("jar");
        new SchemaMigrator(
                        () -> clickhouse.connect("default"),
                        SchemaOptions.defaults().withDatabase(db),
                        Migration.loadDirectory(Migration.locateSchemaDirectory(null)))
                .migrate();

        FlowGenerator generator = new FlowGenerator(GeneratorConfig.builder(3L)
                .startEpochMs(System.currentTimeMillis() - 600_000L)
                .invalidShare(0.05)
                .build());
        java.util.List<GeneratedMessage> produced = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(kafka.producerProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 1_000; i++) {
                GeneratedMessage m = generator.next();
                if (m.value().length > 900_000) {
                    continue; // keep under the producer's default request size
                }
                producer.send(new ProducerRecord<>(topic, m.value()));
                produced.add(m);
            }
            // One marker per partition, 10 minutes after the last flow: it moves event time past every
            // dedup wait, so the copies whose preferred reporter never came are released too and the
            // loaded rows can be compared exactly (the source is unbounded and never ends the input).
            long last = produced.stream()
                    .mapToLong(m -> io.github.netobservch.pipeline.RawFlowEndTime.find(m.value()))
                    .max()
                    .orElseThrow();
            for (int partition = 0; partition < 2; partition++) {
                com.fasterxml.jackson.databind.node.ObjectNode marker = (com.fasterxml.jackson.databind.node.ObjectNode)
                        new com.fasterxml.jackson.databind.ObjectMapper()
                                .readTree(io.github.netobservch.format.FlowFixtures.bytes("example1"));
                marker.put("SrcPort", 1 + partition);
                marker.put("TimeFlowStartMs", last + 600_000);
                marker.put("TimeFlowEndMs", last + 600_000);
                producer.send(new ProducerRecord<>(
                                topic,
                                partition,
                                null,
                                new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(marker)))
                        .get();
            }
        }
        final int markers = 2;
        GroundTruth truth = GroundTruth.of(produced);
        long invalid = truth.invalid();
        long counted = truth.rows();

        Path conf = Files.createDirectories(tmp.resolve("conf"));
        Files.writeString(conf.resolve("config.yaml"), "parallelism.default: 2\ntaskmanager.numberOfTaskSlots: 2\n");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(MODULE_FLAGS);
        String classpath = Files.readString(FLINK_CLASSPATH).trim()
                + File.pathSeparator
                + Files.readString(FLINK_SHARED_CLASSPATH).trim();
        command.addAll(List.of(
                "-Xmx1g",
                "-cp",
                classpath,
                "org.apache.flink.client.cli.CliFrontend",
                "run",
                "-t",
                "local",
                JAR.getAbsolutePath(),
                "--kafka.bootstrap-servers",
                kafka.bootstrapServers(),
                "--kafka.topics",
                topic,
                "--kafka.starting-offsets",
                "earliest",
                "--clickhouse.url",
                clickhouse.httpUrl(),
                "--clickhouse.database",
                db,
                "--checkpoint.interval",
                "500 ms",
                "--sink.tolerated-outage",
                "1 min"));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("flink-run.log").toFile());
        builder.environment().put("FLINK_CONF_DIR", conf.toString());
        Process flinkRun = builder.start();
        try {
            // The job is unbounded (the production source): it runs until stopped.
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (clickhouse.queryLong(db, "SELECT count() FROM flows_dlq") < invalid
                    || clickhouse.queryLong(db, "SELECT count() FROM flows") < counted + markers) {
                if (!flinkRun.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError(
                            "no rows from flink run (exit " + (flinkRun.isAlive() ? "-" : flinkRun.exitValue()) + "):\n"
                                    + tail(tmp.resolve("flink-run.log")));
                }
                Thread.sleep(250);
            }
        } finally {
            flinkRun.destroy();
            if (!flinkRun.waitFor(30, TimeUnit.SECONDS)) {
                flinkRun.destroyForcibly();
            }
        }
        long loaded = clickhouse.queryLong(db, "SELECT count() FROM flows");
        assertThat(loaded).as("the ground truth's rows and the markers").isEqualTo(counted + markers);
        assertThat(clickhouse.queryLong(db, "SELECT uniqExact(kafka_partition, kafka_offset) FROM flows"))
                .isEqualTo(loaded);
        assertThat(clickhouse.queryLong(db, "SELECT count() FROM flows_dlq")).isEqualTo(invalid);
    }

    private static String tail(Path log) throws Exception {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
}
