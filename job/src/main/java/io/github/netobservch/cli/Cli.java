package io.github.netobservch.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The one command-line layer of every entry point (the job's {@code --help}, {@code
 * scripts/apply-schema}, demo, replay, bench, soak), on picocli: each tool declares its options
 * once as {@link Opt}s, and picocli parses them ({@code --name value} or {@code --name=value}) and
 * renders {@code --help} from the same declarations. Names follow the job's options
 * ({@code --clickhouse.url}, {@code --kafka.bootstrap-servers}, …) wherever a tool takes the same
 * setting. Values are read as strings and converted here, so every tool accepts the same number and
 * duration syntax.
 */
public final class Cli {

    /** One option: {@code label} names its value ({@code null}: a flag without a value). */
    public record Opt(String name, String label, String description, boolean repeatable) {

        public static Opt option(String name, String label, String description) {
            return new Opt(name, label, description, false);
        }

        /** An option that may be given several times ({@link Args#getAll}). */
        public static Opt repeatable(String name, String label, String description) {
            return new Opt(name, label, description, true);
        }

        public static Opt flag(String name, String description) {
            return new Opt(name, null, description, false);
        }

        /** Words after the options ({@link Args#positional}), e.g. a query name. */
        public static Opt positional(String label, String description) {
            return new Opt(null, label, description, true);
        }
    }

    private final CommandSpec spec;

    /**
     * @param command the name shown in the usage line, e.g. {@code scripts/replay}
     * @param header what the tool does (the lines before the options)
     * @param options the options, in the order {@code --help} lists them
     * @param footer lines after the options (exit status, notes), or none
     */
    /** picocli formats help text with String.format: a literal '%' ("30 % of the run") must be doubled. */
    private static String literal(String text) {
        return text.replace("%", "%%");
    }

    private static String[] literal(List<String> lines) {
        return lines.stream().map(Cli::literal).toArray(String[]::new);
    }

    public Cli(String command, List<String> header, List<Opt> options, List<String> footer) {
        spec = CommandSpec.create().name(command);
        spec.usageMessage()
                .description(literal(header))
                .footer(literal(footer))
                .width(100)
                .sortOptions(false)
                .abbreviateSynopsis(true);
        spec.addOption(OptionSpec.builder("--help", "-h")
                .usageHelp(true)
                .description("show this help and exit")
                .build());
        for (Opt o : options) {
            if (o.name() == null) {
                spec.addPositional(CommandLine.Model.PositionalParamSpec.builder()
                        .paramLabel(o.label())
                        .description(literal(o.description()))
                        .arity("0..*")
                        .type(List.class)
                        .auxiliaryTypes(String.class)
                        .build());
                continue;
            }
            OptionSpec.Builder b = OptionSpec.builder(o.name()).description(literal(o.description()));
            if (o.label() == null) {
                b.arity("0").type(boolean.class);
            } else if (o.repeatable()) {
                b.paramLabel(o.label()).arity("1").type(List.class).auxiliaryTypes(String.class);
            } else {
                b.paramLabel(o.label()).arity("1").type(String.class);
            }
            spec.addOption(b.build());
        }
    }

    /** {@code --help} as picocli renders it from the declarations. */
    public String usage() {
        return new CommandLine(spec).getUsageMessage(CommandLine.Help.Ansi.OFF).stripTrailing();
    }

    /** Parses {@code args}; a mistake is an {@link IllegalArgumentException} with picocli's message. */
    public Args parse(String... args) {
        try {
            ParseResult result = new CommandLine(spec).parseArgs(args);
            Map<String, String> values = new LinkedHashMap<>();
            Map<String, List<String>> lists = new LinkedHashMap<>();
            for (OptionSpec o : result.matchedOptions()) {
                Object v = o.getValue();
                if (v instanceof List<?> list) {
                    lists.put(
                            o.longestName(), list.stream().map(String::valueOf).toList());
                    values.put(o.longestName(), String.join(",", lists.get(o.longestName())));
                } else {
                    values.put(o.longestName(), o.usageHelp() || o.arity().max() == 0 ? "true" : String.valueOf(v));
                }
            }
            List<String> positional = new ArrayList<>();
            result.matchedPositionals().forEach(p -> {
                if (p.getValue() instanceof List<?> list) {
                    list.forEach(x -> positional.add(String.valueOf(x)));
                }
            });
            return new Args(values, lists, List.copyOf(positional));
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Names of the declared options (for tests and docs). */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        spec.options().forEach(o -> names.add(o.longestName()));
        return names;
    }

    /** The parsed values, by option name. */
    public static final class Args {

        private final Map<String, String> values;
        private final Map<String, List<String>> lists;
        private final List<String> positional;

        Args(Map<String, String> values, Map<String, List<String>> lists, List<String> positional) {
            this.values = values;
            this.lists = lists;
            this.positional = positional;
        }

        /** The words after the options, for a tool that declared {@link Opt#positional}. */
        public List<String> positional() {
            return positional;
        }

        /** The given options by name ({@code "true"} for flags; a repeatable option's values joined by ','). */
        public Map<String, String> values() {
            return java.util.Collections.unmodifiableMap(values);
        }

        /** Every value of a repeatable option, in order (empty when not given). */
        public List<String> getAll(String name) {
            return lists.getOrDefault(name, List.of());
        }

        public boolean has(String name) {
            return values.containsKey(name);
        }

        public boolean help() {
            return values.containsKey("--help");
        }

        public String get(String name, String fallback) {
            return values.getOrDefault(name, fallback);
        }

        /** A whole number; {@code _} and {@code ,} group digits ({@code 5_000_000}). */
        public long getLong(String name, long fallback) {
            String v = values.get(name);
            if (v == null) {
                return fallback;
            }
            try {
                return Long.parseLong(v.replace("_", "").replace(",", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + ": not a number: " + v);
            }
        }

        /** {@code 60}, {@code 60s}, {@code 2 min}, {@code 500 ms} (Flink's syntax); a bare number means seconds. */
        public Duration getDuration(String name, Duration fallback) {
            String v = values.get(name);
            if (v == null) {
                return fallback;
            }
            String t = v.trim().toLowerCase(Locale.ROOT);
            try {
                if (t.matches("\\d+")) {
                    return Duration.ofSeconds(Long.parseLong(t));
                }
                return TimeUtils.parseDuration(t);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(name + ": not a duration: " + v);
            }
        }
    }

    /** Flink's duration syntax for job options, e.g. {@code 5000 ms}. */
    public static String flinkDuration(Duration d) {
        return d.toMillis() + " ms";
    }
}
