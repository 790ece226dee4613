package io.github.netobservch;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.netobservch.config.ConfigLoader;
import io.github.netobservch.config.JobConfig;
import io.github.netobservch.schema.Migration;
import io.github.netobservch.schema.SchemaMigrator;
import io.github.netobservch.schema.SchemaOptions;
import io.github.netobservch.sink.ClickHousePreflightException;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import java.net.ServerSocket;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A ClickHouse schema that cannot work is found before the job is submitted: {@code main} stops
 * with the preflight's message and no job runs. When ClickHouse cannot be reached from the
 * submitting process, submission goes on and the sinks check again when they start.
 */
@org.junit.jupiter.api.Timeout(300)
@ExtendWith(EmbeddedClickHouseExtension.class)
class FlowsJobPreflightITCase {

    @Test
    void mainStopsBeforeSubmittingWhenTheTablesAreMissing(ClickHouseTestServer clickhouse) throws Exception {
        String db = clickhouse.createDatabase("presubmit_missing");
        assertThatThrownBy(() -> FlowsJob.main(args(clickhouse.httpUrl(), db)))
                .isInstanceOf(ClickHousePreflightException.class)
                .hasMessageContaining(db + ".flows")
                .hasMessageContaining("does not exist");
    }

    @Test
    void mainStopsBeforeSubmittingWhenAColumnHasTheWrongType(ClickHouseTestServer clickhouse) throws Exception {
        String db = clickhouse.createDatabase("presubmit_type");
        migrate(clickhouse, db);
        clickhouse.execute(db, "ALTER TABLE flows MODIFY COLUMN packets String");
        assertThatThrownBy(() -> FlowsJob.main(args(clickhouse.httpUrl(), db)))
                .isInstanceOf(ClickHousePreflightException.class)
                .hasMessageContaining("packets");
    }

    @Test
    void theProjectSchemaPassesTheCheck(ClickHouseTestServer clickhouse) throws Exception {
        String db = clickhouse.createDatabase("presubmit_ok");
        migrate(clickhouse, db);
        assertThatCode(() -> FlowsJob.checkTargetsBeforeSubmit(sinks(clickhouse.httpUrl(), db)))
                .doesNotThrowAnyException();
    }

    @Test
    void anUnreachableServerDoesNotBlockSubmission() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort;
        assertThatCode(() -> FlowsJob.checkTargetsBeforeSubmit(sinks(url, "netobserv")))
                .doesNotThrowAnyException();
    }

    private static void migrate(ClickHouseTestServer clickhouse, String db) {
        new SchemaMigrator(
                        () -> clickhouse.connect("default"),
                        SchemaOptions.defaults().withDatabase(db),
                        Migration.loadDirectory(Migration.locateSchemaDirectory(null)))
                .migrate();
    }

    private static io.github.netobservch.pipeline.FlowPipeline.Sinks sinks(String url, String db) {
        JobConfig config = ConfigLoader.load(args(url, db), Map.of());
        StreamExecutionEnvironment env = FlowsJob.environment(config);
        return FlowsJob.sinks(config, env);
    }

    private static String[] args(String url, String db) {
        return new String[] {
            "--kafka.bootstrap-servers", "127.0.0.1:9",
            "--clickhouse.url", url,
            "--clickhouse.database", db
        };
    }
}
