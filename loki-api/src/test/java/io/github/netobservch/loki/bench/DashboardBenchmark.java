package io.github.netobservch.loki.bench;

import io.github.netobservch.dashboards.Dashboards;
import io.github.netobservch.dashboards.GrafanaSql;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code scripts/dashboard-bench} (docs/performance.md, "Grafana dashboards at 100M rows"): on the data
 * set of {@link LokiApiBenchmark}, every ClickHouse query of the Grafana dashboards
 * (flink-k8s/grafana/dashboards), expanded as grafana-clickhouse-datasource does it ({@link GrafanaSql})
 * with every variable at "All", over the last 1 h, 24 h, 7 d and 30 d at the intervals Grafana
 * computes for a panel about 1,000 px wide (5 s, 1 min, 10 min; 30 min and 1 h at 30 d), cold and
 * warm, median and p95. Prints a Markdown table.
 */
@Command(name = "dashboard-bench", mixinStandardHelpOptions = true, sortOptions = false)
public final class DashboardBenchmark implements java.util.concurrent.Callable<Integer> {

    @Mixin
    BenchDataSet data;

    @Option(names = "--warm-runs", defaultValue = "5", description = "Measured warm runs per case.")
    int warmRuns;

    @Option(names = "--cold-runs", defaultValue = "2", description = "Measured cold runs per case.")
    int coldRuns;

    public static void main(String[] args) {
        System.exit(new CommandLine(new DashboardBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        data.run(100_000_000, this::report);
        return 0;
    }

    private void report(String url) throws Exception {
        Instant last = Instant.ofEpochSecond(Long.parseLong(
                QueryPackBenchmark.exec(url, "SELECT toUnixTimestamp(max(time_flow_end_ms)) FROM flows", Map.of())
                        .trim()));
        Instant to = Instant.ofEpochSecond((last.getEpochSecond() + 60) / 60 * 60);
        Map<String, Duration[]> cases = new LinkedHashMap<>();
        cases.put("1h @ 5s", new Duration[] {Duration.ofHours(1), Duration.ofSeconds(5)});
        cases.put("24h @ 1m", new Duration[] {Duration.ofDays(1), Duration.ofMinutes(1)});
        cases.put("7d @ 10m", new Duration[] {Duration.ofDays(7), Duration.ofMinutes(10)});
        cases.put("30d @ 30m", new Duration[] {Duration.ofDays(30), Duration.ofMinutes(30)});
        cases.put("30d @ 1h", new Duration[] {Duration.ofDays(30), Duration.ofHours(1)});
        boolean pageCache = QueryPackBenchmark.canDropPageCache();
        System.out.printf(Locale.ROOT, "%nranges end at %s%n%n", to);
        System.out.println(
                "| Dashboard | Panel [query] | range @ interval | cold median / p95 ms | warm median / p95 ms | rows |");
        System.out.println("|---|---|---|---|---|---|");
        List<Long> warmP95 = new ArrayList<>();
        for (Dashboards.Dashboard d : Dashboards.load()) {
            Map<String, List<String>> vars = new LinkedHashMap<>();
            for (var v : d.variables()) {
                String name = v.path("name").asText();
                switch (v.path("type").asText()) {
                    case "textbox" -> vars.put(name, List.of(""));
                    case "custom" ->
                        vars.put(
                                name,
                                List.of(
                                        v.path("includeAll").asBoolean()
                                                ? GrafanaSql.ALL
                                                : v.path("current")
                                                        .path("value")
                                                        .asText()));
                    default -> vars.put(name, List.of(GrafanaSql.ALL));
                }
            }
            for (Dashboards.Target t : Dashboards.targets(List.of(d))) {
                if (!t.clickHouse()) {
                    continue;
                }
                for (Map.Entry<String, Duration[]> c : cases.entrySet()) {
                    GrafanaSql.Range range = new GrafanaSql.Range(to.minus(c.getValue()[0]), to, c.getValue()[1]);
                    String sql = GrafanaSql.expand(t.sql(), vars, range);
                    long[] cold = new long[coldRuns];
                    for (int i = 0; i < coldRuns; i++) {
                        QueryPackBenchmark.dropCaches(url, pageCache);
                        cold[i] = QueryPackBenchmark.time(url, sql, Map.of());
                    }
                    QueryPackBenchmark.time(url, sql, Map.of());
                    long[] warm = new long[warmRuns];
                    for (int i = 0; i < warmRuns; i++) {
                        warm[i] = QueryPackBenchmark.time(url, sql, Map.of());
                    }
                    int rows = QueryPackBenchmark.exec(url, sql, Map.of()).split("\n", -1).length - 1;
                    System.out.printf(
                            Locale.ROOT,
                            "| %s | %s [%s] | %s | %s | %s | %d |%n",
                            d.json().path("title").asText().replace("NetObserv / ", ""),
                            t.panel().title(),
                            t.refId(),
                            c.getKey(),
                            QueryPackBenchmark.stats(cold),
                            QueryPackBenchmark.stats(warm),
                            rows);
                }
            }
        }
        System.out.println();
        System.out.println(
                pageCache
                        ? "Cold: ClickHouse's caches and the OS page cache dropped before each run."
                        : "Cold: ClickHouse's caches dropped before each run; the OS page cache could not be dropped (not root).");
    }
}
