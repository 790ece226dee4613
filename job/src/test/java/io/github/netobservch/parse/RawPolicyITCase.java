package io.github.netobservch.parse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.netobservch.enrich.FlowEnricher;
import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.hostile.HostileCorpus;
import io.github.netobservch.pipeline.PipelineTestSupport;
import io.github.netobservch.rows.FlowRowEncoder;
import io.github.netobservch.schema.RecordAlias;
import io.github.netobservch.sink.RowBinaryWriter;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import io.github.netobservch.testing.JsonSameness;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * No field is lost under {@code raw.policy} unmapped: every record the parser accepts, loaded through
 * the job's parser, enricher and row encoder into the migrated {@code flows}, comes back from the
 * {@code record} alias as the same JSON (same keys, same values; numbers compared as numbers) as the
 * message. Inputs: the hand-written records in the shapes of real NetObserv output (every agent era,
 * conversation records, ARP frames), the replay sample, every hostile-corpus message that loads
 * (drift, escapes, injection strings, unknown fields), and the edge cases of the residue rules below.
 * Under whole the same holds trivially ({@code record = raw}); under none {@code record} has exactly
 * the fields unmapped keeps out of {@code raw}. Negative controls: the same rows with the residue or a
 * bit of {@code raw_key_bits} taken away are told apart.
 */
