package io.github.netobservch.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Each misconfiguration produces a message naming the problem and the fix. */
@ExtendWith(EmbeddedClickHouseExtension.class)
class ClickHousePreflightTest {

    private static final String COLUMNS = "(seq UInt64, bytes UInt64, day Date)";

    private ClickHouseTestServer clickhouse;
    private String db;

    @BeforeEach
    void setUp(ClickHouseTestServer server) throws Exception {
        clickhouse = server;
        db = server.createDatabase("preflight");
    }

    private ClickHouseSinkOptions.Builder options(String table) {
        return ClickHouseSinkOptions.builder()
                .url(clickhouse.httpUrl())
                .database(db)
                .table(table);
    }

    private static RowEncoder<Object> encoder(List<String> columns, Map<String, String> types) {
        return new RowEncoder<>() {
            @Override
            public List<String> columns() {
                return columns;
            }

            @Override
            public String partitionKey(Object record) {
                return "";
            }

            @Override
            public void encode(Object record, RowBinaryWriter out) {}

            @Override
            public Map<String, String> columnTypes() {
                return types;
            }
        };
    }

    private static final RowEncoder<Object> SEQ_BYTES_DAY =
            encoder(List.of("seq", "bytes", "day"), Map.of("seq", "UInt64", "day", "Date"));

    @Test
    void acceptsADeduplicatingMergeTreeAndReportsTheServer() throws Exception {
        clickhouse.execute(
                db,
                "CREATE TABLE ok " + COLUMNS + " ENGINE = MergeTree PARTITION BY day ORDER BY seq"
                        + " SETTINGS non_replicated_deduplication_window = 10000");
        ClickHousePreflight.Report report = ClickHousePreflight.check(
                options("ok")
                        .deduplicationRequirements(Duration.ofSeconds(30), Duration.ofHours(1), 4, 2)
                        .build(),
                SEQ_BYTES_DAY);
        assertThat(report.serverVersion()).matches("\\d+\\.\\d+.*");
        assertThat(report.engine()).isEqualTo("MergeTree");
        assertThat(report.windowSetting()).isEqualTo("non_replicated_deduplication_window");
        assertThat(report.window()).isEqualTo(10000);
        assertThat(report.partitionKey()).isEqualTo("day");
    }

    @Test
    void missingDatabaseAndTable() {
        assertThatThrownBy(() -> ClickHousePreflight.check(options("absent").build(), SEQ_BYTES_DAY))
                .isInstanceOf(ClickHousePreflightException.class)
                .hasMessageContaining("table " + db + ".absent does not exist");
        assertThatThrownBy(() -> ClickHousePreflight.check(
                        options("absent").database("no_such_db_x").build(), SEQ_BYTES_DAY))
                .hasMessageContaining("database no_such_db_x does not exist");
    }

    @Test
    void missingColumnsWrongTypesAndMaterializedColumns() throws Exception {
        clickhouse.execute(
                db,
                "CREATE TABLE cols (seq UInt32, day Date, m UInt8 MATERIALIZED 1) ENGINE = MergeTree"
                        + " ORDER BY seq SETTINGS non_replicated_deduplication_window = 100");
        RowEncoder<Object> enc = encoder(List.of("seq", "bytes", "packets", "day", "m"), Map.of("seq", "UInt64"));
        assertThatThrownBy(() -> ClickHousePreflight.check(options("cols").build(), enc))
                .isInstanceOf(ClickHousePreflightException.class)
                .hasMessageContaining(db + ".cols has no columns bytes, packets (table columns: seq, day, m)")
                .hasMessageContaining("column seq of " + db + ".cols has type UInt32, the encoder writes UInt64")
                .hasMessageContaining("column m of " + db + ".cols is MATERIALIZED and cannot be inserted")
                .satisfies(e -> assertThat(((ClickHousePreflightException) e).problems())
                        .hasSize(3));
    }

