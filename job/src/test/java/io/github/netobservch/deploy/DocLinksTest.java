package io.github.netobservch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every relative link in the repository's Markdown (README, docs/, the folder READMEs) points at a
 * file that exists and, with a {@code #fragment}, at a heading that file has (GitHub's anchor rule).
 * The documentation is split over several files that link to each other's sections; a renamed
 * heading or moved file would otherwise leave dead links silently. No Markdown library is used:
 * only inline links and ATX headings matter here, and both are one regular expression each.
 */
class DocLinksTest {

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.+?)\\s*#*\\s*$", Pattern.MULTILINE);
    private static final Pattern FENCE = Pattern.compile("(?ms)^```.*?^```");

    @Test
    void everyRelativeLinkInTheDocsResolves() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<Path> files = new ArrayList<>(List.of(root.resolve("README.md")));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        for (String folder : List.of("flink-k8s", "sql", "scripts/embedded-clickhouse")) {
            files.add(root.resolve(folder).resolve("README.md"));
        }
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path file : files) {
            assertThat(file).exists();
            List<String> links = relativeLinks(Files.readString(file));
            checked += links.size();
            broken.addAll(brokenLinks(file, links));
        }
        assertThat(checked).as("links found (the scan works)").isGreaterThan(20);
        assertThat(broken).as("dead relative links").isEmpty();
    }

    /** Negative control: the checker reports a missing file and a missing heading, and accepts good links. */
    @Test
    void theCheckerFindsDeadLinks(@TempDir Path dir) throws IOException {
        Files.writeString(
                dir.resolve("a.md"), "# Title\n\n## Exactly-once: how it works\n\n```\n# not a heading\n```\n");
        Path b = dir.resolve("b.md");
        Files.writeString(
                b,
                "[ok](a.md#exactly-once-how-it-works) [ok2](a.md) [file](missing.md) "
                        + "[anchor](a.md#not-a-heading) [self](#nope) [web](https://example.com/x)\n# B\n");
        List<String> links = relativeLinks(Files.readString(b));
        assertThat(links).hasSize(5);
        assertThat(brokenLinks(b, links))
                .containsExactly("b.md: missing.md", "b.md: a.md#not-a-heading", "b.md: #nope");
    }

    static List<String> relativeLinks(String markdown) {
        List<String> out = new ArrayList<>();
        Matcher m = LINK.matcher(FENCE.matcher(markdown).replaceAll(""));
        while (m.find()) {
            String target = m.group(1);
            if (!target.matches("^[a-z]+:.*")) {
                out.add(target);
            }
        }
        return out;
    }

    static List<String> brokenLinks(Path file, List<String> links) throws IOException {
        List<String> broken = new ArrayList<>();
        for (String link : links) {
            int hash = link.indexOf('#');
            String path = hash < 0 ? link : link.substring(0, hash);
            Path target = path.isEmpty() ? file : file.getParent().resolve(path).normalize();
            if (!Files.exists(target)) {
                broken.add(file.getFileName() + ": " + link);
                continue;
            }
            if (hash >= 0
                    && !Files.isDirectory(target)
                    && !anchors(Files.readString(target)).contains(link.substring(hash + 1))) {
                broken.add(file.getFileName() + ": " + link);
            }
        }
        return broken;
    }

    /** GitHub's heading anchors: lower case, punctuation removed, spaces to hyphens, -1, -2… for repeats. */
    static Set<String> anchors(String markdown) {
        Set<String> out = new HashSet<>();
        Matcher m = HEADING.matcher(FENCE.matcher(markdown).replaceAll(""));
        while (m.find()) {
            String slug = m.group(1)
                    .replaceAll("`", "")
                    .toLowerCase(Locale.ROOT)
                    .replaceAll("[^\\p{L}\\p{N} _-]", "")
                    .replace(' ', '-');
            String unique = slug;
            for (int n = 1; !out.add(unique); n++) {
                unique = slug + "-" + n;
            }
        }
        return out;
    }
}
