package io.github.netobservch.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The Grafana dashboards shipped in {@code flink-k8s/grafana/dashboards/}, read as Grafana's
 * dashboard JSON model (https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/view-dashboard-json-model/):
 * panels with {@code targets}, and {@code templating.list} variables.
 */
public final class Dashboards {

    public static final String CLICKHOUSE = "grafana-clickhouse-datasource";
    static final String PROMETHEUS = "prometheus";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One dashboard file. */
    public record Dashboard(Path file, JsonNode json) {
        public String uid() {
            return json.path("uid").asText();
        }

        public List<Panel> panels() {
            List<Panel> out = new ArrayList<>();
            for (JsonNode p : json.path("panels")) {
                out.add(new Panel(this, p));
                for (JsonNode inner : p.path("panels")) { // panels of a collapsed row
                    out.add(new Panel(this, inner));
                }
            }
            return out;
        }

        public List<JsonNode> variables() {
            List<JsonNode> out = new ArrayList<>();
            json.path("templating").path("list").forEach(out::add);
            return out;
        }

        @Override
        public String toString() {
            return file.getFileName().toString();
        }
    }

    /** One panel; {@code type} "row" panels have no targets. */
    public record Panel(Dashboard dashboard, JsonNode json) {
        public String type() {
            return json.path("type").asText();
        }

        public String title() {
            return json.path("title").asText();
        }

        public List<Target> targets() {
            List<Target> out = new ArrayList<>();
            for (JsonNode t : json.path("targets")) {
                out.add(new Target(this, t));
            }
            return out;
        }

        @Override
        public String toString() {
            return dashboard + " / " + title();
        }
    }

    /** One query of a panel. */
    public record Target(Panel panel, JsonNode json) {
        public String refId() {
            return json.path("refId").asText();
        }

        public String datasourceType() {
            JsonNode ds = json.path("datasource");
            return ds.isMissingNode()
                    ? panel.json().path("datasource").path("type").asText()
                    : ds.path("type").asText();
        }

        public boolean clickHouse() {
            return CLICKHOUSE.equals(datasourceType());
        }

        public String sql() {
            return json.path("rawSql").asText();
        }

        public String promql() {
            return json.path("expr").asText();
        }

        /** The plugin's result format: 0 time series, 1 table (sqlutil.FormatQueryOption). */
        public int format() {
            return json.path("format").asInt(-1);
        }

        @Override
        public String toString() {
            return panel + " [" + refId() + "]";
        }
    }

    private Dashboards() {}

    public static Path directory() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            Path d = p.resolve("flink-k8s").resolve("grafana").resolve("dashboards");
            if (Files.isDirectory(d)) {
                return d;
            }
            p = p.getParent();
        }
        throw new IllegalStateException(
                "no flink-k8s/grafana/dashboards above " + Path.of("").toAbsolutePath());
    }

    public static List<Dashboard> load() {
        try (Stream<Path> files = Files.list(directory())) {
            List<Dashboard> out = new ArrayList<>();
            for (Path f :
                    files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                out.add(new Dashboard(f, JSON.readTree(f.toFile())));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<Target> targets(List<Dashboard> dashboards) {
        List<Target> out = new ArrayList<>();
        for (Dashboard d : dashboards) {
            for (Panel p : d.panels()) {
                out.addAll(p.targets());
            }
        }
        return out;
    }
}