    @Test
    void typesCompareWithoutWhitespace() throws Exception {
        clickhouse.execute(
                db,
                "CREATE TABLE ts_t (ts DateTime64(3, 'UTC')) ENGINE = MergeTree ORDER BY ts"
                        + " SETTINGS non_replicated_deduplication_window = 100");
        ClickHousePreflight.Report report = ClickHousePreflight.check(
                options("ts_t").build(), encoder(List.of("ts"), Map.of("ts", "DateTime64(3,'UTC')")));
        assertThat(report.engine()).isEqualTo("MergeTree");
        // negative control: a type that differs beyond whitespace is reported
        assertThatThrownBy(() -> ClickHousePreflight.check(
                        options("ts_t").build(), encoder(List.of("ts"), Map.of("ts", "DateTime64(6,'UTC')"))))
                .hasMessageContaining("column ts of " + db
                        + ".ts_t has type DateTime64(3, 'UTC'), the encoder writes DateTime64(6,'UTC')");
    }

    @Test
    void mergeTreeWithoutDeduplicationWindow() throws Exception {
        clickhouse.execute(db, "CREATE TABLE nodedup " + COLUMNS + " ENGINE = MergeTree ORDER BY seq");
        assertThatThrownBy(() -> ClickHousePreflight.check(options("nodedup").build(), SEQ_BYTES_DAY))
                .hasMessageContaining(db + ".nodedup (MergeTree) keeps no insert-deduplication log:"
                        + " non_replicated_deduplication_window = 0; run ALTER TABLE " + db + ".nodedup MODIFY SETTING"
                        + " non_replicated_deduplication_window = 1000");
        // At-least-once does not need the log.
        ClickHousePreflight.check(
                options("nodedup").deliveryMode(DeliveryGuarantee.AT_LEAST_ONCE).build(), SEQ_BYTES_DAY);
    }

    @Test
    void windowTooSmallForTheConfiguredOutage() throws Exception {
        clickhouse.execute(
                db,
                "CREATE TABLE small " + COLUMNS + " ENGINE = MergeTree ORDER BY seq"
                        + " SETTINGS non_replicated_deduplication_window = 100");
        // 4 subtasks x 2 partitions x (3600 s / 30 s = 120 checkpoints) = 960 inserts.
        assertThatThrownBy(() -> ClickHousePreflight.check(
                        options("small")
                                .deduplicationRequirements(Duration.ofSeconds(30), Duration.ofHours(1), 4, 2)
                                .build(),
                        SEQ_BYTES_DAY))
                .hasMessageContaining(db + ".small has non_replicated_deduplication_window = 100, below the 960"
                        + " INSERTs the sink may need to recognise")
                .hasMessageContaining("MODIFY SETTING non_replicated_deduplication_window = 960");
    }

    @Test
    void enginesWithoutDeduplication() throws Exception {
        clickhouse.execute(db, "CREATE TABLE mem " + COLUMNS + " ENGINE = Memory");
        assertThatThrownBy(() -> ClickHousePreflight.check(options("mem").build(), SEQ_BYTES_DAY))
                .hasMessageContaining("engine Memory of " + db + ".mem cannot deduplicate inserts");
    }

    @Test
    void settingsAreReadFromEngineFull() {
        String engineFull = "MergeTree PARTITION BY day ORDER BY seq SETTINGS index_granularity = 8192,"
                + " non_replicated_deduplication_window = 10000";
        assertThat(ClickHousePreflight.settingFromEngineFull(engineFull, "non_replicated_deduplication_window"))
                .isEqualTo(10000L);
        assertThat(ClickHousePreflight.settingFromEngineFull(engineFull, "replicated_deduplication_window"))
                .isNull();
        assertThat(ClickHousePreflight.settingFromEngineFull("MergeTree ORDER BY seq", "x"))
                .isNull();
    }

