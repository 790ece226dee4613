package io.github.netobservch.loki.bench;

import io.github.netobservch.query.PackQuery;
import io.github.netobservch.query.TierPlan;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Latency of every query of {@code sql/queries/} at scale (docs/performance.md, "Query pack at 100M
 * rows"): on the data set of {@link LokiApiBenchmark} ({@code --rows} flows over {@code --days}
 * days, the rollup views fed by the INSERTs), each query over the last 1 h, 24 h, 7 d and 30 d,
 * ending on the last minute of the data (so the tier plans have 1m and 5m edges), run as {@code
 * scripts/query} runs it (rollup queries from the tiers its plan picks). Cold runs drop ClickHouse's
 * caches and, where the OS lets this process, the page cache first; warm runs follow one unmeasured
 * run. Prints Markdown tables: latency, and bytes on disk per flow per tier.
 */
@Command(name = "query-bench", mixinStandardHelpOptions = true, sortOptions = false)
public final class QueryPackBenchmark implements java.util.concurrent.Callable<Integer> {

    private static final String DB = LokiApiBenchmark.DB;
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Mixin
    BenchDataSet data;

    @Option(names = "--warm-runs", defaultValue = "10", description = "Measured warm runs per case.")
    int warmRuns;

    @Option(names = "--cold-runs", defaultValue = "3", description = "Measured cold runs per case.")
    int coldRuns;

    @Option(names = "--queries", defaultValue = "sql/queries", description = "The query pack.")
    Path queries;

