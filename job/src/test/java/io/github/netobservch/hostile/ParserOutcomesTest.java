package io.github.netobservch.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.parse.DeadLetterReason;
import io.github.netobservch.parse.FlowParser;
import io.github.netobservch.parse.ParserConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The parser gives, message for message, the outcomes {@link ParserOutcomes} recorded with the
 * Jackson-based parser (the same dead-letter reason and field, or a record with the same serialized
 * bytes) for 20,309 messages under each raw policy; and every message Jackson's streaming parser
 * does not read as one JSON document is rejected for the reason Jackson's error maps to (checked
 * live, with the library on the test classpath).
 */
class ParserOutcomesTest {

    private static List<byte[]> messages;

    @BeforeAll
    static void load() {
        messages = ParserOutcomes.messages();
    }

    @Test
    void outcomesAreThoseOfTheJacksonBasedParser() throws IOException {
        List<String> expected = recorded();
        List<String> actual = ParserOutcomes.outcomes(messages);
        assertThat(actual).hasSameSizeAs(expected);
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                byte[] m = messages.get(Integer.parseInt(expected.get(i).split(" ", 2)[0]));
                differences.add("expected " + expected.get(i) + ", got " + actual.get(i) + "; message (base64) "
                        + (m == null ? "null" : Base64.getEncoder().encodeToString(m)));
            }
        }
        assertThat(differences).as("outcomes that differ").isEmpty();
        // the recorded outcomes are not all alike: accepted records under each policy, many reasons
        assertThat(expected.stream().filter(l -> l.contains(" ok ")).count()).isGreaterThan(10_000);
        assertThat(expected.stream().map(l -> l.split(" ")[2]).distinct().count())
                .isGreaterThanOrEqualTo(12);
    }

    @Test
    void whatJacksonCannotReadAsOneDocumentIsRejectedForThat() {
        ParserConfig config = ParserConfig.defaults();
        FlowParser parser = new FlowParser(config);
        int faults = 0;
        for (byte[] m : messages) {
            DeadLetterReason fault = ParserOutcomes.documentFault(m, config);
            String outcome = ParserOutcomes.outcome(parser, config, m);
            if (fault != null) {
                faults++;
                assertThat(outcome)
                        .as("message (base64) %s", Base64.getEncoder().encodeToString(m))
                        .isEqualTo(fault.name() + " -");
            } else if (ParserOutcomes.reachesJson(m, config)) {
                assertThat(outcome)
                        .as(
                                "message (base64) %s",
                                m == null ? "null" : Base64.getEncoder().encodeToString(m))
                        .isNotEqualTo(DeadLetterReason.MALFORMED_JSON.name() + " -");
            }
        }
        assertThat(faults).isGreaterThan(10_000);
    }

    private static List<String> recorded() throws IOException {
        try (InputStream in =
                new GZIPInputStream(ParserOutcomesTest.class.getResourceAsStream(ParserOutcomes.RESOURCE))) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return List.of(text.split("\n"));
        }
    }
}
