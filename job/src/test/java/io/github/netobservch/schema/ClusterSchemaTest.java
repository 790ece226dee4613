package io.github.netobservch.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cluster variant, rendered from the same migration files. The embedded engine has no Keeper,
 * {@code ON CLUSTER} or remote {@code Distributed}, so this checks structure and that every
 * statement parses ({@code EXPLAIN AST}); it cannot execute them.
 *
 * <p>{@code sql/cluster/schema.sql} is the committed rendering with default options; the test fails
 * when it is stale and rewrites it with {@code -Dschema.cluster.write=true}.
 */
@ExtendWith(EmbeddedClickHouseExtension.class)
class ClusterSchemaTest {

    static final Path COMMITTED = SchemaTestSupport.SQL_DIR.resolve("cluster").resolve("schema.sql");

    private static SchemaRenderer renderer() {
        return new SchemaRenderer(
                SchemaOptions.defaults().withVariant(SchemaVariant.CLUSTER, SchemaOptions.DEFAULT_CLUSTER));
    }

    private static List<String> statements() {
        SchemaRenderer r = renderer();
        List<String> out = new ArrayList<>();
        r.bootstrap().forEach(x -> out.add(x.sql()));
        for (Migration m : SchemaTestSupport.migrations()) {
            r.render(m).forEach(x -> out.add(x.sql()));
        }
        return out;
    }

    @Test
    void everyStatementRunsOnClusterAndEveryTableIsReplicatedWithADistributedTwin() {
        List<String> sql = statements();
        List<String> localTables = new ArrayList<>();
        List<String> distributed = new ArrayList<>();
        for (String s : sql) {
            if (s.startsWith("INSERT INTO")) {
                // V005's one-off backfill: from one node, through the Distributed tables
                assertThat(s).as(s).doesNotContain("_local").contains("FROM netobserv.rollup_");
                continue;
            }
            assertThat(s).as(s).contains(" ON CLUSTER '{cluster}'");
            if (s.startsWith("CREATE TABLE")) {
                String name = s.split("\\s+")[5];
                if (s.contains("ENGINE = Distributed(")) {
                    distributed.add(name);
                    String table = name.substring("netobserv.".length());
                    assertThat(s)
                            .contains(
                                    "AS netobserv." + table + "_local",
                                    "Distributed('{cluster}', 'netobserv', '" + table + "_local', rand())");
                } else {
                    assertThat(s)
                            .as(name)
                            .containsPattern("ENGINE = Replicated(Replacing|Summing|Aggregating)?MergeTree\\(");
                    if (!name.endsWith(".schema_migrations")) {
                        localTables.add(name);
                        assertThat(s)
                                .as(name)
                                .contains("'/clickhouse/tables/{shard}/{database}/{table}', '{replica}'")
                                .contains(
                                        "replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800")
                                .doesNotContain("non_replicated_deduplication_window");
                    }
                }
            }
            if (s.startsWith("CREATE MATERIALIZED VIEW")) {
                assertThat(s)
                        .containsPattern("TO netobserv\\.rollup_\\w+_local\\b")
                        .contains("FROM netobserv.flows_local");
            }
        }
        assertThat(localTables).allMatch(n -> n.endsWith("_local"));
        assertThat(distributed)
                .containsExactlyInAnyOrderElementsOf(localTables.stream()
                        .map(n -> n.substring(0, n.length() - "_local".length()))
                        .toList());
        List<String> expected = new ArrayList<>(List.of("netobserv.flows", "netobserv.flows_dlq"));
        SchemaTables.ROLLUP_TIERS.forEach(r -> expected.add("netobserv." + r));
        assertThat(distributed).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void everyClusterStatementParses(ClickHouseTestServer server) throws SQLException {
        try (Connection c = server.connect("default");
                Statement s = c.createStatement()) {
            for (String sql : statements()) {
                try {
                    s.executeQuery("EXPLAIN AST " + sql).close();
                } catch (SQLException e) {
                    throw new AssertionError("does not parse: " + e.getMessage() + "\n" + sql, e);
                }
            }
        }
    }

    @Test
    void aNamedClusterReplacesTheMacro() {
        SchemaRenderer r =
                new SchemaRenderer(SchemaOptions.defaults().withVariant(SchemaVariant.CLUSTER, "flows_cluster"));
        String script = r.renderScript(SchemaTestSupport.migrations());
        assertThat(script)
                .contains(
                        "ON CLUSTER 'flows_cluster'",
                        "Distributed('flows_cluster', 'netobserv', 'flows_local', rand())")
                .doesNotContain("'{cluster}'");
    }

    @Test
    void committedClusterRenderingIsUpToDate() throws IOException {
        String rendered = renderer().renderScript(SchemaTestSupport.migrations());
        if (Boolean.getBoolean("schema.cluster.write")) {
            Files.createDirectories(COMMITTED.getParent());
            Files.writeString(COMMITTED, rendered, StandardCharsets.UTF_8);
        }
        assertThat(Files.exists(COMMITTED))
                .as(COMMITTED + " is missing; run with -Dschema.cluster.write=true")
                .isTrue();
        assertThat(Files.readString(COMMITTED, StandardCharsets.UTF_8))
                .as(
                        COMMITTED
                                + " is stale; regenerate with: mvn -pl job test -Dtest=ClusterSchemaTest -Dschema.cluster.write=true")
                .isEqualTo(rendered);
    }
}
