package io.github.netobservch.schema;

import static io.github.netobservch.schema.SchemaTestSupport.migrations;
import static io.github.netobservch.schema.SchemaTestSupport.migrator;
import static io.github.netobservch.schema.SchemaTestSupport.testOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link SchemaMigrator} and {@link ApplySchema} against the embedded ClickHouse engine. */
@org.junit.jupiter.api.Timeout(300)
@ExtendWith(EmbeddedClickHouseExtension.class)
class SchemaMigratorITCase {

    private static String newDbName() {
        return "schema_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    @Test
    void appliesEveryMigrationFromScratchAndReapplyingIsANoOp(ClickHouseTestServer server) throws SQLException {
        String db = newDbName();
        SchemaMigrator m = migrator(server, testOptions(db), migrations());

        SchemaMigrator.Result first = m.migrate();
        assertThat(first.applied())
                .extracting(Migration::fileName)
                .containsExactly(
                        "V001__flows.sql",
                        "V002__flows_dlq.sql",
                        "V003__rollups.sql",
                        "V004__real_records.sql",
                        "V005__tiers.sql",
                        "V006__pod_rollups.sql",
                        "V007__raw_policy.sql",
                        "V008__raw_key_bits.sql");
        assertThat(first.alreadyApplied()).isZero();

        List<String> tables = server.queryColumn(
                db, "SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name");
        List<String> expected = new ArrayList<>(List.of("flows", "flows_dlq", "flows_record", "schema_migrations"));
        for (String r : SchemaTables.ROLLUP_TIERS) {
            expected.add(r);
            expected.add("mv_" + r);
        }
        assertThat(tables).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(server.queryColumn(
                        db,
                        "SELECT concat(toString(version), ' ', name, ' ', checksum, ' ', variant)"
                                + " FROM schema_migrations FINAL ORDER BY version"))
                .containsExactly(migrations().stream()
                        .map(x -> x.version() + " " + x.name() + " " + x.checksum() + " single")
                        .toArray(String[]::new));

        SchemaMigrator.Result second = m.migrate();
        assertThat(second.changed()).isFalse();
        assertThat(second.alreadyApplied()).isEqualTo(migrations().size());
        assertThat(server.queryLong(db, "SELECT count() FROM schema_migrations"))
                .isEqualTo(migrations().size());
        assertThat(server.queryColumn(
                        db, "SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name"))
                .isEqualTo(tables);
    }

    @Test
    void everyTargetTheSinkOrAViewWritesKeepsADedupLogAndPartitionsAsDocumented(ClickHouseTestServer server)
            throws SQLException {
        String db = newDbName();
        migrator(server, testOptions(db), migrations()).migrate();
        List<String> targets = new ArrayList<>(List.of(SchemaTables.FLOWS, SchemaTables.FLOWS_DLQ));
        targets.addAll(SchemaTables.ROLLUPS);
        for (String t : targets) {
            assertThat(server.queryColumn(
                            db,
                            "SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = '" + t
                                    + "'"))
                    .singleElement()
                    .asString()
                    .as(t)
                    .contains("non_replicated_deduplication_window = 1000");
        }
        assertThat(
                        server.queryColumn(
                                db,
                                "SELECT partition_key FROM system.tables WHERE database = currentDatabase() AND name = 'flows'"))
                .containsExactly(SchemaTables.FLOWS_PARTITION_BY);
        assertThat(
                        server.queryColumn(
                                db,
                                "SELECT partition_key FROM system.tables WHERE database = currentDatabase() AND name = 'flows_dlq'"))
                .containsExactly(SchemaTables.FLOWS_DLQ_PARTITION_BY);
        // The sink's partition value equals ClickHouse's for the same instant.
        long ms = 1_773_100_799_999L; // 2026-03-09 23:59:59.999 UTC
        assertThat(server.queryColumn(
                        db, "SELECT toString(toDate(fromUnixTimestamp64Milli(toInt64(" + ms + "), 'UTC')))"))
                .containsExactly(SchemaTables.dayOf(ms));
    }

    @Test
    void aMigrationChangedAfterItWasAppliedStopsWithAClearError(ClickHouseTestServer server) {
        String db = newDbName();
        migrator(server, testOptions(db), migrations()).migrate();

        List<Migration> edited = new ArrayList<>(migrations());
        Migration v2 = edited.get(1);
        edited.set(
                1,
                Migration.of(
                        v2.fileName(),
                        v2.template().replace("toIntervalDay(${dlq_retention_days})", "toIntervalDay(7)")));

        assertThatThrownBy(() -> migrator(server, testOptions(db), edited).migrate())
                .isInstanceOf(SchemaMigrationException.class)
                .hasMessageContaining("migration V002__flows_dlq.sql was changed after it was applied to " + db)
                .hasMessageContaining(v2.checksum())
                .hasMessageContaining("new migration V00" + (migrations().size() + 1) + "__<name>.sql");
    }

    @Test
    void aDatabaseNewerThanTheMigrationFilesIsRejected(ClickHouseTestServer server) {
        String db = newDbName();
        migrator(server, testOptions(db), migrations()).migrate();
        assertThatThrownBy(() -> migrator(server, testOptions(db), migrations().subList(0, 2))
                        .migrate())
                .isInstanceOf(SchemaMigrationException.class)
                .hasMessageContaining("has migration 3 (rollups) applied, but this build has no V003__*.sql");
    }

    @Test
    void aPendingMigrationOlderThanTheNewestAppliedOneIsRejected(ClickHouseTestServer server) {
        String db = newDbName();
        List<Migration> all = migrations();
        migrator(server, testOptions(db), List.of(all.get(0), all.get(2))).migrate();
        assertThatThrownBy(() -> migrator(server, testOptions(db), all).migrate())
                .isInstanceOf(SchemaMigrationException.class)
                .hasMessageContaining(
                        "V002__flows_dlq.sql is pending but " + db + " already has the newer migration 3");
    }

    @Test
    void upgradingFromV003ToV004KeepsTheData(ClickHouseTestServer server) throws SQLException {
        String db = newDbName();
        List<Migration> all = migrations();
        SchemaMigrator m = migrator(server, testOptions(db), all);
        assertThat(m.migrate(3).applied()).hasSize(3);

        SchemaTestSupport.insertJson(
                server, db, "flows", SchemaTestSupport.resource("fixture-flows.jsonl"), "before-upgrade");
        server.execute(
                db,
                "INSERT INTO flows_dlq (reason, message, payload, payload_encoding, payload_size, kafka_topic,"
                        + " kafka_partition, kafka_offset, processing_time) VALUES ('MALFORMED_JSON', 'bad', '{', 'utf8', 1,"
                        + " 'flows-export', 3, 42, '2026-03-10 10:00:00.000')");
        long flows = server.queryLong(db, "SELECT count() FROM flows");
        long bytes = server.queryLong(db, "SELECT sum(bytes) FROM flows");
        assertThat(flows).isEqualTo(16);
        long rollupFlows = server.queryLong(db, "SELECT sum(flows) FROM rollup_namespace_1m");
        assertThat(rollupFlows).isEqualTo(14);
        // Negative control for V004's view change: before it, a non-IP flow lands in the '' -> '' rollup row.
        SchemaTestSupport.insertJson(server, db, "flows", NON_IP_ROW, "non-ip-before-upgrade");
        assertThat(server.queryLong(db, "SELECT sum(flows) FROM rollup_namespace_1m"))
                .isEqualTo(rollupFlows + 1);

        SchemaMigrator.Result upgrade = m.migrate(4);
        assertThat(upgrade.applied()).extracting(Migration::version).containsExactly(4);
        assertThat(upgrade.alreadyApplied()).isEqualTo(3);

        assertThat(server.queryLong(db, "SELECT count() FROM flows")).isEqualTo(flows + 1);
        assertThat(server.queryLong(db, "SELECT sum(bytes) FROM flows")).isEqualTo(bytes + 42);
        assertThat(server.queryColumn(
                        db,
                        "SELECT concat(reason, ' ', kafka_topic, '-', toString(kafka_partition), '@',"
                                + " toString(kafka_offset)) FROM flows_dlq"))
                .containsExactly("MALFORMED_JSON flows-export-3@42");
        // V004: existing rows read the new column as empty; the rollups keep what they had ...
        assertThat(server.queryLong(db, "SELECT countIf(empty(parse_warnings)) FROM flows"))
                .isEqualTo(flows + 1);
        assertThat(server.queryLong(db, "SELECT sum(flows) FROM rollup_namespace_1m"))
                .isEqualTo(rollupFlows + 1);
        // ... and from now on count IP flows only
        SchemaTestSupport.insertJson(
                server, db, "flows", SchemaTestSupport.resource("fixture-flows.jsonl"), "after-upgrade");
        SchemaTestSupport.insertJson(server, db, "flows", NON_IP_ROW, "non-ip-after-upgrade");
        assertThat(server.queryLong(db, "SELECT count() FROM flows")).isEqualTo(2 * flows + 2);
        for (String rollup : List.of("rollup_namespace_1m", "rollup_workload_1m", "rollup_node_1m", "rollup_zone_1m")) {
            // 14 fixture flows before, the non-IP flow before the upgrade, 14 after; not the non-IP flow after
            assertThat(server.queryLong(db, "SELECT sum(flows) FROM " + rollup))
                    .as(rollup)
                    .isEqualTo(2 * rollupFlows + 1);
        }
        SchemaTestSupport.insertJson(
                server,
                db,
                "flows",
                "{\"time_flow_start_ms\":\"2026-03-10 10:00:00.000\",\"time_flow_end_ms\":"
                        + "\"2026-03-10 10:00:01.000\",\"record_type\":\"flowLog\",\"scope\":\"cross_node\",\"bytes\":1,"
                        + "\"parse_warnings\":[\"Flags:WRONG_TYPE\"]}\n",
                "warning-row");
        assertThat(server.queryColumn(
                        db, "SELECT arrayStringConcat(parse_warnings, ',') FROM flows WHERE notEmpty(parse_warnings)"))
                .containsExactly("Flags:WRONG_TYPE");
    }

    /**
     * V005 on a database that already has rollups: the 5m and 1h tiers start with every row the 1m
     * tier had (backfilled once), follow new inserts through the cascaded views, and running the
     * backfill again adds nothing.
     */
    @Test
    void upgradingToV005BackfillsTheTiersOnce(ClickHouseTestServer server) throws SQLException {
        String db = newDbName();
        List<Migration> all = migrations();
        SchemaMigrator m = migrator(server, testOptions(db), all);
        m.migrate(4);
        SchemaTestSupport.insertJson(
                server, db, "flows", SchemaTestSupport.resource("fixture-flows.jsonl"), "before-tiers");
        String sums = "SELECT sum(flows), sum(bytes), sum(drop_packets) FROM ";
        List<String> before = SchemaTestSupport.query(server, db, sums + "rollup_namespace_1m");
        assertThat(before).containsExactly("14\t119699\t5");

        assertThat(m.migrate(5).applied()).extracting(Migration::version).containsExactly(5);
        for (String rollup : SchemaTables.ROLLUPS) {
            if (rollup.equals("rollup_pod_1m")) {
                continue; // V006
            }
            for (String tier : List.of("5m", "1h")) {
                assertThat(server.queryColumn(
                                db, "SELECT sum(" + valueOf(rollup) + ") FROM " + SchemaTables.tier(rollup, tier)))
                        .as(rollup + " " + tier)
                        .isEqualTo(server.queryColumn(db, "SELECT sum(" + valueOf(rollup) + ") FROM " + rollup));
            }
        }
        assertThat(SchemaTestSupport.query(server, db, sums + "rollup_namespace_1h"))
                .isEqualTo(before);

        // The backfill statements again (a re-run after a failure): the 5m tables are not empty, so nothing is added.
        rerunBackfill(server, db, all.get(4));
        assertThat(SchemaTestSupport.query(server, db, sums + "rollup_namespace_5m"))
                .isEqualTo(before);
        assertThat(SchemaTestSupport.query(server, db, sums + "rollup_namespace_1h"))
                .isEqualTo(before);

        // New inserts reach every tier through the cascade.
        SchemaTestSupport.insertJson(
                server, db, "flows", SchemaTestSupport.resource("fixture-flows.jsonl"), "after-tiers");
        assertThat(SchemaTestSupport.query(server, db, sums + "rollup_namespace_1h"))
                .containsExactly("28\t239398\t10");
        assertThat(SchemaTestSupport.query(server, db, sums + "rollup_namespace_5m"))
                .containsExactly("28\t239398\t10");
    }

    /**
     * A schema with only the 1-hour tier and no pod rollups (apply-schema --rollup-tiers 1h
     * --no-pod-rollups): those tables and their views are not created, the others are, and the
     * 1h tier still equals the 1m tier.
     */
    @Test
    void optionalRollupsAreLeftOutWhenNotChosen(ClickHouseTestServer server) throws SQLException {
        String db = newDbName();
        SchemaOptions options = testOptions(db).withRollupParts(java.util.Set.of("1h"));
        migrator(server, options, migrations()).migrate();
        List<String> tables = server.queryColumn(
                db, "SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE '%rollup%'");
        assertThat(tables).noneMatch(t -> t.endsWith("_5m") || t.contains("rollup_pod"));
        assertThat(tables).contains("rollup_namespace_1m", "rollup_namespace_1h", "mv_rollup_dns_1h");
        assertThat(tables).hasSize(2 * 2 * (SchemaTables.ROLLUPS.size() - 1));
        SchemaTestSupport.insertJson(server, db, "flows", SchemaTestSupport.resource("fixture-flows.jsonl"), "x");
        assertThat(SchemaTestSupport.query(server, db, "SELECT sum(flows), sum(bytes) FROM rollup_namespace_1h"))
                .isEqualTo(
                        SchemaTestSupport.query(server, db, "SELECT sum(flows), sum(bytes) FROM rollup_namespace_1m"));
    }

    /** V006 on a database with flows: the pod tiers start with every pod row flows had, once. */
    @Test
    void upgradingToV006BackfillsThePodTiersFromFlows(ClickHouseTestServer server) throws SQLException {
        String db = newDbName();
        List<Migration> all = migrations();
        SchemaMigrator m = migrator(server, testOptions(db), all);
        m.migrate(5);
        SchemaTestSupport.insertJson(
                server, db, "flows", SchemaTestSupport.resource("fixture-flows.jsonl"), "before-pods");
        assertThat(m.migrate(6).applied()).extracting(Migration::version).containsExactly(6);
        String raw = "SELECT count(), sum(bytes) FROM flows WHERE record_type = 'flowLog' AND NOT duplicate AND"
                + " src_k8s_type = 'Pod'";
        List<String> expected = SchemaTestSupport.query(server, db, raw);
        assertThat(expected).containsExactly("9\t118879");
        for (String tier : SchemaTables.TIERS) {
            assertThat(SchemaTestSupport.query(
                            server,
                            db,
                            "SELECT sum(flows), sum(bytes) FROM rollup_pod_" + tier + " WHERE role = 'src'"))
                    .as(tier)
                    .isEqualTo(expected);
        }
        // the backfill again adds nothing; new inserts go through the views
        rerunBackfill(server, db, all.get(5));
        SchemaTestSupport.insertJson(
                server, db, "flows", SchemaTestSupport.resource("fixture-flows.jsonl"), "after-pods");
        for (String tier : SchemaTables.TIERS) {
            assertThat(SchemaTestSupport.query(
                            server,
                            db,
                            "SELECT sum(flows), sum(bytes) FROM rollup_pod_" + tier + " WHERE role = 'src'"))
                    .as(tier)
                    .containsExactly("18\t237758");
        }
    }

    /**
     * V007 on a database with flows: the rows written before it (raw = the whole message) read back
     * unchanged through the new flows_record view, and raw_keys is empty on them.
     */
    @Test
    void upgradingToV007KeepsTheRowsBeforeItReadableAsRecords(ClickHouseTestServer server) throws SQLException {
        String db = newDbName();
        SchemaMigrator m = migrator(server, testOptions(db), migrations());
        m.migrate(6);
        server.execute(
                db,
                "INSERT INTO flows (time_flow_start_ms, time_flow_end_ms, raw) VALUES"
                        + " (1754040000000, 1754040001000, '{\"TimeFlowStartMs\":1754040000000,\"Future\":[1]}'),"
                        + " (1754040000000, 1754040002000, '')");
        assertThat(m.migrate(7).applied()).extracting(Migration::version).containsExactly(7);
        assertThat(SchemaTestSupport.query(
                        server, db, "SELECT record, raw_keys = '' FROM flows_record ORDER BY time_flow_end_ms"))
                .containsExactly("{\"TimeFlowStartMs\":1754040000000,\"Future\":[1]}\t1", "\t1");
        // and a row with raw_keys rebuilds from its columns (negative control: the alias is not raw)
        server.execute(
                db,
                "INSERT INTO flows (time_flow_start_ms, time_flow_end_ms, bytes, raw_keys) VALUES"
                        + " (1754040000000, 1754040003000, 7, 'Bytes,TimeFlowEndMs')");
        assertThat(SchemaTestSupport.query(server, db, "SELECT record FROM flows_record WHERE raw_keys != ''"))
                .containsExactly("{\"TimeFlowEndMs\":1754040003000,\"Bytes\":7}");
    }

    /**
     * V008 on a database with rows of every kind V007 wrote (whole, key list with residue, key list
     * under none): each reads back through the redefined flows_record exactly as before, and a row
     * with raw_key_bits rebuilds the fields its bits name — bit 0 TimeFlowStartMs, 1 TimeFlowEndMs,
     * 10 Bytes, 101 Duplicate (the bits ColumnRegistryTest pins).
     */
    @Test
    void upgradingToV008KeepsKeyListRowsAndReadsKeyBits(ClickHouseTestServer server) throws SQLException {
        String db = newDbName();
        SchemaMigrator m = migrator(server, testOptions(db), migrations());
        m.migrate(7);
        server.execute(
                db,
                "INSERT INTO flows (time_flow_start_ms, time_flow_end_ms, bytes, dscp, raw, raw_keys) VALUES"
                        + " (1754040000000, 1754040001000, 0, 0, '{\"TimeFlowStartMs\":1754040000000,\"Future\":[1]}', ''),"
                        + " (1754040000000, 1754040002000, 7, 0, '{\"Interface\":\"eth0\"}', 'Bytes,!Interface,Dscp'),"
                        + " (1754040000000, 1754040003000, 9, 0, '', 'TimeFlowEndMs,Bytes')");
        String before = "SELECT record FROM flows_record ORDER BY time_flow_end_ms";
        List<String> v007 = SchemaTestSupport.query(server, db, before);
        assertThat(v007)
                .containsExactly(
                        "{\"TimeFlowStartMs\":1754040000000,\"Future\":[1]}",
                        "{\"Bytes\":7,\"Dscp\":0,\"Interface\":\"eth0\"}",
                        "{\"TimeFlowEndMs\":1754040003000,\"Bytes\":9}");

        assertThat(m.migrate().applied()).extracting(Migration::version).containsExactly(8);
        assertThat(SchemaTestSupport.query(server, db, before)).isEqualTo(v007);
        assertThat(SchemaTestSupport.query(server, db, "SELECT DISTINCT raw_key_bits FROM flows"))
                .containsExactly("0");

        // rows as the job writes them since V008: bits instead of the key list
        server.execute(
                db,
                "INSERT INTO flows (time_flow_start_ms, time_flow_end_ms, bytes, duplicate, raw, raw_key_bits) VALUES"
                        + " (1754040000000, 1754040004000, 5, true, '{\"Interface\":\"eth1\"}',"
                        + " bitOr(bitOr(toUInt128(1), bitShiftLeft(toUInt128(1), 10)), bitShiftLeft(toUInt128(1), 101))),"
                        + " (1754040000000, 1754040005000, 6, false, '', bitShiftLeft(toUInt128(1), 1))");
        assertThat(SchemaTestSupport.query(
                        server,
                        db,
                        "SELECT record FROM flows_record WHERE raw_key_bits != 0 ORDER BY time_flow_end_ms"))
                .containsExactly(
                        "{\"TimeFlowStartMs\":1754040000000,\"Bytes\":5,\"Duplicate\":true,\"Interface\":\"eth1\"}",
                        "{\"TimeFlowEndMs\":1754040005000}");
    }

    /** The column every rollup counts its rows in. */
    private static String valueOf(String rollup) {
        return switch (rollup) {
            case "rollup_dns_1m" -> "responses";
            case "rollup_rtt_1m" -> "samples";
            default -> "flows";
        };
    }

    /** An ARP flow as the job loads it since V004 (no addresses, scope non_ip), 42 bytes. */
    private static final String NON_IP_ROW = "{\"time_flow_start_ms\":\"2026-03-10 10:00:02.000\",\"time_flow_end_ms\":"
            + "\"2026-03-10 10:00:02.000\",\"record_type\":\"flowLog\",\"etype\":2054,\"scope\":\"non_ip\",\"direction\":\"unknown\","
            + "\"bytes\":42,\"packets\":1,\"src_mac\":\"0a:58:0a:81:04:11\",\"dst_mac\":\"0a:58:0a:81:04:01\"}\n";

    @Test
    void applySchemaCommandAppliesOnceThenReportsNothingPending(ClickHouseTestServer server) {
        String db = newDbName();
        String[] args = {
            "--clickhouse.url",
            server.httpUrl(),
            "--clickhouse.database",
            db,
            "--clickhouse.user",
            server.credentials().getProperty("user"),
            "--retention-days",
            "3650",
            "--rollup-retention-days",
            "3650",
            "--migrations",
            SchemaTestSupport.SCHEMA_DIR.toString()
        };
        String password = server.credentials().getProperty("password");

        Output first = run(args, password);
        assertThat(first.code).as(first.err).isZero();
        assertThat(first.out).contains("applying V001__flows.sql", migrations().size() + " migration(s) applied");

        Output second = run(args, password);
        assertThat(second.code).as(second.err).isZero();
        assertThat(second.out)
                .contains(
                        "is up to date", "0 migration(s) applied", migrations().size() + " already applied");
    }

    private record Output(int code, String out, String err) {}

    private static Output run(String[] args, String password) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ApplySchema.run(
                args,
                password,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Output(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A migration's backfill statements run again, as a re-run of the migration after a failure would. */
    private static void rerunBackfill(ClickHouseTestServer server, String db, Migration migration) throws SQLException {
        for (SchemaRenderer.Rendered r : new SchemaRenderer(testOptions(db)).render(migration)) {
            if (r.sql().startsWith("INSERT INTO")) {
                server.execute(db, r.sql());
            }
        }
    }
}
