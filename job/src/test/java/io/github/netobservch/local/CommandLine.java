package io.github.netobservch.local;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.flink.util.TimeUtils;

/** {@code --name value}, {@code --name=value} and bare flags, checked against what a runner accepts. */
public final class CommandLine {

    private final Map<String, String> values = new HashMap<>();

    private CommandLine() {}

    /** Parses {@code args}; {@code options} take a value, {@code flags} do not. */
    public static CommandLine parse(String[] args, Set<String> options, Set<String> flags) {
        CommandLine cl = new CommandLine();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (flags.contains(name) && value == null) {
                cl.values.put(name, "true");
            } else if (options.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(name + " needs a value");
                    }
                    value = args[++i];
                }
                cl.values.put(name, value);
            } else {
                throw new IllegalArgumentException("unknown argument '" + arg + "'");
            }
        }
        return cl;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

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

    /** {@code 60}, {@code 60s}, {@code 2 min}, {@code 500 ms}; a bare number means seconds. */
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

    /** Flink's duration syntax for job options, e.g. {@code 5000 ms}. */
    public static String flinkDuration(Duration d) {
        return d.toMillis() + " ms";
    }
}
