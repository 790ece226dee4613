package io.github.netobservch.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.format.Column;
import io.github.netobservch.format.ColumnRegistry;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The {@code record} column of the {@code flows_record} view in the migrations is the one {@link
 * RecordAlias} derives from the registry: a JSON column added without a migration that redefines the
 * view fails here (its field would be missing from every rebuilt record).
 */
class RecordAliasTest {

    private static final Pattern DEFINITION = Pattern.compile(
            "VIEW\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?\\$\\{db}\\.flows_record\\S*\\s+AS\\s+SELECT\\s+\\*,\\s+(.*?)\\s+AS\\s+record\\s+FROM",
            Pattern.DOTALL);

    /** The expression of the latest migration that defines {@code record}. */
    static String latestDefinition() {
        String found = null;
        for (Migration m : SchemaTestSupport.migrations()) {
            Matcher x = DEFINITION.matcher(m.template());
            while (x.find()) {
                found = x.group(1);
            }
        }
        return found;
    }

    private static String squeeze(String s) {
        return s.replaceAll("\\s+", " ").trim();
    }

    @Test
    void theLatestMigrationDefinesTheAliasTheRegistryImplies() {
        String defined = latestDefinition();
        assertThat(defined).as("no migration defines the record alias").isNotNull();
        assertThat(squeeze(defined))
                .as("the record alias of the migrations; the registry implies:%n%s", RecordAlias.expression())
                .isEqualTo(squeeze(RecordAlias.expression()));
    }

    @Test
    void everyJsonColumnHasItsKeyInTheAlias() {
        String defined = latestDefinition();
        List<Column> json = ColumnRegistry.columns().stream()
                .filter(c -> c.jsonName() != null)
                .toList();
        assertThat(json).hasSizeGreaterThan(90);
        for (Column c : json) {
            assertThat(defined).as(c.jsonName()).contains("'," + c.jsonName() + ",'");
        }
        // negative control: a key the registry does not have is not in it
        assertThat(defined).doesNotContain("',FutureField,'");
    }
}
