package io.github.netobservch.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's configuration table is generated from {@link JobOptions}; this keeps it current. */
class OptionsTableTest {

    @Test
    void readmeTableMatchesTheCode() throws Exception {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme);
        int begin = text.indexOf(OptionsTable.BEGIN_MARKER);
        int end = text.indexOf(OptionsTable.END_MARKER);
        assertThat(begin).as("README has the options-table markers").isGreaterThanOrEqualTo(0);
        assertThat(end).isGreaterThan(begin);
        int bodyStart = begin + OptionsTable.BEGIN_MARKER.length() + 1;
        if (Boolean.getBoolean("options.table.write")) {
            Files.writeString(readme, text.substring(0, bodyStart) + OptionsTable.render() + text.substring(end));
            return;
        }
        assertThat(text.substring(bodyStart, end))
                .as("README configuration table is stale; regenerate it with:"
                        + " mvn -pl job test -Dtest=OptionsTableTest -Doptions.table.write=true")
                .isEqualTo(OptionsTable.render());
    }
}