    public static void main(String[] args) {
        System.exit(new CommandLine(new QueryPackBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        data.run(100_000_000, this::report);
        return 0;
    }

    private void report(String url) throws Exception {
        long total = Long.parseLong(
                exec(url, "SELECT count() FROM " + DB + ".flows", Map.of()).trim());
        Instant last = Instant.ofEpochSecond(Long.parseLong(
                exec(url, "SELECT toUnixTimestamp(max(time_flow_end_ms)) FROM " + DB + ".flows", Map.of())
                        .trim()));
        Instant to = Instant.ofEpochSecond((last.getEpochSecond() + 60) / 60 * 60); // the minute after the last row
        String[] pod = exec(
                        url,
                        "SELECT src_k8s_namespace, src_k8s_name FROM " + DB + ".flows_seed WHERE src_k8s_type = 'Pod'"
                                + " GROUP BY ALL ORDER BY count() DESC, src_k8s_namespace, src_k8s_name LIMIT 1",
                        Map.of())
                .trim()
                .split("\t");
        System.out.printf(
                Locale.ROOT, "%n%,d rows in %s.flows, ranges end at %s; pod %s/%s%n", total, DB, to, pod[0], pod[1]);

        Map<String, Long> ranges = new LinkedHashMap<>();
        ranges.put("1h", 3600L);
        ranges.put("24h", 86_400L);
        ranges.put("7d", 7 * 86_400L);
        ranges.put("30d", 30 * 86_400L);
        Map<TierPlan.Tier, Instant> all = new EnumMap<>(TierPlan.Tier.class);
        for (TierPlan.Tier t : TierPlan.Tier.values()) {
            all.put(t, Instant.EPOCH); // the bench tables keep 3650 days
        }
        boolean pageCache = canDropPageCache();
        System.out.println();
        System.out.println("| Query | reads | range | plan | cold median / p95 ms | warm median / p95 ms | rows |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (String name : PackQuery.names(queries)) {
            PackQuery q = PackQuery.load(queries, name);
            for (Map.Entry<String, Long> r : ranges.entrySet()) {
                Instant from = to.minusSeconds(r.getValue());
                // a dashboard's bucket for ~100 points: the smallest usual width >= range / 100
                long step = java.util.stream.LongStream.of(60, 300, 900, 3600, 21_600, 86_400)
                        .filter(w -> w >= r.getValue() / 100)
                        .findFirst()
                        .orElse(86_400);
                Map<String, String> params = new LinkedHashMap<>();
                params.put("from", PackQuery.parameter(from));
                params.put("to", PackQuery.parameter(to));
                params.put("limit", "50");
                params.put("namespace", q.params().contains("pod") ? pod[0] : "");
                params.put("pod", pod[1]);
                params.put("hash_id", "");
                params.put("step_seconds", Long.toString(step));
                params.keySet().retainAll(q.params());
                List<String[]> variants = new ArrayList<>();
                if (q.readsRollups()) {
                    TierPlan plan = TierPlan.plan(from, to, q.params().contains("step_seconds") ? step : 0, all);
                    variants.add(new String[] {"tiers", shortPlan(plan), q.render(plan)});
                    if (r.getKey().equals("30d")) {
                        variants.add(new String[] {"1m only", "1m", q.sql()});
                    }
                } else {
                    variants.add(new String[] {"flows", "raw", q.sql()});
                }
                for (String[] v : variants) {
                    String sql = v[2];
                    long[] cold = new long[coldRuns];
                    for (int i = 0; i < coldRuns; i++) {
                        dropCaches(url, pageCache);
                        cold[i] = time(url, sql, params);
                    }
                    time(url, sql, params);
                    long[] warm = new long[warmRuns];
                    for (int i = 0; i < warmRuns; i++) {
                        warm[i] = time(url, sql, params);
                    }
                    int answerRows = exec(url, sql, params).split("\n", -1).length - 1;
                    System.out.printf(
                            Locale.ROOT,
                            "| %s | %s | %s | %s | %s | %s | %d |%n",
                            name,
                            v[0],
                            r.getKey(),
                            v[1],
                            stats(cold),
                            stats(warm),
                            answerRows);
                }
            }
        }
        System.out.println();
        System.out.println("Bytes on disk per flow (" + String.format(Locale.ROOT, "%,d", total) + " flows):");
        System.out.println();
        System.out.println("| Table(s) | rows | bytes on disk | B per flow |");
        System.out.println("|---|---|---|---|");
        String sizes = exec(
                url,
                "SELECT multiIf(table = 'flows', 'flows', match(table, '_1m$'), 'rollups 1m', match(table, '_5m$'),"
                        + " 'rollups 5m', 'rollups 1h') AS t, uniqExact(table), sum(rows), sum(bytes_on_disk)"
                        + " FROM system.parts WHERE active AND database = '" + DB + "'"
                        + " AND (table = 'flows' OR match(table, '^rollup_.*_(1m|5m|1h)$')) GROUP BY t ORDER BY t",
                Map.of());
        for (String line : sizes.strip().split("\n")) {
            String[] c = line.split("\t");
            long bytes = Long.parseLong(c[3]);
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %,d | %,d | %.2f |%n",
                    c[0].equals("flows") ? "flows" : c[0] + " (" + c[1] + " tables)",
                    Long.parseLong(c[2]),
                    bytes,
                    bytes / (double) total);
        }
        System.out.println();
        System.out.println(
                pageCache
                        ? "Cold: ClickHouse's mark, index, uncompressed and query caches and the OS page cache dropped before each run."
                        : "Cold: ClickHouse's caches dropped before each run; the OS page cache could not be dropped (not root).");
    }

    /** Where whole minutes and hours meet the range, for the plan column: e.g. {@code 1m+5m+1h}. */
    private static String shortPlan(TierPlan plan) {
        return plan.segments().stream()
                .map(s -> s.tier().suffix())
                .distinct()
                .sorted()
                .reduce((a, b) -> a + "+" + b)
                .orElse("");
    }

    static String stats(long[] nanos) {
        if (nanos.length == 0) {
            return "–";
        }
        long[] s = nanos.clone();
        Arrays.sort(s);
        long median = s[(s.length - 1) / 2];
        long p95 = s[(int) Math.ceil(0.95 * s.length) - 1];
        return String.format(Locale.ROOT, "%.0f / %.0f", median / 1e6, p95 / 1e6);
    }

    static boolean canDropPageCache() {
        try {
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "1");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static void dropCaches(String url, boolean pageCache) throws Exception {
        for (String s : List.of(
                "SYSTEM DROP MARK CACHE",
                "SYSTEM DROP UNCOMPRESSED CACHE",
                "SYSTEM DROP PRIMARY INDEX CACHE",
                "SYSTEM DROP QUERY CACHE",
                "SYSTEM DROP MMAP CACHE")) {
            exec(url, s, Map.of());
        }
        if (pageCache) {
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "1");
        }
    }

    static long time(String url, String sql, Map<String, String> params) throws Exception {
        long t0 = System.nanoTime();
        exec(url, sql, params);
        return System.nanoTime() - t0;
    }

    /** The statement in the bench database with {@code param_*} values; the answer as TSV. */
    static String exec(String url, String sql, Map<String, String> params) throws Exception {
        StringBuilder target = new StringBuilder(url + "/?database=" + DB + "&default_format=TabSeparated");
        params.forEach((k, v) -> target.append("&param_").append(k).append('=').append(enc(v)));
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(target.toString()))
                        .timeout(Duration.ofMinutes(10))
                        .POST(HttpRequest.BodyPublishers.ofString(sql, StandardCharsets.UTF_8))
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (r.statusCode() != 200) {
            throw new IOException(
                    "ClickHouse answered " + r.statusCode() + ": " + r.body().strip() + "\n" + sql);
        }
        return r.body();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
