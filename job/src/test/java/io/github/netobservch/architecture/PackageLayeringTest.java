package io.github.netobservch.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The production packages import each other in one direction only, read from the source: each
 * package may import the packages listed for it and nothing else of this project (docs/design.md,
 * "Code layout"). A new arrow is a decision — add it here with the reason, or move the code.
 */
class PackageLayeringTest {

    private static final String ROOT_PACKAGE = "io.github.netobservch";
    private static final Path MAIN = Path.of("src/main/java/io/github/netobservch");

    /** Package → the project packages it may import. Lower layers first. */
    static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("format", Set.of()),
            Map.entry("enrich", Set.of("format")),
            Map.entry("parse", Set.of("format", "enrich")),
            Map.entry("dedup", Set.of("format", "enrich")),
            Map.entry("clickhouse", Set.of()),
            Map.entry("cli", Set.of()),
            Map.entry("sink", Set.of("clickhouse")),
            Map.entry("schema", Set.of("clickhouse", "cli")),
            // rows → dedup, enrich: a shuffled row carries its dedup key and facts, computed before the keyBy
            Map.entry("rows", Set.of("format", "enrich", "parse", "dedup", "schema", "sink")),
            Map.entry("config", Set.of("parse", "dedup", "cli", "clickhouse")),
            Map.entry("query", Set.of("clickhouse", "cli", "schema")),
            Map.entry("pipeline", Set.of("format", "parse", "enrich", "dedup", "rows", "sink", "config", "schema")),
            Map.entry("", Set.of("config", "pipeline", "sink", "schema")));

    private static final Pattern IMPORT =
            Pattern.compile("^import (?:static )?" + Pattern.quote(ROOT_PACKAGE) + "\\.([a-z]+)\\.", Pattern.MULTILINE);

    /** Package → project packages its sources import. */
    static Map<String, Set<String>> imports(Path main) throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(main)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                Path rel = main.relativize(f.getParent());
                String pkg = rel.toString().replace('/', '.');
                Set<String> deps = graph.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = IMPORT.matcher(Files.readString(f));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        deps.add(m.group(1));
                    }
                }
            }
        }
        return graph;
    }

    @Test
    void everyImportRunsDownTheLayers() throws IOException {
        Map<String, Set<String>> graph = imports(MAIN);
        assertThat(graph.keySet())
                .as("every production package has a place in the layering")
                .isSubsetOf(ALLOWED.keySet());
        graph.forEach((pkg, deps) ->
                assertThat(deps).as("imports of package '%s'", pkg).isSubsetOf(ALLOWED.get(pkg)));
    }

    @Test
    void theAllowedGraphHasNoCycle() {
        for (String start : ALLOWED.keySet()) {
            assertThat(reachable(start, new TreeSet<>()))
                    .as("packages reachable from '%s'", start)
                    .doesNotContain(start);
        }
    }

    @Test
    void negativeControlAnUpwardImportIsFound(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path sink = Files.createDirectories(dir.resolve("sink"));
        Files.writeString(
                sink.resolve("Upward.java"),
                "package io.github.netobservch.sink;\n\n"
                        + "import io.github.netobservch.config.SecretRef;\n\nclass Upward {}\n");
        Map<String, Set<String>> graph = imports(dir);
        assertThat(graph.get("sink")).containsExactly("config");
        assertThat(ALLOWED.get("sink")).doesNotContain("config");
    }

    @Test
    void developmentToolsAreNotProductionCode() {
        assertThat(MAIN.resolve("local")).doesNotExist();
        assertThat(MAIN.resolve("generate")).doesNotExist();
    }

    private static Set<String> reachable(String from, Set<String> seen) {
        for (String next : ALLOWED.getOrDefault(from, Set.of())) {
            if (seen.add(next)) {
                reachable(next, seen);
            }
        }
        return seen;
    }
}
