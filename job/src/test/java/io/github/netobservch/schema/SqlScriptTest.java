package io.github.netobservch.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlScriptTest {

    @Test
    void splitsOnSemicolonsAtTheEndOfALineOnly() {
        List<SqlScript.Statement> st = SqlScript.split("""
                -- a comment; with a semicolon;
                CREATE TABLE t (a String DEFAULT 'x;'); -- trailing comment
                SELECT 1; SELECT 2;
                /* block; comment;
                   over lines */ SELECT 'it''s;' AS `we;ird`, "q;" ;
                """);
        assertThat(st)
                .extracting(SqlScript.Statement::sql)
                .containsExactly(
                        "CREATE TABLE t (a String DEFAULT 'x;')",
                        "SELECT 1; SELECT 2",
                        "SELECT 'it''s;' AS `we;ird`, \"q;\"");
        assertThat(st).extracting(SqlScript.Statement::line).containsExactly(2, 3, 5);
    }

    @Test
    void commentsAreRemovedButCommentLikeTextInStringsIsKept() {
        assertThat(SqlScript.split("SELECT '-- not a comment', 1 -- a comment\n  + 2 /* x */;\n"))
                .extracting(SqlScript.Statement::sql)
                .containsExactly("SELECT '-- not a comment', 1 \n  + 2");
        assertThat(SqlScript.split("SELECT 'a\\'b;'\n;\n"))
                .extracting(SqlScript.Statement::sql)
                .containsExactly("SELECT 'a\\'b;'");
    }

    @Test
    void directivesAttachToTheNextStatement() {
        List<SqlScript.Statement> st = SqlScript.split("""
                -- @cluster-only
                SELECT 1;
                SELECT 2;
                """);
        assertThat(st.get(0).directives()).containsExactly("cluster-only");
        assertThat(st.get(1).directives()).isEmpty();
    }

    @Test
    void unterminatedInputIsAnError() {
        assertThatThrownBy(() -> SqlScript.split("SELECT 1;\nSELECT 2\n"))
                .hasMessageContaining("statement starting on line 2 does not end with ';'");
        assertThatThrownBy(() -> SqlScript.split("SELECT 'abc;\n"))
                .hasMessageContaining("unterminated ' quote starting on line 1");
        assertThatThrownBy(() -> SqlScript.split("/* open\n")).hasMessageContaining("unterminated /* comment");
    }

    @Test
    void everyMigrationFileSplitsAndNamesItsStatementsWithThePlaceholders() {
        for (Migration m : SchemaTestSupport.migrations()) {
            assertThat(m.statements()).as(m.fileName()).isNotEmpty().allSatisfy(s -> assertThat(s.sql())
                    .containsPattern("^(CREATE|ALTER|INSERT INTO) ")
                    .contains("${db}.")
                    .doesNotContain(" netobserv."));
        }
    }
}
