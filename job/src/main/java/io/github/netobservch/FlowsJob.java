package io.github.netobservch;

import io.github.netobservch.config.ConfigLoader;
import io.github.netobservch.config.JobConfig;
import io.github.netobservch.config.SinkSettings;
import io.github.netobservch.pipeline.ClickHouseSinks;
import io.github.netobservch.pipeline.DeadLetterTopicSink;
import io.github.netobservch.pipeline.FlowPipeline;
import io.github.netobservch.pipeline.FlowSources;
import io.github.netobservch.sink.ClickHouseSink;
import java.time.Duration;
import java.util.Optional;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Entry point: NetObserv flows from Kafka into ClickHouse, exactly once. Wiring only — options
 * into one {@link JobConfig}, the real Kafka source and ClickHouse sinks into {@link FlowPipeline}.
 */
public final class FlowsJob {

    /** Used when neither {@code checkpoint.interval} nor the cluster configures checkpointing. */
    static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(30);

    /** Under the checkpoint directory: the default {@code sink.spill-dir}. */
    static final String SPILL_SUBDIRECTORY = "clickhouse-spill";

    private FlowsJob() {}

    public static void main(String[] args) throws Exception {
        if (ConfigLoader.wantsHelp(args)) {
            System.out.println(ConfigLoader.cli().usage());
            return;
        }
        JobConfig config = ConfigLoader.load(args, System.getenv());
        StreamExecutionEnvironment env = environment(config);
        FlowPipeline.Sinks sinks = sinks(config, env);
        checkTargetsBeforeSubmit(sinks);
        FlowPipeline.build(env, FlowSources.kafka(config.kafka()), sinks, config.pipeline());
        env.execute(config.pipeline().jobName());
    }

    /** The execution environment with exactly-once checkpointing and no Kryo fallback. */
    public static StreamExecutionEnvironment environment(JobConfig config) {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        Duration interval = checkpointInterval(config, env);
        env.enableCheckpointing(interval.toMillis(), CheckpointingMode.EXACTLY_ONCE);
        return env;
    }

    /** The job option, else the cluster's interval, else 30 s: the sink is only exact with checkpoints. */
    static Duration checkpointInterval(JobConfig config, StreamExecutionEnvironment env) {
        if (config.pipeline().checkpointInterval() != null) {
            return config.pipeline().checkpointInterval();
        }
        long cluster = env.getCheckpointInterval();
        return cluster > 0 ? Duration.ofMillis(cluster) : DEFAULT_CHECKPOINT_INTERVAL;
    }

    /** A wrong schema at start is a clear error and no job (see {@link ClickHouseSink#preflightBeforeSubmit()}). */
    static void checkTargetsBeforeSubmit(FlowPipeline.Sinks sinks) {
        for (Object sink : new Object[] {sinks.flows(), sinks.deadLetters()}) {
            if (sink instanceof ClickHouseSink<?> clickHouse) {
                clickHouse.preflightBeforeSubmit();
            }
        }
    }

    /** The sinks, spilling under the cluster's checkpoint directory unless {@code sink.spill-dir} says otherwise. */
    public static FlowPipeline.Sinks sinks(JobConfig config, StreamExecutionEnvironment env) {
        return sinks(
                config,
                env,
                env.getConfiguration()
                        .getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY)
                        .orElse(null));
    }

    /**
     * The sinks; {@code checkpointDir} (may be null) is where the spill directory defaults to, as
     * {@code <checkpointDir>/clickhouse-spill}: it survives what the checkpoints survive.
     */
    public static FlowPipeline.Sinks sinks(JobConfig config, StreamExecutionEnvironment env, String checkpointDir) {
        Duration interval = Duration.ofMillis(env.getCheckpointInterval());
        int parallelism = Math.max(1, env.getParallelism());
        SinkSettings sink = config.sink()
                .withSpillDirDefault(
                        checkpointDir == null || checkpointDir.isBlank()
                                ? null
                                : checkpointDir.replaceAll("/+$", "") + "/" + SPILL_SUBDIRECTORY);
        return new FlowPipeline.Sinks(
                ClickHouseSinks.flows(config.clickHouse(), sink, interval, parallelism),
                ClickHouseSinks.deadLetters(config.clickHouse(), sink, interval, parallelism),
                Optional.ofNullable(config.pipeline().deadLetterTopic())
                        .map(topic -> DeadLetterTopicSink.create(config.kafka(), topic)));
    }
}
