package io.github.netobservch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.netobservch.bench.Benchmark;
import io.github.netobservch.bench.Soak;
import io.github.netobservch.config.ConfigLoader;
import io.github.netobservch.config.JobOptions;
import io.github.netobservch.local.Demo;
import io.github.netobservch.local.Replay;
import io.github.netobservch.schema.ApplySchema;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The one command-line layer: parsing, generated help, and the same option names in every tool. */
class CommandLinesTest {

    private static final Map<String, Cli> TOOLS = Map.of(
            "query",
            io.github.netobservch.query.RunQuery.CLI,
            "rollup-check",
            io.github.netobservch.query.RollupCheck.CLI,
            "job",
            ConfigLoader.cli(),
            "apply-schema",
            ApplySchema.CLI,
            "replay",
            Replay.CLI,
            "demo",
            Demo.CLI,
            "bench",
            Benchmark.CLI,
            "soak",
            Soak.CLI);

    private final Cli cli = new Cli(
            "tool",
            List.of("Does a thing.", ""),
            List.of(
                    Cli.Opt.option("--clickhouse.url", "URL", "where"),
                    Cli.Opt.option("--timeout", "D", "how long"),
                    Cli.Opt.repeatable("--set", "K=V", "overrides"),
                    Cli.Opt.flag("--dry-run", "touch nothing")),
            List.of("", "Exit status: 0."));

    @Test
    void parsesValuesFlagsRepeatsAndBothSpellings() {
        Cli.Args a = cli.parse(
                "--clickhouse.url", "http://c:8123", "--timeout=90", "--set", "a=1", "--set", "b=2", "--dry-run");
        assertThat(a.get("--clickhouse.url", null)).isEqualTo("http://c:8123");
        assertThat(a.getDuration("--timeout", null)).isEqualTo(Duration.ofSeconds(90));
        assertThat(a.getAll("--set")).containsExactly("a=1", "b=2");
        assertThat(a.has("--dry-run")).isTrue();
        assertThat(cli.parse().getDuration("--timeout", Duration.ofMinutes(2))).isEqualTo(Duration.ofMinutes(2));
        assertThat(cli.parse("--timeout", "2 min").getDuration("--timeout", null))
                .isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void mistakesAreClearErrors() {
        assertThatThrownBy(() -> cli.parse("--clickhouse-url", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--clickhouse-url");
        assertThatThrownBy(() -> cli.parse("--timeout"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--timeout");
        assertThatThrownBy(() -> cli.parse("--timeout", "soon").getDuration("--timeout", null))
                .hasMessageContaining("not a duration");
    }

    @Test
    void helpIsRenderedFromTheDeclarations() {
        String help = cli.usage();
        assertThat(help)
                .startsWith("Usage: tool [OPTIONS]")
                .contains("Does a thing.")
                .contains("--clickhouse.url=URL")
                .contains("where")
                .contains("--dry-run")
                .contains("--help")
                .endsWith("Exit status: 0.");
        for (Map.Entry<String, Cli> tool : TOOLS.entrySet()) {
            String usage = tool.getValue().usage();
            for (String name : tool.getValue().names()) {
                assertThat(usage).as("%s --help lists %s", tool.getKey(), name).contains(name);
            }
        }
        assertThat(ConfigLoader.cli().names())
                .as("the job's help lists every job option")
                .containsAll(JobOptions.all().stream().map(o -> "--" + o.key()).toList());
        assertThat(ConfigLoader.cli().usage())
                .as("descriptions as text")
                .contains("Checkpoint interval; rows become visible in ClickHouse")
                .doesNotContain("Description@");
    }

    /**
     * A setting the job has is spelled as the job spells it in every tool: any tool option under the
     * job's {@code clickhouse.} or {@code kafka.} namespaces must be a job option, so {@code
     * --clickhouse-url} and {@code --clickhouse.url} cannot coexist again. (The demo's {@code
     * --clickhouse-port} is the embedded server's port, which the job has no option for.)
     */
    @Test
    void toolsSpellSharedSettingsLikeTheJob() {
        Set<String> jobOptions =
                JobOptions.all().stream().map(o -> "--" + o.key()).collect(Collectors.toSet());
        for (Map.Entry<String, Cli> tool : TOOLS.entrySet()) {
            for (String name : tool.getValue().names()) {
                if (name.startsWith("--clickhouse.") || name.startsWith("--kafka.")) {
                    assertThat(jobOptions)
                            .as("%s %s is a job option", tool.getKey(), name)
                            .contains(name);
                }
                assertThat(name)
                        .as("%s %s: dotted namespaces, not dashed ones", tool.getKey(), name)
                        .doesNotStartWith("--clickhouse-url")
                        .doesNotStartWith("--clickhouse-user")
                        .doesNotStartWith("--bootstrap-servers");
            }
        }
    }
}
