package io.github.netobservch.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.netobservch.dashboards.Dashboards.Dashboard;
import io.github.netobservch.dashboards.Dashboards.Panel;
import io.github.netobservch.dashboards.Dashboards.Target;
import io.github.netobservch.testing.PromQl;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Structural checks of a dashboard against Grafana's dashboard JSON model
 * (https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/view-dashboard-json-model/:
 * {@code uid}, {@code title}, {@code schemaVersion}, {@code templating.list}, {@code panels} with
 * {@code id}, {@code type}, {@code gridPos} on the 24-column grid and {@code targets} with unique
 * {@code refId}s) and the plugin's query model (a SQL target has {@code editorType: sql}, {@code
 * rawSql} and {@code format} 0 = time series or 1 = table, with the matching {@code queryType}); plus
 * the project's rules: every panel described, every data source chosen through a data-source
 * variable, every SQL variable reference expandable by {@link GrafanaSql} (quoted, defined, All only
 * inside {@code $__conditionalAll}), node graphs with a {@code nodes} and an {@code edges} query
 * (Grafana's node graph picks frames by those refIds), known units. Returns the problems found.
 */
final class DashboardRules {

    static final Set<String> PANEL_TYPES = Set.of("row", "timeseries", "table", "stat", "nodeGraph");
    /** Grafana unit ids the dashboards use (Grafana's valueFormats: data, data rate, throughput, time, misc). */
    static final Set<String> UNITS = Set.of("bytes", "Bps", "pps", "short", "ms", "s", "rps", "reqps", "none");

    private static final Pattern DS_VAR = Pattern.compile("\\$\\{(\\w+)}");
    private static final Pattern PROM_VAR = Pattern.compile("\\$(?!__)(\\w+)");
    private static final GrafanaSql.Range ANY_RANGE = new GrafanaSql.Range(
            Instant.parse("2026-03-09T00:00:00Z"), Instant.parse("2026-03-10T00:00:00Z"), Duration.ofMinutes(1));

    private DashboardRules() {}

    static List<String> check(Dashboard d) {
        List<String> problems = new ArrayList<>();
        JsonNode j = d.json();
        require(problems, j.path("uid").asText().matches("[A-Za-z0-9_-]{1,40}"), d + ": uid");
        require(problems, !j.path("title").asText().isBlank(), d + ": title");
        require(problems, j.path("schemaVersion").asInt() >= 36, d + ": schemaVersion >= 36");
        require(
                problems,
                j.path("time").path("from").isTextual()
                        && j.path("time").path("to").isTextual(),
                d + ": time");
        require(problems, j.path("templating").path("list").isArray(), d + ": templating.list");

        Map<String, JsonNode> vars = new HashMap<>();
        for (JsonNode v : d.variables()) {
            String name = v.path("name").asText();
            require(problems, name.matches("\\w+") && vars.put(name, v) == null, d + ": variable name " + name);
            String type = v.path("type").asText();
            require(
                    problems,
                    Set.of("datasource", "query", "custom", "textbox").contains(type),
                    d + ": $" + name + " type " + type);
            if (type.equals("datasource")) {
                require(
                        problems,
                        Set.of(Dashboards.CLICKHOUSE, Dashboards.PROMETHEUS)
                                .contains(v.path("query").asText()),
                        d + ": $" + name + " data-source type");
            }
            if (type.equals("custom")) {
                List<String> listed = new ArrayList<>();
                for (JsonNode o : v.path("options")) {
                    if (!o.path("value").asText().equals(GrafanaSql.ALL)) {
                        listed.add(o.path("value").asText());
                    }
                }
                require(
                        problems,
                        String.join(",", listed).equals(v.path("query").asText()),
                        d + ": $" + name + " options = query");
            }
        }
        for (JsonNode v : d.variables()) {
            if (v.path("type").asText().equals("query")) {
                String dsType =
                        dataSourceOf(problems, d + ": $" + v.path("name").asText(), v.path("datasource"), vars);
                if (Dashboards.CLICKHOUSE.equals(dsType)) {
                    String sql = v.path("query").path("rawSql").asText();
                    require(
                            problems,
                            !sql.isBlank()
                                    && "sql"
                                            .equals(v.path("query")
                                                    .path("editorType")
                                                    .asText()),
                            d + ": $" + v.path("name").asText() + " SQL query");
                    expands(problems, d + ": $" + v.path("name").asText(), sql, vars);
                }
            }
        }

        Set<Integer> ids = new HashSet<>();
        List<int[]> boxes = new ArrayList<>();
        List<String> boxNames = new ArrayList<>();
        for (Panel p : d.panels()) {
            JsonNode pj = p.json();
            require(problems, ids.add(pj.path("id").asInt(-1)) && pj.path("id").asInt(-1) > 0, p + ": unique id");
            require(problems, PANEL_TYPES.contains(p.type()), p + ": panel type " + p.type());
            JsonNode g = pj.path("gridPos");
            int x = g.path("x").asInt(-1),
                    y = g.path("y").asInt(-1),
                    w = g.path("w").asInt(-1),
                    h = g.path("h").asInt(-1);
            require(
                    problems,
                    x >= 0 && y >= 0 && w >= 1 && h >= 1 && x + w <= 24,
                    p + ": gridPos on the 24-column grid");
            for (int i = 0; i < boxes.size(); i++) {
                int[] b = boxes.get(i);
                boolean overlap = x < b[0] + b[2] && b[0] < x + w && y < b[1] + b[3] && b[1] < y + h;
                require(problems, !overlap, p + ": overlaps " + boxNames.get(i));
            }
            boxes.add(new int[] {x, y, w, h});
            boxNames.add(p.title());
            if (p.type().equals("row")) {
                require(problems, w == 24 && h == 1, p + ": a row spans the grid");
                continue;
            }
            require(
                    problems,
                    !p.title().isBlank() && !pj.path("description").asText().isBlank(),
                    p + ": title and description");
            String panelDs = dataSourceOf(problems, p.toString(), pj.path("datasource"), vars);
            List<Target> targets = p.targets();
            require(problems, !targets.isEmpty(), p + ": has queries");
            Set<String> refIds = new HashSet<>();
            for (Target t : targets) {
                require(problems, !t.refId().isBlank() && refIds.add(t.refId()), t + ": unique refId");
                String dsType = dataSourceOf(problems, t.toString(), t.json().path("datasource"), vars);
                require(problems, dsType == null || dsType.equals(panelDs), t + ": same data source as its panel");
                if (Dashboards.CLICKHOUSE.equals(dsType)) {
                    clickHouseTarget(problems, p, t, vars);
                } else if (Dashboards.PROMETHEUS.equals(dsType)) {
                    promTarget(problems, t, vars);
                }
            }
            if (p.type().equals("nodeGraph")) {
                require(
                        problems,
                        refIds.equals(Set.of("nodes", "edges")),
                        p + ": node graph queries 'nodes' and 'edges'");
            }
            units(problems, p, refIds);
        }
        return problems;
    }

    private static void clickHouseTarget(List<String> problems, Panel p, Target t, Map<String, JsonNode> vars) {
        require(
                problems,
                "sql".equals(t.json().path("editorType").asText()) && !t.sql().isBlank(),
                t + ": SQL editor query");
        int format = t.format();
        String queryType = t.json().path("queryType").asText();
        require(
                problems,
                (format == 0 && queryType.equals("timeseries")) || (format == 1 && queryType.equals("table")),
                t + ": format " + format + " with queryType " + queryType);
        require(
                problems,
                (format == 0) == p.type().equals("timeseries"),
                t + ": time series format exactly on time series panels");
        expands(problems, t.toString(), t.sql(), vars);
    }

    private static void promTarget(List<String> problems, Target t, Map<String, JsonNode> vars) {
        String expr = t.promql();
        require(problems, !expr.isBlank() && PromQl.balanced(expr), t + ": balanced PromQL");
        Matcher m = PROM_VAR.matcher(expr.replaceAll("\\{\\{\\w+}}", ""));
        while (m.find()) {
            require(problems, vars.containsKey(m.group(1)), t + ": $" + m.group(1) + " defined");
        }
        require(problems, Pattern.compile("\\bflink_\\w+").matcher(expr).find(), t + ": reads a Flink metric");
    }

    private static void units(List<String> problems, Panel p, Set<String> refIds) {
        JsonNode fc = p.json().path("fieldConfig");
        if (fc.path("defaults").has("unit")) {
            require(
                    problems,
                    UNITS.contains(fc.path("defaults").path("unit").asText()),
                    p + ": unit " + fc.path("defaults").path("unit"));
        }
        for (JsonNode o : fc.path("overrides")) {
            String matcher = o.path("matcher").path("id").asText();
            require(problems, Set.of("byName", "byFrameRefID").contains(matcher), p + ": override matcher " + matcher);
            if (matcher.equals("byFrameRefID")) {
                require(
                        problems,
                        refIds.contains(o.path("matcher").path("options").asText()),
                        p + ": override of a known refId");
            }
            for (JsonNode prop : o.path("properties")) {
                if (prop.path("id").asText().equals("unit")) {
                    require(problems, UNITS.contains(prop.path("value").asText()), p + ": unit " + prop.path("value"));
                }
            }
        }
    }

    /** The SQL expands with every variable set to a value, and with every All-capable variable at All. */
    private static void expands(List<String> problems, String where, String sql, Map<String, JsonNode> vars) {
        Map<String, List<String>> values = new HashMap<>();
        Map<String, List<String>> alls = new HashMap<>();
        vars.forEach((name, v) -> {
            values.put(name, List.of("x"));
            alls.put(
                    name,
                    v.path("includeAll").asBoolean(false)
                                    || v.path("type").asText().equals("textbox")
                            ? List.of(v.path("type").asText().equals("textbox") ? "" : GrafanaSql.ALL)
                            : List.of("x"));
        });
        for (Map<String, List<String>> selection : List.of(values, alls)) {
            try {
                String out = GrafanaSql.expand(sql, selection, ANY_RANGE);
                require(problems, !out.contains("$"), where + ": nothing left to expand");
            } catch (IllegalArgumentException e) {
                problems.add(where + ": " + e.getMessage());
            }
        }
    }

    /** The type of the data source a {@code datasource} object selects through a data-source variable. */
    private static String dataSourceOf(List<String> problems, String where, JsonNode ds, Map<String, JsonNode> vars) {
        if (ds.isMissingNode()) {
            return null;
        }
        Matcher m = DS_VAR.matcher(ds.path("uid").asText());
        JsonNode v = m.matches() ? vars.get(m.group(1)) : null;
        boolean ok = v != null
                && v.path("type").asText().equals("datasource")
                && v.path("query").asText().equals(ds.path("type").asText());
        require(problems, ok, where + ": data source " + ds + " chosen by a data-source variable of its type");
        return ds.path("type").asText();
    }

    private static void require(List<String> problems, boolean ok, String what) {
        if (!ok) {
            problems.add(what);
        }
    }
}
