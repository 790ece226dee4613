package io.github.netobservch.schema;

import io.github.netobservch.enrich.FlowEnricher;
import io.github.netobservch.format.Column;
import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.generate.FlowGenerator;
import io.github.netobservch.generate.GeneratedMessage;
import io.github.netobservch.generate.GeneratorConfig;
import io.github.netobservch.parse.FlowParseException;
import io.github.netobservch.parse.FlowParser;
import io.github.netobservch.parse.ParserConfig;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Measures candidate {@code ORDER BY}s and codecs of {@code flows} on generated data (FlowGenerator →
 * parser → enrichment, ~1M rows over ~1 day): compressed bytes per row and the raw-table queries of
 * the query pack. Not part of the normal build (its name matches neither {@code *Test} nor
 * {@code *ITCase}); run with
 * {@code mvn -pl job test -Dtest=SchemaLayoutBenchmark [-Dschema.bench.rows=1000000]}.
 * The numbers in sql/README.md come from this class.
 */
@ExtendWith(EmbeddedClickHouseExtension.class)
class SchemaLayoutBenchmark {

    private static final int RUNS = 5;

    @Test
    void compareLayouts(ClickHouseTestServer server) throws Exception {
        int rows = Integer.getInteger("schema.bench.rows", 1_000_000);
        String db = server.createDatabase("schema_bench");
        String v001 = SchemaTestSupport.migrations().get(0).template();
        SchemaRenderer single = new SchemaRenderer(SchemaTestSupport.testOptions(db));
        String ddl = single.render(Migration.of("V001__flows.sql", v001)).get(0).sql();
        String orderBy =
                "ORDER BY (toStartOfHour(time_flow_end_ms), src_k8s_namespace, dst_k8s_namespace, time_flow_end_ms)";
        if (!ddl.contains(orderBy)) {
            throw new IllegalStateException("V001 ORDER BY changed; update the benchmark");
        }
        String plain = ddl.replaceAll(" CODEC\\((?:[^()]|\\([^()]*\\))*\\)", "");

        // Base data: plain codecs, time order.
        server.execute(db, plain.replace("." + "flows", ".base").replace(orderBy, "ORDER BY time_flow_end_ms"));
        long t0 = System.nanoTime();
        load(server, db, rows);
        System.out.printf("loaded %d rows in %.1f s%n", rows, (System.nanoTime() - t0) / 1e9);
        String range = server.queryColumn(
                        db,
                        "SELECT concat(toString(min(time_flow_end_ms)), ' .. ', toString(max(time_flow_end_ms)))"
                                + " FROM base")
                .get(0);
        System.out.println("time range " + range);

        Map<String, String> candidates = new LinkedHashMap<>();
        String nsFirst = "ORDER BY (src_k8s_namespace, dst_k8s_namespace, time_flow_end_ms)";
        candidates.put("A ns-first (src_ns, dst_ns, time) + codecs", ddl.replace(orderBy, nsFirst));
        candidates.put("B time-first (time) + codecs", ddl.replace(orderBy, "ORDER BY time_flow_end_ms"));
        candidates.put("C hour, src_ns, dst_ns, time + codecs (V001)", ddl);
        candidates.put(
                "C' as C, default LZ4 codecs (raw ZSTD(3) kept)",
                plain.replace(
                        "`raw` String COMMENT 'original JSON message'",
                        "`raw` String COMMENT 'original JSON message' CODEC(ZSTD(3))"));
        candidates.put("C'' as C, no codecs at all (LZ4 everywhere)", plain);

        // Parameters: a one-hour window in the middle of the data, the busiest namespace and pod.
        String mid = server.queryColumn(
                        db,
                        "SELECT toString(toStartOfHour(toDateTime(intDiv(toUnixTimestamp(min(time_flow_end_ms)) + toUnixTimestamp(max(time_flow_end_ms)), 2), 'UTC'))) FROM base")
                .get(0);
        String from = mid + ".000";
        String to = server.queryColumn(db, "SELECT toString(toDateTime64('" + from + "', 3, 'UTC') + INTERVAL 1 HOUR)")
                .get(0);
        String ns = server.queryColumn(
                        db,
                        "SELECT src_k8s_namespace FROM base WHERE src_k8s_type = 'Pod' GROUP BY 1 ORDER BY count() DESC LIMIT 1")
                .get(0);
        String pod = server.queryColumn(
                        db,
                        "SELECT src_k8s_name FROM base WHERE src_k8s_namespace = '" + ns
                                + "' AND src_k8s_type = 'Pod' GROUP BY 1 ORDER BY count() DESC LIMIT 1")
                .get(0);
        String hash = server.queryColumn(db, "SELECT anyIf(hash_id, hash_id != '') FROM base")
                .get(0);
        Map<String, Map<String, String>> queries = new LinkedHashMap<>();
        queries.put("top_talkers_pod.sql (all ns)", Map.of("from", from, "to", to, "namespace", "", "limit", "10"));
        queries.put("top_talkers_pod.sql (one ns)", Map.of("from", from, "to", to, "namespace", ns, "limit", "10"));
        queries.put(
                "pod_flows_over_time.sql",
                Map.of("from", from, "to", to, "namespace", ns, "pod", pod, "step_seconds", "60"));
        queries.put("network_policy_denies.sql", Map.of("from", from, "to", to, "limit", "10"));
        if (!hash.isEmpty()) {
            queries.put("conversation.sql", Map.of("from", from, "to", to, "hash_id", hash));
        }
        queries.put("namespace matrix from raw (1 h)", Map.of("from", from, "to", to));
        String rawMatrix = "SELECT src_k8s_namespace, dst_k8s_namespace, sum(bytes), count() FROM flows"
                + " WHERE time_flow_end_ms >= {from:DateTime64(3, 'UTC')} AND time_flow_end_ms < {to:DateTime64(3, 'UTC')}"
                + " GROUP BY ALL ORDER BY ALL";

        System.out.printf("window %s .. %s, namespace %s, pod %s%n", from, to, ns, pod);
        for (Map.Entry<String, String> c : candidates.entrySet()) {
            server.execute(db, "DROP TABLE IF EXISTS flows");
            server.execute(db, c.getValue());
            server.execute(db, "INSERT INTO flows SELECT * FROM base");
            server.execute(db, "OPTIMIZE TABLE flows FINAL");
            long compressed = server.queryLong(
                    db,
                    "SELECT sum(data_compressed_bytes) FROM system.parts WHERE database = currentDatabase() AND table = 'flows' AND active");
            long uncompressed = server.queryLong(
                    db,
                    "SELECT sum(data_uncompressed_bytes) FROM system.parts WHERE database = currentDatabase() AND table = 'flows' AND active");
            long rawBytes = server.queryLong(
                    db,
                    "SELECT sum(data_compressed_bytes) FROM system.columns WHERE database = currentDatabase() AND table = 'flows' AND name = 'raw'");
            System.out.printf(
                    "%n== %s: %.1f B/row compressed (%.1f without raw), %.1f B/row uncompressed%n",
                    c.getKey(),
                    compressed / (double) rows,
                    (compressed - rawBytes) / (double) rows,
                    uncompressed / (double) rows);
            System.out.println("   top columns: "
                    + server.queryColumn(
                                    db,
                                    "SELECT arrayStringConcat(groupArray(concat(name, '=', toString(round(data_compressed_bytes / "
                                            + rows
                                            + ", 2)))), ', ') FROM (SELECT name, data_compressed_bytes FROM system.columns WHERE database = currentDatabase() AND table = 'flows' ORDER BY data_compressed_bytes DESC LIMIT 12)")
                            .get(0));
            for (Map.Entry<String, Map<String, String>> q : queries.entrySet()) {
                String file = q.getKey().split(" ")[0];
                String sql = file.endsWith(".sql")
                        ? Files.readString(SchemaTestSupport.QUERIES_DIR.resolve(file), StandardCharsets.UTF_8)
                        : rawMatrix;
                List<Long> times = new ArrayList<>();
                int resultRows = 0;
                for (int i = 0; i < RUNS; i++) {
                    long s = System.nanoTime();
                    resultRows = SchemaTestSupport.query(server, db, sql, q.getValue())
                            .size();
                    times.add((System.nanoTime() - s) / 1_000_000);
                }
                long[] sorted =
                        times.stream().mapToLong(Long::longValue).sorted().toArray();
                System.out.printf(
                        "   %-34s median %4d ms (min %4d) rows %d%n",
                        q.getKey(), sorted[RUNS / 2], sorted[0], resultRows);
            }
        }
    }