    /** A view whose target keeps no deduplication log would count a re-committed batch twice. */
    @Test
    void everyMaterializedViewTargetMustDeduplicate() throws Exception {
        clickhouse.execute(
                db,
                "CREATE TABLE src " + COLUMNS + " ENGINE = MergeTree ORDER BY seq"
                        + " SETTINGS non_replicated_deduplication_window = 1000");
        clickhouse.execute(db, "CREATE TABLE sums (day Date, bytes UInt64) ENGINE = SummingMergeTree ORDER BY day");
        clickhouse.execute(
                db,
                "CREATE MATERIALIZED VIEW mv_sums TO " + db + ".sums AS SELECT day, sum(bytes) AS bytes" + " FROM " + db
                        + ".src GROUP BY day");
        assertThatThrownBy(() -> ClickHousePreflight.check(options("src").build(), SEQ_BYTES_DAY))
                .isInstanceOf(ClickHousePreflightException.class)
                .hasMessageContaining(
                        "materialized view " + db + ".mv_sums writes to " + db + ".sums (SummingMergeTree) with"
                                + " non_replicated_deduplication_window = 0, so it keeps no insert-deduplication log")
                .hasMessageContaining(
                        "ALTER TABLE " + db + ".sums MODIFY SETTING non_replicated_deduplication_window = 1000");
        // at-least-once promises nothing about re-commits
        ClickHousePreflight.check(
                options("src").deliveryMode(DeliveryGuarantee.AT_LEAST_ONCE).build(), SEQ_BYTES_DAY);
        // negative control: the same view with a deduplicating target passes
        clickhouse.execute(db, "ALTER TABLE sums MODIFY SETTING non_replicated_deduplication_window = 1000");
        assertThat(ClickHousePreflight.check(options("src").build(), SEQ_BYTES_DAY)
                        .engine())
                .isEqualTo("MergeTree");
    }

    /**
     * A view whose target lives in another database (the preflight reads each database's tables once):
     * that target is checked too, and a target that does not exist is named.
     */
    @Test
    void viewTargetsInAnotherDatabaseAreChecked() throws Exception {
        String other = db + "_rollups";
        clickhouse.execute(db, "CREATE DATABASE " + other);
        clickhouse.execute(
                db,
                "CREATE TABLE src3 " + COLUMNS + " ENGINE = MergeTree ORDER BY seq"
                        + " SETTINGS non_replicated_deduplication_window = 1000");
        clickhouse.execute(
                db, "CREATE TABLE " + other + ".sums3 (day Date, bytes UInt64) ENGINE = SummingMergeTree ORDER BY day");
        clickhouse.execute(
                db,
                "CREATE MATERIALIZED VIEW mv_sums3 TO " + other + ".sums3 AS SELECT day, sum(bytes) AS bytes FROM " + db
                        + ".src3 GROUP BY day");
        assertThatThrownBy(() -> ClickHousePreflight.check(options("src3").build(), SEQ_BYTES_DAY))
                .isInstanceOf(ClickHousePreflightException.class)
                .hasMessageContaining("materialized view " + db + ".mv_sums3 writes to " + other
                        + ".sums3 (SummingMergeTree) with non_replicated_deduplication_window = 0");
        clickhouse.execute(db, "DROP TABLE " + other + ".sums3");
        assertThatThrownBy(() -> ClickHousePreflight.check(options("src3").build(), SEQ_BYTES_DAY))
                .isInstanceOf(ClickHousePreflightException.class)
                .hasMessageContaining(
                        "materialized view " + db + ".mv_sums3 writes to " + other + ".sums3, which does not exist");
        // negative control: a deduplicating target there passes
        clickhouse.execute(
                db,
                "CREATE TABLE " + other + ".sums3 (day Date, bytes UInt64) ENGINE = SummingMergeTree ORDER BY day"
                        + " SETTINGS non_replicated_deduplication_window = 1000");
        assertThat(ClickHousePreflight.check(options("src3").build(), SEQ_BYTES_DAY)
                        .engine())
                .isEqualTo("MergeTree");
    }

