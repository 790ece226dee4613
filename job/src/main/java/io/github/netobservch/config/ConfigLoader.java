package io.github.netobservch.config;

import io.github.netobservch.cli.Cli;
import io.github.netobservch.cli.Cli.Opt;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * Merges the job's options from, by increasing precedence: defaults, a config file
 * ({@code --config FILE}), environment variables ({@code FLOWS_<KEY>}) and job arguments
 * ({@code --key value}). Unknown keys and secret values are rejected here, before anything starts.
 *
 * <p>The config file uses Java properties syntax, which also accepts flat YAML-style
 * {@code key: value} lines, so a ConfigMap can hold either form.
 */
public final class ConfigLoader {

    /** Prefix of environment variables that set options: {@code kafka.group-id} → {@code FLOWS_KAFKA_GROUP_ID}. */
    public static final String ENV_PREFIX = "FLOWS_";

    public static final String CONFIG_FILE_ARG = "config";

    private ConfigLoader() {}

    /**
     * The job's {@code --help}, rendered by the shared command-line layer from the same {@link
     * JobOptions} the loader validates against (plus {@code --config}). The arguments themselves are
     * read by {@link #parseArgs}: they merge with a file and {@code FLOWS_*} variables and include the
     * open-ended {@code kafka.properties.*} / {@code clickhouse.properties.*} keys.
     */
    public static Cli cli() {
        List<Opt> opts = new ArrayList<>();
        org.apache.flink.configuration.description.HtmlFormatter formatter =
                new org.apache.flink.configuration.description.HtmlFormatter();
        opts.add(Opt.option(
                "--" + CONFIG_FILE_ARG, "FILE", "a properties file of these options (key: value or key=value)"));
        for (org.apache.flink.configuration.ConfigOption<?> o : JobOptions.all()) {
            String dflt = o.hasDefaultValue() ? " (default " + o.defaultValue() + ")" : "";
            opts.add(Opt.option(
                    "--" + o.key(),
                    JobOptions.typeName(o).toUpperCase(java.util.Locale.ROOT),
                    formatter
                                    .format(o.description())
                                    .replaceAll("<[^>]+>", "")
                                    .replace("&lt;", "<")
                                    .replace("&gt;", ">")
                                    .replace("&#39;", "'")
                                    .replace("&quot;", "\"")
                                    .replace("&amp;", "&")
                            + dflt));
        }
        return new Cli(
                "flink run netobserv-clickhouse-job.jar",
                List.of(
                        "NetObserv flows from Kafka into ClickHouse, exactly once. Options also come from --config and from",
                        "FLOWS_<KEY> environment variables (KEY upper-cased, '.' and '-' as '_'); arguments win.",
                        ""),
                opts,
                List.of(
                        "",
                        "Extra client settings: --" + JobOptions.KAFKA_PASSTHROUGH_PREFIX + "<name> and --"
                                + JobOptions.CLICKHOUSE_PASSTHROUGH_PREFIX
                                + "<name>. Secrets only by file or variable."));
    }

    /** Whether the arguments ask for {@code --help}. */
    public static boolean wantsHelp(String[] args) {
        return java.util.Arrays.stream(args).anyMatch(a -> a.equals("--help") || a.equals("-h"));
    }

    /** Loads and validates the job configuration. */
    public static JobConfig load(String[] args, Map<String, String> environment) {
        return JobConfig.from(merge(args, environment));
    }

    /** Merged raw configuration (validated for unknown keys and secret values, not yet typed). */
    public static Configuration merge(String[] args, Map<String, String> environment) {
        Map<String, String> fromArgs = parseArgs(args);
        Map<String, String> merged = new LinkedHashMap<>();
        String configFile = fromArgs.remove(CONFIG_FILE_ARG);
        if (configFile != null) {
            merged.putAll(readFile(Path.of(configFile)));
        }
        merged.putAll(fromEnvironment(environment));
        merged.putAll(fromArgs);
        validateKeys(merged);
        return Configuration.fromMap(merged);
    }

    /** {@code --key value} pairs; a flag without a value is an error (no option is a bare switch). */
    static Map<String, String> parseArgs(String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "': options are --key value");
            }
            String key = arg.substring(2);
            String value;
            int eq = key.indexOf('=');
            if (eq > 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option --" + key + " needs a value");
                }
                value = args[++i];
            }
            if (out.put(key, value) != null) {
                throw new IllegalArgumentException("option --" + key + " given twice");
            }
        }
        return out;
    }

    static Map<String, String> readFile(Path file) {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read config file " + file, e);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : props.stringPropertyNames()) {
            out.put(name.trim(), stripQuotes(props.getProperty(name).trim()));
        }
        return out;
    }

    /** Environment variables for known options; passthrough keys cannot be spelled as variables. */
    static Map<String, String> fromEnvironment(Map<String, String> environment) {
        Map<String, String> out = new LinkedHashMap<>();
        for (ConfigOption<?> option : JobOptions.all()) {
            String value = environment.get(envName(option.key()));
            if (value != null) {
                out.put(option.key(), value);
            }
        }
        return out;
    }

    public static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    static void validateKeys(Map<String, String> merged) {
        Set<String> known = new TreeSet<>();
        JobOptions.all().forEach(o -> known.add(o.key()));
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> e : merged.entrySet()) {
            String key = e.getKey();
            if (key.startsWith(JobOptions.KAFKA_PASSTHROUGH_PREFIX)
                    || key.startsWith(JobOptions.CLICKHOUSE_PASSTHROUGH_PREFIX)) {
                if (looksSecret(key) && !isProviderReference(e.getValue())) {
                    problems.add("'" + key + "' would put a secret into the job configuration; use a"
                            + " ${dir:...} or ${env:...} config-provider reference or a *-file option");
                }
            } else if (!known.contains(key)) {
                problems.add("unknown option '" + key + "'" + suggestion(key, known));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid configuration: " + String.join("; ", problems));
        }
    }

    private static boolean looksSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password")
                || k.contains("jaas")
                || k.contains("secret")
                || k.contains("token")
                || k.endsWith(".key");
    }

    private static boolean isProviderReference(String value) {
        return value.startsWith("${") && value.endsWith("}") && value.indexOf(':') > 2;
    }

    private static String suggestion(String key, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = editDistance(key, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return best != null && bestDistance <= 3 ? " (did you mean '" + best + "'?)" : "";
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String stripQuotes(String value) {
        if (value.length() >= 2
                && ((value.startsWith("\"") && value.endsWith("\""))
                        || (value.startsWith("'") && value.endsWith("'")))) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }
}
