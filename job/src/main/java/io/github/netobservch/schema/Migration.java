package io.github.netobservch.schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One versioned migration file {@code V<version>__<name>.sql} of {@code sql/schema/}. The checksum
 * is the SHA-256 of the template text (line endings normalised to {@code \n}), not of the rendered
 * SQL: applying with other options (retention, window, variant) is not a change of the migration.
 */
public record Migration(int version, String name, String fileName, String template, String checksum) {

    /** {@code V001__flows.sql}: version 1, name {@code flows}. */
    public static final Pattern FILE_NAME = Pattern.compile("V(\\d+)__([A-Za-z0-9_]+)\\.sql");

    public static Migration of(String fileName, String text) {
        Matcher m = FILE_NAME.matcher(fileName);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "migration file name '" + fileName + "' does not match V<n>__<name>.sql");
        }
        String normalised = text.replace("\r\n", "\n");
        return new Migration(Integer.parseInt(m.group(1)), m.group(2), fileName, normalised, sha256(normalised));
    }

    /** Parsed statements of the template (placeholders not yet substituted). */
    public List<SqlScript.Statement> statements() {
        return SqlScript.split(template);
    }

    /**
     * Every {@code V*.sql} file of {@code dir}, ordered by version. Other files are ignored; two files
     * with the same version are an error.
     */
    public static List<Migration> loadDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("migration directory " + dir.toAbsolutePath() + " does not exist");
        }
        TreeMap<Integer, Migration> byVersion = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files.sorted()::iterator) {
                String fileName = p.getFileName().toString();
                if (!FILE_NAME.matcher(fileName).matches()) {
                    continue;
                }
                Migration mig = of(fileName, Files.readString(p, StandardCharsets.UTF_8));
                Migration previous = byVersion.put(mig.version(), mig);
                if (previous != null) {
                    throw new IllegalArgumentException("two migrations with version " + mig.version() + ": "
                            + previous.fileName() + " and " + fileName);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read migrations from " + dir, e);
        }
        if (byVersion.isEmpty()) {
            throw new IllegalArgumentException("no V<n>__<name>.sql migration in " + dir.toAbsolutePath());
        }
        return new ArrayList<>(byVersion.values());
    }

    /**
     * The repository's {@code sql/schema} directory: {@code dir} when given, else the first
     * {@code sql/schema} found from the working directory upwards.
     */
    public static Path locateSchemaDirectory(String dir) {
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir);
        }
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            Path candidate = p.resolve("sql").resolve("schema");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
            p = p.getParent();
        }
        throw new IllegalArgumentException(
                "no sql/schema directory above " + Path.of("").toAbsolutePath() + "; pass --migrations DIR");
    }

    static String sha256(String text) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return fileName;
    }
}