    /**
     * A view on a view's target (the 5m tier on the 1m tier) receives the re-committed batch too:
     * its target needs a log as well, however deep in the chain.
     */
    @Test
    void viewsOnViewTargetsMustDeduplicateToo() throws Exception {
        clickhouse.execute(
                db,
                "CREATE TABLE src2 " + COLUMNS + " ENGINE = MergeTree ORDER BY seq"
                        + " SETTINGS non_replicated_deduplication_window = 1000");
        clickhouse.execute(
                db,
                "CREATE TABLE daily (day Date, bytes UInt64) ENGINE = SummingMergeTree ORDER BY day"
                        + " SETTINGS non_replicated_deduplication_window = 1000");
        clickhouse.execute(
                db, "CREATE TABLE monthly (month Date, bytes UInt64) ENGINE = SummingMergeTree ORDER BY month");
        clickhouse.execute(
                db,
                "CREATE MATERIALIZED VIEW mv_daily TO " + db + ".daily AS SELECT day, sum(bytes) AS bytes FROM " + db
                        + ".src2 GROUP BY day");
        clickhouse.execute(
                db,
                "CREATE MATERIALIZED VIEW mv_monthly TO " + db + ".monthly AS SELECT toStartOfMonth(day) AS month,"
                        + " sum(bytes) AS bytes FROM " + db + ".daily GROUP BY month");
        assertThatThrownBy(() -> ClickHousePreflight.check(options("src2").build(), SEQ_BYTES_DAY))
                .isInstanceOf(ClickHousePreflightException.class)
                .hasMessageContaining(
                        "materialized view " + db + ".mv_monthly writes to " + db + ".monthly (SummingMergeTree)")
                .hasMessageNotContaining("mv_daily");
        // negative control: once the second-level target keeps a log too, the chain passes
        clickhouse.execute(db, "ALTER TABLE monthly MODIFY SETTING non_replicated_deduplication_window = 1000");
        assertThat(ClickHousePreflight.check(options("src2").build(), SEQ_BYTES_DAY)
                        .engine())
                .isEqualTo("MergeTree");
    }

    @Test
    void olderServersAreRefused() {
        assertThat(ClickHousePreflight.atLeast("26.7.2.1", ClickHousePreflight.MIN_SERVER_VERSION))
                .isTrue();
        assertThat(ClickHousePreflight.atLeast("24.8.14.39", ClickHousePreflight.MIN_SERVER_VERSION))
                .isTrue();
        assertThat(ClickHousePreflight.atLeast("25.3.1.1", ClickHousePreflight.MIN_SERVER_VERSION))
                .isTrue();
        assertThat(ClickHousePreflight.atLeast("24.3.18.7", ClickHousePreflight.MIN_SERVER_VERSION))
                .isFalse();
        assertThat(ClickHousePreflight.atLeast("23.12.1.1", ClickHousePreflight.MIN_SERVER_VERSION))
                .isFalse();
        assertThat(ClickHousePreflight.atLeast("1.1.54390", ClickHousePreflight.MIN_SERVER_VERSION))
                .isFalse();
    }

    /** The commit INSERTs ask for deduplication in dependent views themselves (servers before 26.2 default to 0). */
    @Test
    void commitInsertsDeduplicateInDependentViews() {
        Map<String, String> withToken =
                serverSettings(ClickHouseInserter.settings("flows-abc").getAllSettings());
        assertThat(withToken)
                .containsEntry(ClickHouseInserter.MV_DEDUP, "1")
                .containsEntry("insert_deduplicate", "1")
                .containsEntry("async_insert", "0");
        // the test-only no-token control sends no such setting
        assertThat(serverSettings(ClickHouseInserter.settings(null).getAllSettings()))
                .doesNotContainKey(ClickHouseInserter.MV_DEDUP)
                .containsEntry("insert_deduplicate", "0");
    }

    /** client-v2 keeps server settings under a prefix. */
    private static Map<String, String> serverSettings(Map<String, Object> all) {
        Map<String, String> out = new java.util.HashMap<>();
        all.forEach((k, v) -> {
            for (String name : List.of(ClickHouseInserter.MV_DEDUP, "insert_deduplicate", "async_insert")) {
                if (k.equals(name) || k.endsWith("_" + name)) {
                    out.put(name, String.valueOf(v));
                }
            }
        });
        return out;
    }
}
