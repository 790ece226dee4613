package io.github.netobservch.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How {@code scripts/replay} splits its input into Kafka messages, and how it selects its rows. */
class ReplayInputTest {

    private static List<String> lines(String text) throws Exception {
        List<String> out = new ArrayList<>();
        Replay.forEachLine(
                new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)),
                b -> out.add(new String(b, StandardCharsets.ISO_8859_1)));
        return out;
    }

    @Test
    void splitsOnNewlineAndDropsCarriageReturns() throws Exception {
        assertThat(lines("{\"a\":1}\n{\"b\":2}\r\n")).containsExactly("{\"a\":1}", "{\"b\":2}");
        assertThat(lines("{\"a\":1}\n{\"b\":2}")).as("no final newline").containsExactly("{\"a\":1}", "{\"b\":2}");
        assertThat(lines("")).isEmpty();
        assertThat(lines("\n\n")).containsExactly("", "");
    }

    @Test
    void keepsEveryOtherByte() throws Exception {
        assertThat(lines("{\"a\":\"\u00ff\u0000\"}\n")).containsExactly("{\"a\":\"\u00ff\u0000\"}");
    }

    @Test
    void blankMeansEmptyOrOnlySpacesAndTabs() {
        assertThat(Replay.isBlank(new byte[0])).isTrue();
        assertThat(Replay.isBlank(" \t ".getBytes(StandardCharsets.US_ASCII))).isTrue();
        assertThat(Replay.isBlank(" x ".getBytes(StandardCharsets.US_ASCII))).isFalse();
    }

    @Test
    void countsOnlyTheReplayedOffsets() {
        String where = Replay.rangePredicate("flows-export", Map.of(0, 10L, 1, 5L), Map.of(0, 12L, 1, 5L, 2, 3L));
        assertThat(where)
                .startsWith("kafka_topic = 'flows-export' AND (0")
                .contains("(kafka_partition = 0 AND kafka_offset >= 10 AND kafka_offset < 12)")
                .contains("(kafka_partition = 2 AND kafka_offset >= 0 AND kafka_offset < 3)")
                .doesNotContain("kafka_partition = 1");
    }
}
