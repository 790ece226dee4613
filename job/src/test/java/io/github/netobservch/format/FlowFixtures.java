package io.github.netobservch.format;

import io.github.netobservch.parse.FlowParseException;
import io.github.netobservch.parse.FlowParser;
import io.github.netobservch.parse.KafkaMessage;
import io.github.netobservch.parse.ParserConfig;
import io.github.netobservch.parse.RawPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Test fixtures: five example records in the shapes of docs/netobserv-format.md §4, a
 * legacy 1.5-era record and a conversation record, under {@code src/test/resources/.../flows/}.
 */
public final class FlowFixtures {

    public static final List<String> EXAMPLES = List.of("example1", "example2", "example3", "example4", "example5");
    public static final List<String> ALL =
            List.of("example1", "example2", "example3", "example4", "example5", "legacy-1.5", "conversation-end");

    private FlowFixtures() {}

    public static byte[] bytes(String name) {
        try (InputStream in =
                FlowFixtures.class.getResourceAsStream("/io/github/netobservch/flows/" + name + ".json")) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    public static KafkaMessage message(String name, long offset) {
        return new KafkaMessage("flows-export", 3, offset, 1754040014000L, bytes(name));
    }

    /** Parsed (not enriched) fixture, under {@code raw.policy} whole: {@code raw} holds the fixture's text. */
    public static FlowRecord parse(String name) {
        try {
            return new FlowParser(
                            ParserConfig.builder().rawPolicy(RawPolicy.WHOLE).build())
                    .parse(message(name, 42));
        } catch (FlowParseException e) {
            throw new AssertionError(name + ": " + e.reason() + " " + e.getMessage(), e);
        }
    }
}
