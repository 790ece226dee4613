package io.github.netobservch.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowFixtures;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.parse.DeadLetter;
import io.github.netobservch.parse.DeadLetterReason;
import io.github.netobservch.parse.KafkaMessage;
import io.github.netobservch.rows.DeadLetterRowEncoder;
import io.github.netobservch.rows.FlowRowEncoder;
import io.github.netobservch.sink.PresenceProbe;
import io.github.netobservch.sink.RowBinaryWriter;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The presence probes of the flows and dead-letter encoders run against the real schema (migrations
 * applied) and find exactly their own row: valid SQL for the column types, and specific enough that a
 * neighbour (next offset, other partition) is not mistaken for it.
 */
@ExtendWith(EmbeddedClickHouseExtension.class)
class PresenceProbeSchemaTest {

    @Test
    void flowAndDeadLetterProbesFindExactlyTheirRow(ClickHouseTestServer server) throws Exception {
        String db = server.createDatabase("probe");
        SchemaTestSupport.migrator(server, SchemaTestSupport.testOptions(db), SchemaTestSupport.migrations())
                .migrate();

        FlowRowEncoder flows = new FlowRowEncoder();
        RowBinaryWriter flowRows = new RowBinaryWriter();
        List<FlowRecord> records = new ArrayList<>();
        long offset = 1_000;
        for (String name : FlowFixtures.ALL) {
            FlowRecord r = FlowFixtures.parse(name);
            r.setString(ColumnRegistry.KAFKA_TOPIC, "flows-export");
            r.setLong(ColumnRegistry.KAFKA_PARTITION, offset % 3);
            r.setLong(ColumnRegistry.KAFKA_OFFSET, offset++);
            records.add(r);
            flows.encode(r, flowRows);
        }
        server.insertRowBinary(db, "flows", flowRows.toByteArray());

        DeadLetterRowEncoder dlq = new DeadLetterRowEncoder();
        RowBinaryWriter dlqRows = new RowBinaryWriter();
        List<DeadLetter> letters = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            DeadLetter d = DeadLetter.of(
                    DeadLetterReason.EMPTY,
                    "empty",
                    null,
                    KafkaMessage.of("flows-export", i % 2, 50 + i, 1_764_028_800_000L + i, ""),
                    1_764_028_800_500L,
                    1024);
            letters.add(d);
            dlq.encode(d, dlqRows);
        }
        server.insertRowBinary(db, "flows_dlq", dlqRows.toByteArray());

        for (FlowRecord r : records) {
            PresenceProbe probe = flows.presenceProbe(r);
            assertThat(count(server, db, "flows", probe.predicate(), probe.params()))
                    .isEqualTo(1);
            Map<String, String> neighbour = new HashMap<>(probe.params());
            neighbour.put("ko", Long.toString(Long.parseLong(neighbour.get("ko")) + 1));
            assertThat(count(server, db, "flows", probe.predicate(), neighbour)).isZero();
        }
        for (DeadLetter d : letters) {
            PresenceProbe probe = dlq.presenceProbe(d);
            assertThat(count(server, db, "flows_dlq", probe.predicate(), probe.params()))
                    .isEqualTo(1);
            Map<String, String> otherPartition = new HashMap<>(probe.params());
            otherPartition.put("kp", "7");
            assertThat(count(server, db, "flows_dlq", probe.predicate(), otherPartition))
                    .isZero();
        }

        // A record that did not come from Kafka has no identity to probe for.
        FlowRecord local = FlowFixtures.parse("example1");
        local.clear(ColumnRegistry.KAFKA_TOPIC);
        assertThat(flows.presenceProbe(local)).isNull();
    }

    private static long count(
            ClickHouseTestServer server, String db, String table, String predicate, Map<String, String> params) {
        List<String> out =
                SchemaTestSupport.query(server, db, "SELECT count() FROM " + table + " WHERE " + predicate, params);
        return Long.parseLong(out.get(0));
    }
}
