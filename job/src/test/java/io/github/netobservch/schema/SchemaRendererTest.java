package io.github.netobservch.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaRendererTest {

    private static final String TEMPLATE = """
            -- test
            CREATE TABLE IF NOT EXISTS ${db}.${table:t}${on_cluster} (a UInt8, v UInt64)
            ENGINE = ${engine:ReplacingMergeTree(v)} ORDER BY a
            TTL now() + toIntervalDay(${retention_days})
            SETTINGS ${dedup_settings};
            ALTER TABLE ${db}.${table:t}${on_cluster} ADD COLUMN IF NOT EXISTS b UInt8;
            -- @cluster-only
            SYSTEM SYNC REPLICA ${db}.${table:t};
            -- @single-only
            OPTIMIZE TABLE ${db}.${table:t} FINAL;
            """;

    @Test
    void singleNodeRendering() {
        SchemaRenderer r = new SchemaRenderer(SchemaOptions.defaults()
                .withDatabase("nx")
                .withRetention(7, 8, 9)
                .withDedupWindow(500, 60));
        List<String> sql = r.render(Migration.of("V009__t.sql", TEMPLATE)).stream()
                .map(SchemaRenderer.Rendered::sql)
                .toList();
        assertThat(sql)
                .containsExactly(
                        "CREATE TABLE IF NOT EXISTS nx.t (a UInt8, v UInt64)\nENGINE = ReplacingMergeTree(v) ORDER BY a\n"
                                + "TTL now() + toIntervalDay(7)\nSETTINGS non_replicated_deduplication_window = 500",
                        "ALTER TABLE nx.t ADD COLUMN IF NOT EXISTS b UInt8",
                        "OPTIMIZE TABLE nx.t FINAL");
    }

    /** The optional rollups: statements of a part not chosen are left out, the others kept. */
    @Test
    void optionalRollupPartsLeaveTheirStatementsOut() {
        String template = """
                CREATE TABLE ${db}.a_1m (x UInt8) ENGINE = MergeTree ORDER BY x;
                -- @tier-5m
                CREATE TABLE ${db}.a_5m (x UInt8) ENGINE = MergeTree ORDER BY x;
                -- @tier-1h
                CREATE TABLE ${db}.a_1h (x UInt8) ENGINE = MergeTree ORDER BY x;
                -- @pods
                CREATE TABLE ${db}.p_1m (x UInt8) ENGINE = MergeTree ORDER BY x;
                -- @pods
                -- @tier-1h
                CREATE TABLE ${db}.p_1h (x UInt8) ENGINE = MergeTree ORDER BY x;
                """;
        java.util.function.Function<java.util.Set<String>, List<String>> tables = parts -> new SchemaRenderer(
                        SchemaOptions.defaults().withDatabase("nx").withRollupParts(parts))
                .render(Migration.of("V009__t.sql", template)).stream()
                        .map(r -> r.sql().split("\\s+")[2])
                        .toList();
        assertThat(tables.apply(SchemaOptions.ALL_ROLLUP_PARTS))
                .containsExactly("nx.a_1m", "nx.a_5m", "nx.a_1h", "nx.p_1m", "nx.p_1h");
        assertThat(tables.apply(java.util.Set.of("1h"))).containsExactly("nx.a_1m", "nx.a_1h");
        assertThat(tables.apply(java.util.Set.of("pods"))).containsExactly("nx.a_1m", "nx.p_1m");
        assertThat(tables.apply(java.util.Set.of())).containsExactly("nx.a_1m");
        assertThat(ApplySchema.rollupParts("1h", true)).containsExactly("1h");
        assertThat(ApplySchema.rollupParts("none", false)).containsExactly("pods");
        assertThatThrownBy(() -> ApplySchema.rollupParts("15m", false)).hasMessageContaining("--rollup-tiers takes");
        assertThatThrownBy(() -> SchemaOptions.defaults().withRollupParts(java.util.Set.of("1d")))
                .hasMessageContaining("rollup parts must be among");
    }

    @Test
    void clusterRenderingAddsOnClusterReplicationAndDistributedTwins() {
        SchemaRenderer r = new SchemaRenderer(SchemaOptions.defaults()
                .withDatabase("nx")
                .withVariant(SchemaVariant.CLUSTER, "c1")
                .withDedupWindow(500, 60));
        List<String> sql = r.render(Migration.of("V009__t.sql", TEMPLATE)).stream()
                .map(SchemaRenderer.Rendered::sql)
                .toList();
        assertThat(sql)
                .containsExactly(
                        "CREATE TABLE IF NOT EXISTS nx.t_local ON CLUSTER 'c1' (a UInt8, v UInt64)\n"
                                + "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', v) ORDER BY a\n"
                                + "TTL now() + toIntervalDay(30)\n"
                                + "SETTINGS replicated_deduplication_window = 500, replicated_deduplication_window_seconds = 60",
                        "CREATE TABLE IF NOT EXISTS nx.t ON CLUSTER 'c1' AS nx.t_local\nENGINE = Distributed('c1', 'nx', 't_local', rand())",
                        "ALTER TABLE nx.t_local ON CLUSTER 'c1' ADD COLUMN IF NOT EXISTS b UInt8",
                        "ALTER TABLE nx.t ON CLUSTER 'c1' ADD COLUMN IF NOT EXISTS b UInt8",
                        "SYSTEM SYNC REPLICA nx.t_local");
    }

    @Test
    void unknownPlaceholdersAndDirectivesAreErrors() {
        SchemaRenderer r = new SchemaRenderer(SchemaOptions.defaults());
        assertThatThrownBy(() -> r.render(Migration.of("V001__x.sql", "SELECT ${nope};\n")))
                .hasMessageContaining("V001__x.sql line 1: unknown placeholder ${nope}");
        assertThatThrownBy(() -> r.render(Migration.of("V001__x.sql", "-- @typo\nSELECT 1;\n")))
                .hasMessageContaining("unknown directive @typo");
        assertThatThrownBy(() -> r.render(Migration.of("V001__x.sql", "SELECT ${engine:ReplicatedMergeTree};\n")))
                .hasMessageContaining("must name a non-replicated *MergeTree engine");
    }

    @Test
    void optionsAreValidated() {
        assertThatThrownBy(() -> SchemaOptions.defaults().withDatabase("net-observ"))
                .hasMessageContaining("database name");
        assertThatThrownBy(() -> SchemaOptions.defaults().withRetention(0, 1, 1))
                .hasMessageContaining("retention days");
        assertThatThrownBy(() -> SchemaOptions.defaults().withRetention(1, 36500, 1))
                .hasMessageContaining("rollup retention days must be <= 10980");
        assertThatThrownBy(() -> SchemaOptions.defaults().withVariant(SchemaVariant.CLUSTER, "x'y"))
                .hasMessageContaining("cluster name");
    }

    @Test
    void checksumIgnoresLineEndingsAndFileNamesAreChecked() {
        assertThat(Migration.of("V001__a.sql", "SELECT 1;\r\n").checksum())
                .isEqualTo(Migration.of("V001__a.sql", "SELECT 1;\n").checksum());
        assertThatThrownBy(() -> Migration.of("001_a.sql", "")).hasMessageContaining("does not match V<n>__<name>.sql");
    }

    @Test
    void migrationsLoadInVersionOrderAndDuplicateVersionsAreRejected(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("V010__b.sql"), "SELECT 2;\n");
        Files.writeString(dir.resolve("V2__a.sql"), "SELECT 1;\n");
        Files.writeString(dir.resolve("README.md"), "ignored");
        assertThat(Migration.loadDirectory(dir)).extracting(Migration::version).containsExactly(2, 10);
        Files.writeString(dir.resolve("V002__c.sql"), "SELECT 3;\n");
        assertThatThrownBy(() -> Migration.loadDirectory(dir)).hasMessageContaining("two migrations with version 2");
    }

    @Test
    void dryRunPrintsTheRenderedSqlWithoutAServer(@TempDir Path tmp) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ApplySchema.run(
                new String[] {
                    "--dry-run",
                    "--clickhouse.database",
                    "nx",
                    "--retention-days",
                    "14",
                    "--migrations",
                    SchemaTestSupport.SCHEMA_DIR.toString()
                },
                null,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        String sql = out.toString(StandardCharsets.UTF_8);
        assertThat(sql)
                .contains(
                        "CREATE DATABASE IF NOT EXISTS nx;",
                        "CREATE TABLE IF NOT EXISTS nx.flows\n",
                        "TTL toDate(time_flow_end_ms) + toIntervalDay(14)",
                        "CREATE MATERIALIZED VIEW IF NOT EXISTS nx.mv_rollup_dns_1m")
                .doesNotContain("${");

        Path pw = tmp.resolve("pw");
        Files.writeString(pw, "s3cret\nignored\n");
        assertThat(ApplySchema.password(pw.toString(), "env")).isEqualTo("s3cret");
        assertThat(ApplySchema.password(null, "env")).isEqualTo("env");
        assertThat(ApplySchema.password(null, null)).isEmpty();

        ByteArrayOutputStream err2 = new ByteArrayOutputStream();
        PrintStream e2 = new PrintStream(err2, true, StandardCharsets.UTF_8);
        assertThat(ApplySchema.run(new String[] {"--clickhouse.password", "x"}, null, System.out, e2))
                .isEqualTo(2);
        assertThat(ApplySchema.run(new String[] {"--cluster", "c"}, null, System.out, e2))
                .isEqualTo(2);
        assertThat(ApplySchema.run(
                        new String[] {"--migrations", SchemaTestSupport.SCHEMA_DIR.toString()}, null, System.out, e2))
                .isEqualTo(2);
        assertThat(err2.toString(StandardCharsets.UTF_8))
                .contains(
                        "passwords are not taken on the command line",
                        "--cluster needs --variant cluster",
                        "--clickhouse.url is required");
    }
}
