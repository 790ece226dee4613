package io.github.netobservch.local;

import io.github.netobservch.FlowsJob;
import io.github.netobservch.config.ConfigLoader;
import io.github.netobservch.config.JobConfig;
import io.github.netobservch.pipeline.FlowPipeline;
import io.github.netobservch.pipeline.FlowSources;
import io.github.netobservch.schema.Migration;
import io.github.netobservch.schema.SchemaMigrator;
import io.github.netobservch.schema.SchemaOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * What the local runners share: applying the schema, the job's configuration, and submitting the
 * real job ({@link FlowsJob#environment}, {@link FlowPipeline#build}, {@link FlowsJob#sinks}) to a
 * {@link LocalFlink} cluster.
 */
public final class LocalJob {

    /** System property with the repository root (the scripts set it); else found from the working directory. */
    public static final String REPO_PROPERTY = "netobservch.repo";

    /** Environment variable with the ClickHouse password for servers given by URL. */
    public static final String PASSWORD_ENV = "CLICKHOUSE_PASSWORD";

    private LocalJob() {}

    /** The repository's {@code sql/} directory. */
    public static Path sqlDir() {
        String repo = System.getProperty(REPO_PROPERTY);
        if (repo != null && !repo.isBlank()) {
            return Path.of(repo, "sql");
        }
        return Migration.locateSchemaDirectory(null).getParent();
    }

    /** Applies every pending migration of {@code sql/schema} to {@code database} (creating it). */
    public static SchemaMigrator.Result applySchema(
            String url, String database, String user, String password, int retentionDays, Consumer<String> log) {
        Path dir = sqlDir().resolve("schema");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("no schema directory " + dir);
        }
        SchemaOptions options = SchemaOptions.defaults().withDatabase(database);
        if (retentionDays > 0) {
            options = options.withRetention(retentionDays, retentionDays, retentionDays)
                    .withTierRetention(
                            Math.max(retentionDays, SchemaOptions.DEFAULT_ROLLUP_RETENTION_DAYS),
                            Math.max(retentionDays, SchemaOptions.DEFAULT_ROLLUP_5M_RETENTION_DAYS),
                            Math.max(retentionDays, SchemaOptions.DEFAULT_ROLLUP_1H_RETENTION_DAYS));
        }
        return new SchemaMigrator(SchemaMigrator.jdbc(url, user, password), options, Migration.loadDirectory(dir))
                .log(log)
                .migrate();
    }

    /** Job options as the command line would give them ({@code key → value}, keys without {@code --}). */
    public static JobConfig config(Map<String, String> options) {
        List<String> args = new ArrayList<>();
        options.forEach((k, v) -> {
            args.add("--" + k);
            args.add(v);
        });
        return ConfigLoader.load(args.toArray(new String[0]), Map.of());
    }

    /** Builds the real job on an environment made by {@link FlowsJob#environment} and submits it. */
    public static LocalFlink.Job submit(LocalFlink flink, JobConfig config, int parallelism, boolean bounded) {
        StreamExecutionEnvironment env = FlowsJob.environment(config);
        env.setParallelism(parallelism);
        FlowPipeline.build(
                env,
                bounded ? FlowSources.boundedKafka(config.kafka()) : FlowSources.kafka(config.kafka()),
                FlowsJob.sinks(config, env, flink.checkpointDirectory()),
                config.pipeline());
        return flink.submit(env, config.pipeline().jobName());
    }

    /** Best-effort recursive delete (temporary directories of the runners). */
    public static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }

    /** {@code 12,345}. */
    static String n(long v) {
        return String.format("%,d", v);
    }
}