    private static void load(ClickHouseTestServer server, String db, int rows) throws FlowParseException {
        FlowGenerator gen = new FlowGenerator(GeneratorConfig.builder(42)
                .recordsPerSecond(12)
                .startEpochMs(Instant.parse("2026-11-01T00:00:00Z").toEpochMilli())
                .build());
        FlowParser parser = new FlowParser(ParserConfig.defaults());
        StringBuilder batch = new StringBuilder();
        int inBatch = 0;
        int loaded = 0;
        while (loaded < rows) {
            GeneratedMessage m = gen.next();
            if (!m.valid()) {
                continue;
            }
            FlowRecord r;
            try {
                r = parser.parse(m.toKafkaMessage("flows-export", 12, 0));
            } catch (FlowParseException e) {
                continue;
            }
            FlowEnricher.enrich(r);
            json(r, batch);
            loaded++;
            if (++inBatch == 50_000 || loaded == rows) {
                SchemaTestSupport.insertJson(server, db, "base", batch.toString(), null);
                batch.setLength(0);
                inBatch = 0;
            }
        }
    }

    private static void json(FlowRecord r, StringBuilder sb) {
        sb.append('{');
        boolean first = true;
        for (Column c : ColumnRegistry.columns()) {
            if (!r.has(c)) {
                continue;
            }
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append('"').append(c.name()).append("\":");
            Object v = r.value(c);
            switch (c.kind()) {
                case TIMESTAMP_MS ->
                    str(
                            sb,
                            Instant.ofEpochMilli(r.getLong(c))
                                    .toString()
                                    .replace("T", " ")
                                    .replace("Z", ""));
                case TIMESTAMP_S -> sb.append(r.getLong(c));
                default -> value(sb, v);
            }
        }
        sb.append("}\n");
    }

    private static void value(StringBuilder sb, Object v) {
        if (v instanceof String s) {
            str(sb, s);
        } else if (v instanceof List<?> l) {
            sb.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                value(sb, l.get(i));
            }
            sb.append(']');
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                str(sb, String.valueOf(e.getKey()));
                sb.append(':');
                value(sb, e.getValue());
            }
            sb.append('}');
        } else if (v instanceof Double d && (d.isNaN() || d.isInfinite())) {
            sb.append('0');
        } else {
            sb.append(v);
        }
    }

    private static void str(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        sb.append(String.format("\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        sb.append('"');
    }
}
