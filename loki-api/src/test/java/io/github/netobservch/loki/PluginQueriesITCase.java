package io.github.netobservch.loki;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.netobservch.loki.query.Results;
import io.github.netobservch.loki.query.Results.Matrix;
import io.github.netobservch.loki.query.Results.Streams;
import io.github.netobservch.parse.RawPolicy;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every request the console plugin is known to send (plugin-queries.tsv: the plugin's own test
 * strings and the shapes derived from its builders) goes to the API as a raw request line, is
 * answered in Loki's exact JSON shapes, and equals the reference evaluator's answer over the same
 * records — under the operator's default labels and under every optional label group.
 */
@ExtendWith(EmbeddedClickHouseExtension.class)
class PluginQueriesITCase {

    private static LokiApiFixture defaults;
    private static LokiApiFixture allGroups;
    /** The same records loaded as the job loads them under raw.policy unmapped. */
    private static LokiApiFixture unmapped;

    @BeforeAll
    static void load(ClickHouseTestServer server) throws Exception {
        defaults = LokiApiFixture.start(
                server, TestFlows.generate(3000, 7, true), "--auth.anonymous", "--limits.max-series", "5000");
        allGroups = LokiApiFixture.on(
                server,
                defaults.db,
                "--auth.anonymous",
                "--limits.max-series",
                "5000",
                "--label-groups",
                "conntrack,multiCluster,zones,udn");
        unmapped = LokiApiFixture.start(
                server,
                TestFlows.generate(3000, 7, true),
                RawPolicy.UNMAPPED,
                "--auth.anonymous",
                "--limits.max-series",
                "5000");
    }

    @AfterAll
    static void stop() {
        if (defaults != null) {
            defaults.close();
        }
        if (allGroups != null) {
            allGroups.close();
        }
        if (unmapped != null) {
            unmapped.close();
        }
    }

    static List<String[]> pluginQueries() throws IOException {
        try (InputStream in = PluginQueriesITCase.class.getResourceAsStream("/plugin-queries.tsv")) {
            List<String[]> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    out.add(line.split("\t", 2));
                }
            }
            return out;
        }
    }

    @Test
    void everyPluginQueryIsAnsweredLikeTheReference() throws Exception {
        List<String[]> queries = pluginQueries();
        assertThat(queries).hasSize(64);
        int nonEmpty = 0;
        List<String> empty = new ArrayList<>();
        for (LokiApiFixture api : List.of(defaults, allGroups)) {
            for (String[] q : queries) {
                String id = q[0] + (api == defaults ? " (default labels)" : " (all label groups)");
                RawHttp.Response r = api.get(q[1]);
                assertThat(r.status()).as(id + ": " + r.body()).isEqualTo(200);
                if (q[1].contains("/label/")) {
                    JsonNode root = LokiApiFixture.JSON.readTree(r.body());
                    assertThat(root.get("status").asText()).isEqualTo("success");
                    List<String> values = new ArrayList<>();
                    root.get("data").forEach(v -> values.add(v.asText()));
                    assertThat(values).as(id).isEqualTo(expectedLabelValues(api, "DstK8S_Namespace"));
                    assertThat(values).as(id).isNotEmpty();
                    continue;
                }
                Results.Result got = LokiApiFixture.decode(r.body());
                Results.Result want = api.expected(q[1]);
                assertThat(got).as(id).isEqualTo(want);
                if (got instanceof Streams s && s.entryCount() > 0
                        || got instanceof Matrix m && !m.series().isEmpty()) {
                    nonEmpty++;
                } else {
                    empty.add(id);
                }
            }
        }
        // the data set must make most answers non-trivial, or the comparison proves little
        assertThat(nonEmpty).as("empty answers: %s", empty).isGreaterThan(100);
    }

    /**
     * raw.policy unmapped keeps only what no column gives back and the read API serves lines rebuilt
     * from the columns: every plugin query answers as on the whole records — the same entries, streams,
     * series and values — with lines that are the same JSON (their keys in column order instead of the
     * record's). Negative control: the answers' raw text differs, so the comparison is not vacuous.
     */
    @Test
    void underRawPolicyUnmappedEveryPluginQueryAnswersTheSame() throws Exception {
        int compared = 0;
        int linesReordered = 0;
        for (String[] q : pluginQueries()) {
            RawHttp.Response a = defaults.get(q[1]);
            RawHttp.Response b = unmapped.get(q[1]);
            assertThat(b.status()).as(q[0] + ": " + b.body()).isEqualTo(200);
            if (q[1].contains("/label/")) {
                assertThat(b.body()).as(q[0]).isEqualTo(a.body());
                continue;
            }
            Results.Result want = LokiApiFixture.decode(a.body());
            Results.Result got = LokiApiFixture.decode(b.body());
            assertThat(got).as(q[0] + " (against the reference)").isEqualTo(unmapped.expected(q[1]));
            assertThat(canonical(got)).as(q[0]).isEqualTo(canonical(want));
            if (!got.equals(want)) {
                linesReordered++;
            }
            compared++;
        }
        assertThat(compared).isGreaterThan(50);
        assertThat(linesReordered).as("answers whose line text differs").isGreaterThan(5);
    }

    /** An answer with every line's keys sorted (the same JSON, one text). */
    private static Results.Result canonical(Results.Result r) throws Exception {
        if (!(r instanceof Streams s)) {
            return r;
        }
        ObjectMapper sorted = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
        List<Results.Stream> out = new ArrayList<>();
        for (Results.Stream st : s.streams()) {
            List<Results.Entry> entries = new ArrayList<>();
            for (Results.Entry e : st.entries()) {
                Map<?, ?> m = sorted.readValue(e.line(), Map.class);
                entries.add(new Results.Entry(e.tsMs(), sorted.writeValueAsString(m)));
            }
            out.add(new Results.Stream(st.labels(), entries));
        }
        return new Streams(out);
    }

    private static List<String> expectedLabelValues(LokiApiFixture api, String label) {
        TreeSet<String> values = new TreeSet<>();
        for (ReferenceEvaluator.Row row : api.rows) {
            if (row.tsMs() >= TestFlows.NOW_MS - 6 * 3_600_000L && row.tsMs() < TestFlows.NOW_MS) {
                JsonNode v = row.record().get(label);
                if (v != null && !v.asText().isEmpty()) {
                    values.add(v.asText());
                }
            }
        }
        return new ArrayList<>(values);
    }

    @Test
    void theSameRequestAnswersByteForByteTheSame() throws Exception {
        // The plugin merges parallel answers by timestamp + line: lines must be deterministic.
        String target = "/loki/api/v1/query_range?query={app=\"netobserv-flowcollector\"}&limit=500";
        RawHttp.Response a = defaults.get(target);
        RawHttp.Response b = defaults.get(target);
        assertThat(a.status()).isEqualTo(200);
        assertThat(stripStats(a.body())).isEqualTo(stripStats(b.body()));
        assertThat(((Streams) LokiApiFixture.decode(a.body())).entryCount()).isEqualTo(500);
    }

    private static String stripStats(String body) {
        return body.replaceAll("\"stats\":\\{.*\\}\\}\\}$", "");
    }
}