@ExtendWith(EmbeddedClickHouseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RawPolicyITCase {

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    /** The residue rules' edge cases, in NetObserv's shapes (a 1.9 flow log as the base). */
    static final List<String> EDGE_CASES = List.of(
            edge("\"SrcMac\":\"0A:58:0A:80:00:01\""), // upper-case MAC (≤ 1.8): kept lower-cased
            edge("\"SrcMac\":\"\",\"DstMac\":\"\""), // empty MACs: absent
            edge("\"Flags\":18"), // numeric flags (≤ 1.7): kept as names
            edge("\"Flags\":null"),
            edge("\"Flags\":[\"SYN\",\"ACK\"]"),
            edge("\"DnsLatencyMs\":null,\"TimeFlowRttNs\":null,\"FlowDirection\":null"),
            edge("\"Dscp\":0,\"Sampling\":0,\"IcmpType\":0,\"IcmpCode\":0,\"DnsErrno\":0,\"Duplicate\":false"),
            edge("\"SrcK8S_HostIP\":\"\",\"AgentIP\":\"::ffff:10.0.0.7\""), // empty, and v4 written as v6
            edge("\"XlatSrcAddr\":\"::10.0.0.7\",\"XlatDstAddr\":\"2001:DB8::1\""), // v4-compatible, upper case
            edge("\"DstK8S_HostIP\":\"2001:db8:0:0:0:0:0:1\",\"SrcK8S_HostIP\":\"fd00::1:0:0:2\""),
            edge("\"NetworkEvents\":[{\"Action\":\"drop\",\"Type\":\"NetworkPolicy\",\"Name\":\"ns/deny\"}]"),
            edge("\"NetworkEvents\":[{\"Action\":\"allow\",\"Count\":3,\"Ok\":true,\"Gone\":null}]"),
            edge("\"Interface\":\"eth0\",\"IfDirection\":1"), // legacy keys beside no current ones
            edge("\"Interface\":\"eth0\",\"Interfaces\":[\"br-ex\"],\"FlowDirections\":[0]"), // both eras
            edge("\"FutureField\":{\"a\":[1, 2.50, {\"b\":null}]},\"Future,Comma\":1"), // a comma in a key
            edge("\"Future \\\"quoted\\\" \\u00e9\":\"x\",\"DnsName\":\"a/b<c>&\\u2028\\n\""),
            edge("\"Bytes\":18446744073709551615,\"Packets\":0,\"TimeReceived\":1754040000"),
            edge("\"Bytes\":\"12\",\"Proto\":300"), // drift: kept in the residue, column empty
            edge("\"SrcK8S_Name\":\"\",\"DstK8S_Namespace\":\"\",\"Udns\":[],\"TLSTypes\":[]"),
            edge("\"Etype\":2054,\"SrcAddr\":\"0.0.0.0\",\"DstAddr\":\"0.0.0.0\",\"Proto\":0,\"SrcPort\":0"),
            edge("\"DnsName\":\"lone \\ud800 surrogate\""));

    private ClickHouseTestServer clickhouse;
    private String db;
    private final List<String> messages = new ArrayList<>();

    private static String edge(String fields) {
        String base = "\"TimeFlowStartMs\":1754040000000,\"TimeFlowEndMs\":1754040001000,\"SrcAddr\":\"10.128.0.5\","
                + "\"DstAddr\":\"10.129.0.9\",\"Proto\":6,\"SrcPort\":43210,\"DstPort\":8080,\"Bytes\":66,"
                + "\"Packets\":1,\"AgentIP\":\"10.0.0.3\",\"K8S_FlowLayer\":\"app\",\"Etype\":2048";
        // the edge case's fields replace the base's keys of the same name
        StringBuilder b = new StringBuilder("{");
        for (String kv : base.split(",(?=\")")) {
            String key = kv.substring(0, kv.indexOf(':'));
            if (!fields.contains(key + ":")) {
                b.append(kv).append(',');
            }
        }
        return b.append(fields).append('}').toString();
    }

    @BeforeAll
    void load(ClickHouseTestServer server) throws Exception {
        this.clickhouse = server;
        messages.addAll(inputs());
        db = server.createDatabase("raw_policy");
        PipelineTestSupport.applySchema(server, db);
        for (RawPolicy policy : RawPolicy.values()) {
            createTable("flows_" + policy.option());
            insert(policy, "flows_" + policy.option(), UnaryOperator.identity());
        }
    }

    /** Every input message the parser accepts, once each. */
    private static List<String> inputs() throws IOException {
        List<String> all = new ArrayList<>();
        Path flows = Path.of("src/test/resources/io/github/netobservch/flows");
        try (Stream<Path> files = Files.list(flows)) {
            for (Path f : files.sorted().toList()) {
                all.add(Files.readString(f));
            }
        }
        all.addAll(Files.readAllLines(Path.of("src/test/resources/replay/real-shapes.jsonl")));
        all.addAll(Files.readAllLines(Path.of("src/test/resources/replay/sample.jsonl")));
        for (HostileCorpus.Entry e : HostileCorpus.load()) {
            if (e.expectsRow() || e.expectedWarning() != null) {
                all.add(new String(e.value(), StandardCharsets.UTF_8));
            }
        }
        all.addAll(EDGE_CASES);
        FlowParser check = new FlowParser(ParserConfig.defaults());
        List<String> accepted = new ArrayList<>();
        for (String m : all) {
            if (m.isBlank()) {
                continue;
            }
            try {
                check.parse(m.getBytes(StandardCharsets.UTF_8));
                accepted.add(m);
            } catch (FlowParseException e) {
                // a dead letter under every policy: not a row
            }
        }
        return accepted;
    }

    /** A table like flows and its view with the record column, as V008 defines flows_record. */
    private void createTable(String table) throws Exception {
        clickhouse.execute(db, "CREATE TABLE " + table + " AS flows");
        clickhouse.execute(
                db,
                "CREATE VIEW " + table + "_record AS SELECT *, " + RecordAlias.expression() + " AS record FROM "
                        + table);
    }

    /** Parses every message under the policy, lets {@code change} alter the record, inserts the rows. */
    private void insert(RawPolicy policy, String table, UnaryOperator<FlowRecord> change) throws Exception {
        FlowParser parser = new FlowParser(ParserConfig.builder()
                .maxMessageBytes(ParserConfig.DEFAULT_MAX_MESSAGE_BYTES)
                .rawPolicy(policy)
                .build());
        FlowRowEncoder encoder = new FlowRowEncoder();
        RowBinaryWriter out = new RowBinaryWriter();
        long offset = 0;
        for (String m : messages) {
            FlowRecord r = FlowEnricher.enrich(parser.parse(m.getBytes(StandardCharsets.UTF_8)));
            r.setLong(ColumnRegistry.KAFKA_OFFSET, offset++);
            encoder.encode(change.apply(r), out);
        }
        clickhouse.insertRowBinary(db, table, out.toByteArray());
    }

    private List<String> column(String table, String expr) throws Exception {
        return clickhouse.queryColumn(db, "SELECT " + expr + " FROM " + table + "_record ORDER BY kafka_offset");
    }

    static boolean sameJson(JsonNode a, JsonNode b) {
        return JsonSameness.same(a, b);
    }

    private static JsonNode tree(String json) {
        JsonNode t = JsonSameness.tree(json);
        if (t == null) {
            throw new IllegalArgumentException("not JSON: " + json);
        }
        return t;
    }

    /** Messages whose rebuilt record differs from them (index → record). */
    private Map<Integer, String> differing(String table) throws Exception {
        List<String> records = column(table, "record");
        assertThat(records).hasSize(messages.size());
        Map<Integer, String> differing = new LinkedHashMap<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode rebuilt = JsonSameness.tree(records.get(i)); // null: not even JSON
            if (rebuilt == null || !sameJson(tree(messages.get(i)), rebuilt)) {
                differing.put(i, messages.get(i) + "\n  rebuilt: " + records.get(i));
            }
        }
        return differing;
    }

    @Test
    void theInputsCoverTheShapes() {
        assertThat(messages).hasSizeGreaterThan(350);
        assertThat(messages)
                .containsAll(EDGE_CASES.stream()
                        .filter(m -> !m.contains("\"Bytes\":\"12\""))
                        .toList());
    }

    @Test
    void unmappedRebuildsEveryRecordWithEveryField() throws Exception {
        assertThat(differing("flows_unmapped")).isEmpty();
    }

    @Test
    void wholeKeepsTheMessageAsIs() throws Exception {
        assertThat(column("flows_whole", "raw")).containsExactlyElementsOf(messages);
        assertThat(differing("flows_whole")).isEmpty();
    }

    @Test
    void unmappedKeepsOnlyWhatNoColumnGivesBack() throws Exception {
        List<String> raw = column("flows_unmapped", "raw");
        List<String> bits = column("flows_unmapped", "raw_key_bits");
        int empty = 0;
        long rawBytes = 0;
        for (int i = 0; i < messages.size(); i++) {
            String m = messages.get(i);
            if (m.length() < 65536) { // the 900 KiB unknown field of the hostile corpus aside
                rawBytes += raw.get(i).length();
            }
            if (raw.get(i).isEmpty()) {
                empty++;
                continue;
            }
            JsonNode residue = tree(raw.get(i));
            JsonNode message = tree(m);
            for (Iterator<String> it = residue.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (bits.get(i).equals("0")) {
                    continue; // kept whole (a value ClickHouse cannot give back)
                }
                assertThat(message.has(k)).as("%s of %s", k, m).isTrue();
                assertThat(sameJson(message.get(k), residue.get(k)))
                        .as("%s of %s", k, m)
                        .isTrue();
            }
        }
        // the generated sample and the current-era fixtures map fully: most rows keep nothing
        assertThat(empty).isGreaterThan(messages.size() / 2);
        long wholeBytes = messages.stream()
                .filter(m -> m.length() < 65536)
                .mapToLong(String::length)
                .sum();
        assertThat(rawBytes).isLessThan(wholeBytes / 5);
        // the edge cases each keep their fields (spot checks of the rules)
        Map<String, String> residueOf = new LinkedHashMap<>();
        for (int i = 0; i < messages.size(); i++) {
            residueOf.put(messages.get(i), raw.get(i));
        }
        assertThat(residueOf.get(EDGE_CASES.get(0))).isEqualTo("{\"SrcMac\":\"0A:58:0A:80:00:01\"}");
        assertThat(residueOf.get(EDGE_CASES.get(2))).isEqualTo("{\"Flags\":18}");
        assertThat(residueOf.get(EDGE_CASES.get(4))).isEmpty();
        assertThat(residueOf.get(EDGE_CASES.get(6))).isEmpty(); // zeros present: raw_key_bits says so
        assertThat(residueOf.get(EDGE_CASES.get(7)))
                .isEqualTo("{\"SrcK8S_HostIP\":\"\",\"AgentIP\":\"::ffff:10.0.0.7\"}");
        assertThat(residueOf.get(EDGE_CASES.get(10))).isEmpty();
        assertThat(residueOf.get(EDGE_CASES.get(14)))
                .isEqualTo("{\"FutureField\":{\"a\":[1, 2.50, {\"b\":null}]},\"Future,Comma\":1}");
        assertThat(residueOf.get(EDGE_CASES.get(20))).isEqualTo(EDGE_CASES.get(20)); // lone surrogate: whole
    }

    @Test
    void noneRebuildsExactlyTheFieldsTheColumnsHold() throws Exception {
        List<String> none = column("flows_none", "record");
        List<String> residues = column("flows_unmapped", "raw");
        List<String> bits = column("flows_unmapped", "raw_key_bits");
        assertThat(column("flows_none", "raw")).allMatch(String::isEmpty);
        int lost = 0;
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = tree(messages.get(i));
            JsonNode rebuilt = tree(none.get(i));
            boolean whole = bits.get(i).equals("0"); // kept whole under unmapped
            JsonNode residue = residues.get(i).isEmpty() || whole ? JSON.createObjectNode() : tree(residues.get(i));
            for (Iterator<String> it = message.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (residue.has(k) || (whole && !rebuilt.has(k))) {
                    assertThat(rebuilt.has(k))
                            .as("%s of %s", k, messages.get(i))
                            .isFalse();
                    lost++;
                } else {
                    assertThat(rebuilt.has(k))
                            .as("%s of %s", k, messages.get(i))
                            .isTrue();
                    assertThat(sameJson(message.get(k), rebuilt.get(k)))
                            .as("%s of %s", k, messages.get(i))
                            .isTrue();
                }
            }
            assertThat(rebuilt.size()).isLessThanOrEqualTo(message.size());
        }
        assertThat(lost).as("fields none loses").isGreaterThan(20);
    }

    @Test
    void negativeControlsAMissingResidueOrKeyIsSeen() throws Exception {
        createTable("flows_broken");
        insert(RawPolicy.UNMAPPED, "flows_broken", r -> {
            FlowRecord c = r.copy();
            if (c.has(ColumnRegistry.RAW_KEY_BITS)) {
                c.clear(ColumnRegistry.RAW);
            }
            return c;
        });
        int residues = (int) column("flows_unmapped", "raw").stream()
                .filter(s -> !s.isEmpty())
                .count();
        Map<Integer, String> withoutResidue = differing("flows_broken");
        assertThat(residues).isGreaterThan(20);
        // all but residues the columns happen to repeat ({"DnsLatencyMs":null} and a Nullable column)
        assertThat(withoutResidue).hasSizeGreaterThan(residues * 9 / 10);

        clickhouse.execute(db, "TRUNCATE TABLE flows_broken");
        insert(RawPolicy.UNMAPPED, "flows_broken", r -> {
            FlowRecord c = r.copy();
            if (c.has(ColumnRegistry.RAW_KEY_BITS)) {
                // the lowest bit dropped: a field a column gives back is no longer marked
                long low = c.ipLow(ColumnRegistry.RAW_KEY_BITS);
                c.setBits128(ColumnRegistry.RAW_KEY_BITS, c.ipHigh(ColumnRegistry.RAW_KEY_BITS), low & (low - 1));
            }
            return c;
        });
        long listed = column("flows_unmapped", "raw_key_bits").stream()
                .filter(k -> !k.equals("0"))
                .count();
        assertThat(listed).isGreaterThan(messages.size() - 10);
        assertThat(differing("flows_broken")).hasSize((int) listed);
    }
}
