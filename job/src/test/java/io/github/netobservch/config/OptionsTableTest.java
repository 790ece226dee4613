package io.github.netobservch.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The configuration table in docs/configuration.md is generated from {@link JobOptions}; this keeps it current. */
class OptionsTableTest {

    @Test
    void configurationTableMatchesTheCode() throws Exception {
        Path readme = Path.of("..", "docs", "configuration.md");
        String text = Files.readString(readme);
        int begin = text.indexOf(OptionsTable.BEGIN_MARKER);
        int end = text.indexOf(OptionsTable.END_MARKER);
        assertThat(begin)
                .as("docs/configuration.md has the options-table markers")
                .isGreaterThanOrEqualTo(0);
        assertThat(end).isGreaterThan(begin);
        int bodyStart = begin + OptionsTable.BEGIN_MARKER.length() + 1;
        if (Boolean.getBoolean("options.table.write")) {
            Files.writeString(readme, text.substring(0, bodyStart) + OptionsTable.render() + text.substring(end));
            return;
        }
        assertThat(text.substring(bodyStart, end))
                .as("docs/configuration.md table is stale; regenerate it with:"
                        + " mvn -pl job test -Dtest=OptionsTableTest -Doptions.table.write=true")
                .isEqualTo(OptionsTable.render());
    }
}
