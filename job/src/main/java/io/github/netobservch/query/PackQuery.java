package io.github.netobservch.query;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One file of {@code sql/queries/}: its name, title (first comment line), the parameters it takes
 * ({@code {name:Type}}) and the rollups it reads. The files name the 1-minute tables
 * ({@code FROM rollup_namespace_1m}) so they run as they are in {@code clickhouse-client}; {@link
 * #render(TierPlan)} swaps each such table for the union of the tiers a {@link TierPlan} chose.
 */
public record PackQuery(String name, String title, String sql, Set<String> params, List<String> rollups) {

    private static final Pattern PARAM = Pattern.compile("\\{([a-z_]+):");
    private static final Pattern ROLLUP = Pattern.compile("\\bFROM\\s+(rollup_[a-z]+)_1m\\b");
    private static final DateTimeFormatter LITERAL =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter PARAMETER =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    public PackQuery {
        params = Set.copyOf(params);
        rollups = List.copyOf(rollups);
    }

    /** Reads {@code dir/name.sql}. */
    public static PackQuery load(Path dir, String name) {
        Path file = dir.resolve(name + ".sql");
        if (!name.matches("[a-z0-9_]+") || !Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no query " + name + " in " + dir + " (known: " + names(dir) + ")");
        }
        try {
            return parse(name, Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static PackQuery parse(String name, String text) {
        String sql = text.strip();
        if (sql.endsWith(";")) {
            sql = sql.substring(0, sql.length() - 1);
        }
        String first = sql.lines().findFirst().orElse("");
        String title = first.startsWith("--") ? first.substring(2).trim() : name;
        Set<String> params = new LinkedHashSet<>();
        Matcher p = PARAM.matcher(sql);
        while (p.find()) {
            params.add(p.group(1));
        }
        Set<String> rollups = new LinkedHashSet<>();
        Matcher r = ROLLUP.matcher(sql);
        while (r.find()) {
            rollups.add(r.group(1));
        }
        return new PackQuery(name, title, sql, params, List.copyOf(rollups));
    }

    /** The query names of a directory, sorted. */
    public static List<String> names(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith(".sql"))
                    .map(f -> f.substring(0, f.length() - 4))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** Whether the query reads rollups (and so can be served by the coarser tiers). */
    public boolean readsRollups() {
        return !rollups.isEmpty();
    }

    /**
     * The statement with every {@code FROM rollup_X_1m} replaced by the union of the plan's segments,
     * each reading its tier's table over its part of the range. The query's own {@code minute} range
     * condition still applies and holds for every row of the union. Times are written as literals
     * from the plan's instants (never from user text).
     */
    public String render(TierPlan plan) {
        if (!readsRollups()) {
            return sql;
        }
        Matcher m = ROLLUP.matcher(sql);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            StringBuilder union = new StringBuilder("FROM\n(\n");
            boolean first = true;
            for (TierPlan.Segment s : plan.segments()) {
                if (!first) {
                    union.append("    UNION ALL\n");
                }
                first = false;
                union.append("    SELECT * FROM ")
                        .append(m.group(1))
                        .append('_')
                        .append(s.tier().suffix())
                        .append(" WHERE minute >= toDateTime('")
                        .append(LITERAL.format(s.from()))
                        .append("', 'UTC') AND minute < toDateTime('")
                        .append(LITERAL.format(s.to()))
                        .append("', 'UTC')\n");
            }
            union.append(") AS ").append(m.group(1)).append("_tiers");
            m.appendReplacement(sb, Matcher.quoteReplacement(union.toString()));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** {@code from}/{@code to} as the pack's {@code DateTime64(3, 'UTC')} parameters take them. */
    public static String parameter(Instant t) {
        return PARAMETER.format(t);
    }
}
