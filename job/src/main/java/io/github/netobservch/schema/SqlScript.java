package io.github.netobservch.schema;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Splits a migration file into statements. A statement ends at a {@code ;} outside quotes and
 * comments that is the last thing on its line (only whitespace or a {@code --} comment may follow),
 * so a {@code ;} inside a string literal, a quoted identifier, a comment or in the middle of a line
 * never splits. Comments ({@code --} to end of line, {@code /* … *}{@code /}) are removed from the
 * statement text; string literals ({@code '…'} with {@code \} and {@code ''} escapes) and quoted
 * identifiers ({@code "…"}, {@code `…`}) are kept verbatim.
 *
 * <p>Directives: a line comment {@code -- @name} before a statement attaches {@code name} to it
 * (e.g. {@code @cluster-only}, {@code @single-only}; see {@link SchemaRenderer}).
 */
public final class SqlScript {

    /** One statement (without the terminating {@code ;}) and its directives. */
    public record Statement(String sql, Set<String> directives, int line) {
        public Statement {
            directives = Collections.unmodifiableSet(new LinkedHashSet<>(directives));
        }
    }

    private SqlScript() {}

    public static List<Statement> split(String text) {
        List<Statement> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        Set<String> directives = new LinkedHashSet<>();
        int n = text.length();
        int line = 1;
        int startLine = -1;
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
                int end = text.indexOf('\n', i);
                if (end < 0) {
                    end = n;
                }
                String comment = text.substring(i + 2, end).trim();
                if (comment.startsWith("@") && comment.length() > 1) {
                    directives.add(comment.substring(1).split("\\s+")[0]);
                }
                i = end;
                continue;
            }
            if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int end = text.indexOf("*/", i + 2);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated /* comment starting on line " + line);
                }
                line += count(text, i, end, '\n');
                cur.append(' ');
                i = end + 2;
                continue;
            }
            if (c == '\'' || c == '"' || c == '`') {
                int end = endOfQuoted(text, i, c);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated " + c + " quote starting on line " + line);
                }
                if (startLine < 0) {
                    startLine = line;
                }
                line += count(text, i, end, '\n');
                cur.append(text, i, end + 1);
                i = end + 1;
                continue;
            }
            if (c == ';' && restOfLineIsBlankOrComment(text, i + 1)) {
                String sql = cur.toString().strip();
                if (!sql.isEmpty()) {
                    out.add(new Statement(sql, directives, startLine));
                } else if (!directives.isEmpty()) {
                    throw new IllegalArgumentException(
                            "directive " + directives + " before an empty statement on line " + line);
                }
                cur.setLength(0);
                directives = new LinkedHashSet<>();
                startLine = -1;
                i++;
                continue;
            }
            if (c == '\n') {
                line++;
            } else if (startLine < 0 && !Character.isWhitespace(c)) {
                startLine = line;
            }
            cur.append(c);
            i++;
        }
        String rest = cur.toString().strip();
        if (!rest.isEmpty()) {
            throw new IllegalArgumentException(
                    "statement starting on line " + startLine + " does not end with ';' at the end of a line");
        }
        return out;
    }

    /** Index of the closing quote, or -1. */
    private static int endOfQuoted(String text, int start, char quote) {
        int n = text.length();
        for (int j = start + 1; j < n; j++) {
            char d = text.charAt(j);
            if (d == '\\') {
                j++;
            } else if (d == quote) {
                if (j + 1 < n && text.charAt(j + 1) == quote) {
                    j++;
                } else {
                    return j;
                }
            }
        }
        return -1;
    }

    private static boolean restOfLineIsBlankOrComment(String text, int from) {
        int n = text.length();
        for (int j = from; j < n; j++) {
            char d = text.charAt(j);
            if (d == '\n') {
                return true;
            }
            if (d == '-' && j + 1 < n && text.charAt(j + 1) == '-') {
                return true;
            }
            if (!Character.isWhitespace(d)) {
                return false;
            }
        }
        return true;
    }

    private static int count(String s, int from, int to, char c) {
        int k = 0;
        for (int j = from; j < to; j++) {
            if (s.charAt(j) == c) {
                k++;
            }
        }
        return k;
    }
}
