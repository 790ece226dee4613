package io.github.netobservch.dashboards;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A panel's SQL as grafana-clickhouse-datasource 4.x sends it to ClickHouse, for a time range, an
 * interval and variable selections. Written from the documented behaviour, in the order the plugin
 * applies it:
 *
 * <ol>
 *   <li>{@code $__conditionalAll(condition, $var)} becomes {@code 1=1} when the variable is "All"
 *       (value {@code $__all}) or empty, else the condition (plugin docs, "Template variables",
 *       "Using the All option with $__conditionalAll"; the frontend's {@code applyConditionalAll}).
 *   <li>Dashboard variables, Grafana's {@code ${var:singlequote}} format: every value in single
 *       quotes, {@code '} escaped as {@code \'}, joined by commas (Grafana docs, "Variable syntax",
 *       advanced variable format options). Other forms are refused: every reference in the shipped
 *       dashboards is quoted so a value cannot change the statement.
 *   <li>The backend's macros, as the plugin's "Macros" table documents them (docs/sources/query-editor.md
 *       of grafana/clickhouse-datasource, v4.20.0): {@code $__timeFilter(c)} → {@code c >= toDateTime(from)
 *       AND c <= toDateTime(to)} (seconds), {@code $__timeFilter_ms(c)} with {@code
 *       fromUnixTimestamp64Milli(ms)}, {@code $__dateFilter(c)}, {@code $__fromTime}/{@code $__toTime}
 *       (and {@code _ms}), {@code $__interval_s} (whole seconds, at least 1), {@code
 *       $__timeInterval(c)} → {@code toStartOfInterval(toDateTime(c), INTERVAL n second)}. Any other
 *       {@code $__} token is refused, so a dashboard cannot depend on a macro this model lacks.
 * </ol>
 */
public final class GrafanaSql {

    /** The value Grafana gives a variable whose "All" option is selected. */
    public static final String ALL = "$__all";

    private static final String CONDITIONAL_ALL = "$__conditionalAll(";
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::(\\w+))?}|\\$(?!__)(\\w+)");
    private static final Pattern VARIABLE_NAME = Pattern.compile("\\$\\{(\\w+)}|\\$(\\w+)");
    private static final Pattern MACRO = Pattern.compile("\\$__(\\w+)");
    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

    /** A panel's time range and the interval Grafana computed for it. */
    public record Range(Instant from, Instant to, Duration interval) {}

    private GrafanaSql() {}

    /** The statement ClickHouse receives; {@code vars} maps a variable to its selected values ({@link #ALL}). */
    public static String expand(String sql, Map<String, List<String>> vars, Range range) {
        return macros(variables(conditionalAll(sql, vars), vars), range);
    }

    static String conditionalAll(String sql, Map<String, List<String>> vars) {
        int at = sql.lastIndexOf(CONDITIONAL_ALL);
        while (at >= 0) {
            int open = at + CONDITIONAL_ALL.length() - 1;
            List<String> args = new ArrayList<>();
            int end = arguments(sql, open, args);
            if (args.size() != 2) {
                throw new IllegalArgumentException(
                        "$__conditionalAll takes 2 arguments, got " + args.size() + ": " + sql.substring(at, end));
            }
            Matcher name = VARIABLE_NAME.matcher(args.get(1).trim());
            if (!name.matches()) {
                throw new IllegalArgumentException(
                        "$__conditionalAll's second argument must be a plain $variable: " + args.get(1));
            }
            String var = name.group(1) != null ? name.group(1) : name.group(2);
            List<String> value = selected(vars, var);
            boolean all = value.isEmpty()
                    || String.join(",", value).equals(ALL)
                    || String.join(",", value).isEmpty();
            sql = sql.substring(0, at) + (all ? "1=1" : args.get(0)) + sql.substring(end);
            at = sql.lastIndexOf(CONDITIONAL_ALL);
        }
        return sql;
    }

    static String variables(String sql, Map<String, List<String>> vars) {
        Matcher m = VARIABLE.matcher(sql);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(3);
            String format = m.group(2);
            if (!"singlequote".equals(format)) {
                throw new IllegalArgumentException("variable reference " + m.group()
                        + " without the singlequote format (write ${" + name + ":singlequote})");
            }
            List<String> values = selected(vars, name);
            if (values.contains(ALL)) {
                throw new IllegalArgumentException(
                        "${" + name + "} is All here: wrap its condition in $__conditionalAll");
            }
            List<String> quoted = new ArrayList<>();
            for (String v : values) {
                quoted.add("'" + v.replace("'", "\\'") + "'");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(String.join(",", quoted)));
        }
        m.appendTail(out);
        return out.toString();
    }

    static String macros(String sql, Range range) {
        StringBuilder out = new StringBuilder();
        int pos = 0;
        Matcher m = MACRO.matcher(sql);
        while (m.find(pos)) {
            out.append(sql, pos, m.start());
            String name = m.group(1);
            int next = m.end();
            List<String> args = new ArrayList<>();
            if (next < sql.length() && sql.charAt(next) == '(') {
                next = arguments(sql, next, args);
            }
            out.append(macro(name, args, range));
            pos = next;
        }
        out.append(sql, pos, sql.length());
        return out.toString();
    }

    private static String macro(String name, List<String> args, Range r) {
        long from = r.from().getEpochSecond();
        long to = r.to().getEpochSecond();
        long fromMs = r.from().toEpochMilli();
        long toMs = r.to().toEpochMilli();
        long intervalS = Math.max(1, r.interval().getSeconds());
        switch (name) {
            case "timeFilter":
                return column(name, args) + " >= toDateTime(" + from + ") AND "
                        + args.get(0).trim() + " <= toDateTime(" + to + ")";
            case "timeFilter_ms":
                return column(name, args) + " >= fromUnixTimestamp64Milli(" + fromMs + ") AND "
                        + args.get(0).trim() + " <= fromUnixTimestamp64Milli(" + toMs + ")";
            case "dateFilter":
                return column(name, args) + " >= toDate('" + DATE.format(r.from()) + "') AND "
                        + args.get(0).trim() + " <= toDate('" + DATE.format(r.to()) + "')";
            case "fromTime":
                return none(name, args, "toDateTime(" + from + ")");
            case "toTime":
                return none(name, args, "toDateTime(" + to + ")");
            case "fromTime_ms":
                return none(name, args, "fromUnixTimestamp64Milli(" + fromMs + ")");
            case "toTime_ms":
                return none(name, args, "fromUnixTimestamp64Milli(" + toMs + ")");
            case "interval_s":
                return none(name, args, Long.toString(intervalS));
            case "timeInterval":
                return "toStartOfInterval(toDateTime(" + column(name, args) + "), INTERVAL " + intervalS + " second)";
            default:
                throw new IllegalArgumentException("macro $__" + name + " is not one this model implements");
        }
    }

    private static String column(String name, List<String> args) {
        if (args.size() != 1) {
            throw new IllegalArgumentException("$__" + name + " takes 1 argument, got " + args.size());
        }
        return args.get(0).trim();
    }

    private static String none(String name, List<String> args, String value) {
        if (!args.isEmpty()) {
            throw new IllegalArgumentException("$__" + name + " takes no arguments");
        }
        return value;
    }

    private static List<String> selected(Map<String, List<String>> vars, String name) {
        List<String> v = vars.get(name);
        if (v == null) {
            throw new IllegalArgumentException("variable $" + name + " is not defined by the dashboard");
        }
        return v;
    }

    /**
     * Splits the arguments of a call whose '(' is at {@code open} on top-level commas (parentheses
     * nest; single-quoted strings with backslash escapes are skipped); returns the index after ')'.
     */
    private static int arguments(String sql, int open, List<String> args) {
        int depth = 0;
        int start = open + 1;
        boolean quoted = false;
        for (int i = open; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '\'') {
                    quoted = false;
                }
                continue;
            }
            if (c == '\'') {
                quoted = true;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
                if (depth == 0) {
                    if (i > start || !args.isEmpty()) {
                        args.add(sql.substring(start, i));
                    }
                    return i + 1;
                }
            } else if (c == ',' && depth == 1) {
                args.add(sql.substring(start, i));
                start = i + 1;
            }
        }
        throw new IllegalArgumentException("unbalanced parentheses after " + sql.substring(0, open));
    }
}
