package io.github.netobservch.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.format.Column;
import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.parse.DeadLetter;
import io.github.netobservch.parse.DeadLetterReason;
import io.github.netobservch.parse.KafkaMessage;
import io.github.netobservch.rows.DeadLetterColumns;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The tables the migrations create have exactly the columns the Java side writes: {@code flows} =
 * {@link ColumnRegistry}, {@code flows_dlq} = {@link DeadLetterColumns} (name and type, in order).
 * A column added to the registry without a migration (or the reverse) fails here.
 */
@ExtendWith(EmbeddedClickHouseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SchemaRegistryDriftTest {

    private ClickHouseTestServer server;
    private String db;

    @BeforeAll
    void migrate(ClickHouseTestServer server) throws SQLException {
        this.server = server;
        this.db = server.createDatabase("schema_drift");
        SchemaTestSupport.migrator(server, SchemaTestSupport.testOptions(db), SchemaTestSupport.migrations())
                .migrate();
    }

    /** The stored columns (ALIAS columns are computed when read and written by nobody). */
    private List<String> describe(String table) throws SQLException {
        return server.queryColumn(
                db,
                "SELECT concat(name, ' ', type) FROM system.columns WHERE database = currentDatabase()"
                        + " AND table = '" + table + "' AND default_kind != 'ALIAS' ORDER BY position");
    }

    @Test
    void flowsColumnsEqualTheColumnRegistryInOrder() throws SQLException {
        List<String> expected = ColumnRegistry.columns().stream()
                .map(c -> c.name() + " " + c.clickHouseType())
                .toList();
        assertThat(describe("flows")).containsExactlyElementsOf(expected);
        // DESCRIBE TABLE says the same as system.columns.
        assertThat(SchemaTestSupport.query(server, db, "DESCRIBE TABLE flows").stream()
                        .map(l -> l.split("\t"))
                        .filter(f -> f.length < 3 || !f[2].equals("ALIAS"))
                        .map(f -> f[0] + " " + f[1])
                        .toList())
                .containsExactlyElementsOf(expected);
        // no computed column in flows (they cost every INSERT); flows_record (V007) = flows + record
        assertThat(server.queryColumn(
                        db,
                        "SELECT name FROM system.columns WHERE database = currentDatabase() AND table = 'flows'"
                                + " AND default_kind != ''"))
                .isEmpty();
        List<String> view = server.queryColumn(
                db,
                "SELECT concat(name, ' ', type) FROM system.columns WHERE database = currentDatabase()"
                        + " AND table = 'flows_record' ORDER BY position");
        assertThat(view.subList(0, view.size() - 1)).containsExactlyElementsOf(expected);
        assertThat(view.get(view.size() - 1)).isEqualTo("record String");
    }

    @Test
    void codecsTheRegistryDeclaresAreInTheTable() throws SQLException {
        for (Column c : ColumnRegistry.columns()) {
            if (c.codec() != null) {
                assertThat(server.queryColumn(
                                db,
                                "SELECT compression_codec FROM system.columns WHERE database = currentDatabase()"
                                        + " AND table = 'flows' AND name = '" + c.name() + "'"))
                        .as(c.name())
                        .containsExactly("CODEC(" + c.codec() + ")");
            }
        }
    }

    @Test
    void flowsDlqColumnsEqualDeadLetterColumnsInOrder() throws SQLException {
        assertThat(describe("flows_dlq"))
                .containsExactlyElementsOf(DeadLetterColumns.columns().stream()
                        .map(c -> c.name() + " " + c.type())
                        .toList());
    }

    @Test
    void deadLetterColumnsCoverEveryDeadLetterFieldOnce() {
        List<String> fields = Arrays.stream(DeadLetter.class.getFields())
                .filter(f -> !Modifier.isStatic(f.getModifiers()))
                .map(Field::getName)
                .toList();
        assertThat(DeadLetterColumns.columns().stream()
                        .map(DeadLetterColumns.Col::field)
                        .toList())
                .containsExactlyInAnyOrderElementsOf(fields)
                .doesNotHaveDuplicates();
    }

    @Test
    void aDeadLetterRoundTripsThroughTheTable() throws SQLException {
        KafkaMessage msg = new KafkaMessage();
        msg.topic = "flows-export";
        msg.partition = 7;
        msg.offset = 123_456_789_012L;
        msg.timestamp = -1;
        msg.value = "{\"Bytes\": \"x\"}".getBytes(StandardCharsets.UTF_8);
        DeadLetter d = DeadLetter.of(
                DeadLetterReason.WRONG_TYPE, "Bytes: expected a number", "Bytes", msg, 1_773_136_800_000L, 1024);

        StringBuilder row = new StringBuilder("{");
        for (DeadLetterColumns.Col c : DeadLetterColumns.columns()) {
            Object v = c.value().apply(d);
            if (row.length() > 1) {
                row.append(',');
            }
            row.append('"').append(c.name()).append("\":");
            if (c.type().startsWith("DateTime64")) {
                row.append('"')
                        .append(java.time.Instant.ofEpochMilli((Long) v)
                                .toString()
                                .replace("T", " ")
                                .replace("Z", ""))
                        .append('"');
            } else if (v instanceof String s) {
                row.append('"')
                        .append(s.replace("\\", "\\\\").replace("\"", "\\\""))
                        .append('"');
            } else {
                row.append(v);
            }
        }
        row.append('}');
        SchemaTestSupport.insertJson(server, db, "flows_dlq", row.toString(), null);
        assertThat(SchemaTestSupport.query(server, db, "SELECT * FROM flows_dlq WHERE kafka_partition = 7"))
                .containsExactly(String.join(
                        "\t",
                        "WRONG_TYPE",
                        "Bytes: expected a number",
                        "Bytes",
                        "{\"Bytes\": \"x\"}",
                        "utf8",
                        "false",
                        "14",
                        "flows-export",
                        "7",
                        "123456789012",
                        "1970-01-01 00:00:00.000",
                        "2026-03-10 10:00:00.000"));
        assertThat(DeadLetterColumns.partitionKey(d)).isEqualTo("2026-03-10");
    }
}
