package io.github.netobservch.loki.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code record-fields.tsv} is what the job's column registry implies ({@code
 * io.github.netobservch.schema.RecordFields}); rewrite it with {@code -Drecord.fields.write=true}.
 */
class RecordFieldsTest {

    private static final Path FILE = Path.of("src/main/resources/record-fields.tsv");

    @Test
    void theTableIsCurrent() throws Exception {
        String expected = io.github.netobservch.schema.RecordFields.tsv();
        if (Boolean.getBoolean("record.fields.write")) {
            Files.writeString(FILE, expected, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(FILE))
                .as(FILE + " is stale; regenerate with -Drecord.fields.write=true")
                .isEqualTo(expected);
        assertThat(RecordFields.scalar("SrcAddr")).contains("src_addr");
        assertThat(RecordFields.scalar("Interfaces")).isEqualTo("''"); // an array: not a scalar
        assertThat(RecordFields.scalar("Future")).isNull();
        assertThat(RecordFields.listed("Bytes")).contains("raw_key_bits", "',Bytes,'");
        assertThat(RecordFields.listed("Future")).isNull();
        assertThat(RecordFields.all()).hasSizeGreaterThan(90);
    }
}
