package io.github.netobservch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.rows.DeadLetterRowEncoder;
import io.github.netobservch.rows.FlowRowEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The GRANT statements the deployment docs prescribe for the job's ClickHouse user name exactly the
 * columns the sink's presence probes read: a probe column missing from the docs would make every
 * restore fail with ACCESS_DENIED for a user who followed them.
 */
class SinkGrantsDocTest {

    private static List<String> probeColumns(String predicate) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?:^|\\bAND\\s+)([a-z0-9_]+)\\s*=").matcher(predicate);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static List<String> grantedColumns(String readme, String table) {
        Matcher m = Pattern.compile("GRANT SELECT\\(([^)]*)\\)\\s+ON netobserv\\." + table + " TO netobserv_writer")
                .matcher(readme);
        assertThat(m.find())
                .as("a GRANT SELECT(...) ON netobserv." + table + " in flink-k8s/README.md")
                .isTrue();
        List<String> out = new ArrayList<>();
        for (String c : m.group(1).split(",")) {
            out.add(c.trim());
        }
        return out;
    }

    @Test
    void theDocumentedSelectGrantsCoverThePresenceProbes() throws Exception {
        String readme =
                Files.readString(Path.of("..", "flink-k8s", "README.md")).replaceAll("\\s+", " ");
        assertThat(grantedColumns(readme, "flows"))
                .containsExactlyInAnyOrderElementsOf(
                        probeColumns(new FlowRowEncoder().probeShape().predicate()));
        assertThat(grantedColumns(readme, "flows_dlq"))
                .containsExactlyInAnyOrderElementsOf(
                        probeColumns(new DeadLetterRowEncoder().probeShape().predicate()));
        assertThat(readme)
                .contains(
                        "GRANT INSERT ON netobserv.flows TO netobserv_writer",
                        "GRANT INSERT ON netobserv.flows_dlq TO netobserv_writer");
    }
}
