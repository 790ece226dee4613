package io.github.netobservch.loki.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.netobservch.loki.ApiArgs;
import io.github.netobservch.loki.LokiApi;
import io.github.netobservch.loki.TestFlows;
import io.github.netobservch.parse.RawPolicy;
import io.github.netobservch.schema.SchemaOptions;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Latency of the read API at scale (docs/performance.md, "Console read API"): fills a ClickHouse
 * with {@code --rows} flows over {@code --days} days — a seed set loaded exactly like the job
 * loads it, then copied with time shifts by INSERT ... SELECT so the rollup views are fed as by
 * real inserts — and times the console's queries through the HTTP API: the flow table (limit 50)
 * over 15 min, 24 h and 7 d with and without filters, the topology over 1 h and 24 h, label values.
 * The data is kept in {@code --data-dir} and reused by the next run.
 */
@Command(name = "loki-bench", mixinStandardHelpOptions = true, sortOptions = false)
public final class LokiApiBenchmark implements java.util.concurrent.Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String DB = "lokibench";
    private static final String SEL = "{app=\"netobserv-flowcollector\"}";

    @Mixin
    BenchDataSet data;

    @Option(names = "--runs", defaultValue = "15", description = "Timed runs per query after the first.")
    int runs;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LokiApiBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        data.run(10_000_000, url -> {
            LokiApi cmd = ApiArgs.parse(
                    "--auth.anonymous",
                    "--listen.host",
                    "127.0.0.1",
                    "--listen.port",
                    "0",
                    "--clickhouse.url",
                    url,
                    "--clickhouse.user",
                    "default",
                    "--tenant",
                    "netobserv=" + DB,
                    "--limits.query-timeout",
                    "120s");
            try (LokiApi.Running api =
                    LokiApi.start(cmd.config(), Clock.fixed(Instant.ofEpochMilli(TestFlows.NOW_MS), ZoneOffset.UTC))) {
                report(new ClickHouse(url), api.server().port());
            }
        });
        return 0;
    }

    /**
     * Fills {@code lokibench.flows} with {@code rows} rows over {@code days} days (kept and reused when it
     * holds enough), and applies pending migrations to a reused data set (a new tier is backfilled
     * from the 1m tier as on any upgrade). Shared with {@link QueryPackBenchmark}.
     */
    static void fill(ClickHouse ch, long rows, int days, int seedRecords, RawPolicy policy) throws Exception {
        String exists = ch.exec("SELECT count() FROM system.tables WHERE database = '" + DB + "' AND name = 'flows'")
                .trim();
        if (!exists.equals("0")) {
            long have = Long.parseLong(
                    ch.exec("SELECT count() FROM " + DB + ".flows").trim());
            if (have >= rows) {
                System.out.printf(Locale.ROOT, "data: %,d rows already in %s.flows%n", have, DB);
                TestFlows.migrate(ch.url(), "default", "", options());
                return;
            }
            ch.exec("DROP DATABASE " + DB + " SYNC"); // too small: start over, rollups included
        }
        ch.exec("CREATE DATABASE IF NOT EXISTS " + DB);
        TestFlows.migrate(ch.url(), "default", "", options());
        long have = 0;
        long t0 = System.nanoTime();
        ch.exec("CREATE TABLE IF NOT EXISTS " + DB + ".flows_seed AS " + DB + ".flows");
        ch.exec("TRUNCATE TABLE " + DB + ".flows_seed");
        TestFlows.load(ch.url(), "default", "", DB + ".flows_seed", TestFlows.generate(seedRecords, 42, false), policy);
        long copies = Math.max(1, (rows - have) / seedRecords);
        long spacingMs = days * 86_400_000L / copies;
        System.out.printf(
                Locale.ROOT,
                "data: %,d seed records x %,d copies, %,d ms apart, over %d days…%n",
                seedRecords,
                copies,
                spacingMs,
                days);
        long batch = Math.max(1, 2_000_000 / seedRecords);
        for (long from = 0; from < copies; from += batch) {
            long to = Math.min(copies, from + batch);
            // shift = copy index x spacing, backwards from the seed's hour; raw's times follow
            String shift = "toInt64(number) * " + spacingMs;
            ch.exec("INSERT INTO " + DB + ".flows SELECT s.* REPLACE ("
                    + "fromUnixTimestamp64Milli(toUnixTimestamp64Milli(time_flow_start_ms) - " + shift
                    + ", 'UTC') AS time_flow_start_ms, "
                    + "fromUnixTimestamp64Milli(toUnixTimestamp64Milli(time_flow_end_ms) - " + shift
                    + ", 'UTC') AS time_flow_end_ms, "
                    + "time_received - intDiv(" + shift + ", 1000) AS time_received, "
                    + "kafka_offset + toInt64(number) * 1000000 AS kafka_offset, "
                    + "replaceRegexpOne(replaceRegexpOne(raw, '\"TimeFlowEndMs\":\\\\d+', concat('\"TimeFlowEndMs\":', "
                    + "toString(toUnixTimestamp64Milli(time_flow_end_ms) - " + shift + "))), "
                    + "'\"TimeFlowStartMs\":\\\\d+', concat('\"TimeFlowStartMs\":', "
                    + "toString(toUnixTimestamp64Milli(time_flow_start_ms) - " + shift + "))) AS raw"
                    + ") FROM " + DB + ".flows_seed AS s, numbers(" + from + ", " + (to - from) + ") AS n"
                    + " SETTINGS max_partitions_per_insert_block = 1000, insert_deduplicate = 0");
            System.out.printf(Locale.ROOT, "  %,d / %,d copies, %.0f s%n", to, copies, (System.nanoTime() - t0) / 1e9);
        }
        if (rows <= 10_000_000) {
            ch.exec("OPTIMIZE TABLE " + DB + ".flows FINAL"); // larger tables: background merges, as in production
        }
        System.out.printf(Locale.ROOT, "data: loaded in %.0f s%n", (System.nanoTime() - t0) / 1e9);
    }

    private static SchemaOptions options() {
        return SchemaOptions.defaults()
                .withDatabase(DB)
                .withRetention(3650, 3650, 3650)
                .withDedupWindow(1000, 3600);
    }

    private record Case(String name, String target) {}

    private void report(ClickHouse ch, int port) throws Exception {
        long now = TestFlows.NOW_MS / 1000;
        List<Case> cases = new ArrayList<>();
        Map<String, Long> ranges = new LinkedHashMap<>();
        ranges.put("15m", 900L);
        ranges.put("24h", 86_400L);
        ranges.put("7d", 7 * 86_400L);
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("no filter", SEL);
        filters.put("namespace label", "{app=\"netobserv-flowcollector\",SrcK8S_Namespace=\"shop\"}");
        filters.put("pod name contains", SEL + "|~`SrcK8S_Name\":\"(?i)[^\"]*front.*\"`");
        filters.put("IP CIDR", SEL + "|json|SrcAddr=ip(\"10.128.0.0/16\")");
        for (Map.Entry<String, Long> r : ranges.entrySet()) {
            for (Map.Entry<String, String> f : filters.entrySet()) {
                cases.add(new Case(
                        "flow table " + r.getKey() + ", " + f.getKey(),
                        "/loki/api/v1/query_range?query=" + enc(f.getValue()) + "&start=" + (now - r.getValue())
                                + "&end=" + (now + 1) + "&limit=50"));
            }
        }
        String topology = "topk(50,sum by(SrcK8S_Namespace,DstK8S_Namespace)(rate({app=\"netobserv-flowcollector\","
                + "FlowDirection=~\"^0$|^2$\"}|json|unwrap Bytes|__error__=\"\"[2m])))";
        // the browser's steps: rateInterval = max(30 s, range/10), step = rateInterval/2
        cases.add(new Case("topology 1h, step 180s", metric(topology, now - 3600, now, "180s")));
        cases.add(new Case("topology 24h, step 4320s", metric(topology, now - 86_400, now, "4320s")));
        cases.add(new Case("topology 1h, step 30s (backend default)", metric(topology, now - 3600, now, "30s")));
        // the resource scope (pods, IPs): the Loki-only topology in practice; SrcAddr/DstAddr come from raw
        String resource = "topk(50,sum by(SrcK8S_Name,SrcK8S_Type,SrcK8S_OwnerName,SrcK8S_OwnerType,"
                + "SrcK8S_Namespace,SrcAddr,SrcK8S_HostName,DstK8S_Name,DstK8S_Type,DstK8S_OwnerName,"
                + "DstK8S_OwnerType,DstK8S_Namespace,DstAddr,DstK8S_HostName)(rate({app=\"netobserv-flowcollector\","
                + "FlowDirection=~\"^0$|^2$\"}|json|unwrap Bytes|__error__=\"\"[6m])))";
        cases.add(new Case("topology by resource 1h, step 180s", metric(resource, now - 3600, now, "180s")));
        cases.add(new Case("label values (6h)", "/loki/api/v1/label/SrcK8S_Namespace/values"));

        HttpClient http = HttpClient.newHttpClient();
        String machine = System.getProperty("os.arch") + ", "
                + Runtime.getRuntime().availableProcessors() + " cores, JDK " + System.getProperty("java.version");
        long total =
                Long.parseLong(ch.exec("SELECT count() FROM " + DB + ".flows").trim());
        String disk = ch.exec(
                        "SELECT formatReadableSize(sum(bytes_on_disk)) FROM system.parts WHERE active AND database = '"
                                + DB + "' AND table = 'flows'")
                .trim();
        System.out.printf(
                Locale.ROOT,
                "%nRead API latency, %,d rows (%s on disk) over %d days; %s%n",
                total,
                disk,
                data.days,
                machine);
        System.out.println("| Query | first (ms) | p50 (ms) | p95 (ms) | max (ms) | answer |");
        System.out.println("|---|---:|---:|---:|---:|---|");
        for (Case c : cases) {
            long[] ms = new long[runs];
            long first = 0;
            String answer = "";
            for (int i = -1; i < runs; i++) {
                long t0 = System.nanoTime();
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + c.target()))
                                .header("X-Scope-OrgID", "netobserv")
                                .timeout(Duration.ofMinutes(3))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                long took = (System.nanoTime() - t0) / 1_000_000;
                if (r.statusCode() != 200) {
                    answer = "HTTP " + r.statusCode() + ": "
                            + r.body().substring(0, Math.min(120, r.body().length()));
                }
                if (i < 0) {
                    first = took;
                    if (r.statusCode() == 200) {
                        answer = summary(r.body());
                    }
                } else {
                    ms[i] = took;
                }
            }
            Arrays.sort(ms);
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %d | %d | %d | %d | %s |%n",
                    c.name(),
                    first,
                    ms[runs / 2],
                    ms[(int) Math.ceil(runs * 0.95) - 1],
                    ms[runs - 1],
                    answer);
        }
    }

    private static String summary(String body) throws IOException {
        JsonNode data = JSON.readTree(body).path("data");
        if (data.isArray()) {
            return data.size() + " values";
        }
        int series = data.path("result").size();
        int values = 0;
        for (JsonNode s : data.path("result")) {
            values += s.path("values").size();
        }
        return data.path("resultType").asText() + ": " + series + " "
                + (data.path("resultType").asText().equals("streams") ? "streams, " : "series, ") + values + " values";
    }

    private static String metric(String q, long start, long end, String step) {
        return "/loki/api/v1/query_range?query=" + enc(q) + "&start=" + start + "&end=" + end + "&step=" + step;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Plain SQL over ClickHouse's HTTP interface (setup and sizes only). */
    record ClickHouse(String url) {
        String exec(String sql) throws IOException, InterruptedException {
            return TestFlows.post(url, "default", "", sql, new byte[0]);
        }
    }
}
