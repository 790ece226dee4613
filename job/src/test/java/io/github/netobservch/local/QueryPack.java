package io.github.netobservch.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Runs a file of {@code sql/queries} with its parameters and returns ClickHouse's own text table. */
public final class QueryPack {

    private final Path dir;
    private final ClickHouseHttp clickhouse;

    public QueryPack(ClickHouseHttp clickhouse) {
        this(LocalJob.sqlDir().resolve("queries"), clickhouse);
    }

    public QueryPack(Path dir, ClickHouseHttp clickhouse) {
        this.dir = dir;
        this.clickhouse = clickhouse;
    }

    /** The first comment line of the file (its title), without {@code --}. */
    public String title(String name) {
        String first = text(name).lines().findFirst().orElse("");
        return first.startsWith("--") ? first.substring(2).trim() : name;
    }

    /** The query's statement (comments kept, trailing {@code ;} removed). */
    public String text(String name) {
        try {
            String sql = Files.readString(dir.resolve(name + ".sql")).strip();
            return sql.endsWith(";") ? sql.substring(0, sql.length() - 1) : sql;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read query " + name, e);
        }
    }

    /** Runs the query ({@code maxRows} > 0 wraps it in a LIMIT) and returns a PrettyCompact table. */
    public String table(String name, Map<String, String> params, int maxRows) {
        String sql = text(name);
        if (maxRows > 0) {
            sql = "SELECT * FROM (\n" + sql + "\n) LIMIT " + maxRows;
        }
        Map<String, String> all = new LinkedHashMap<>(params);
        return clickhouse.query(
                sql + "\nSETTINGS output_format_pretty_color = 0, output_format_pretty_row_numbers = 0",
                all,
                "PrettyCompactMonoBlock");
    }
}
