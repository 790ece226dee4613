package io.github.netobservch.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.generate.GeneratedMessage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code scripts/replay}'s entry point, in this JVM, on the committed fixture {@code
 * replay/sample.jsonl} (301 generator records: cross-node pairs, re-sends, legacy {@code Duplicate}
 * copies and 3 invalid lines), with its own embedded Kafka and ClickHouse as the script runs it.
 */
class ReplayITCase {

    /** Ground truth of the fixture ({@link ReplayFixture#expected()}). */
    static final String EXPECTED = "REPLAY records=301 loaded=201 duplicates_dropped=97 invalid=3";

    @Test
    void fixtureMatchesItsGroundTruth() throws Exception {
        assertThat(ReplayFixture.expected().line()).isEqualTo(EXPECTED);
        assertThat(ReplayFixture.roles()).containsEntry(GeneratedMessage.Role.INVALID, 3)
                .containsKeys(GeneratedMessage.Role.CROSS_REPORTER_COPY, GeneratedMessage.Role.RESEND,
                        GeneratedMessage.Role.DUPLICATE_FLAG_COPY);
        ByteArrayOutputStream expectedFile = new ByteArrayOutputStream();
        for (GeneratedMessage m : ReplayFixture.messages()) {
            expectedFile.write(m.value());
            expectedFile.write('\n');
        }
        assertThat(Files.readAllBytes(fixture())).as("sample.jsonl is what ReplayFixture generates")
                .isEqualTo(expectedFile.toByteArray());
    }

    @Test
    void replaysTheFixtureIntoEmbeddedClickHouse() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Replay.run(new String[] {"--input", fixture().toString(), "--checkpoint-interval", "500ms"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String log = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as(log).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8).lines().toList()).as(log).isEqualTo(List.of(EXPECTED));
    }

    @Test
    void usageErrorsExitWithTwo() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(Replay.run(new String[0], System.out, errStream)).isEqualTo(2);
        assertThat(Replay.run(new String[] {"--input", "/nonexistent.jsonl"}, System.out, errStream)).isEqualTo(2);
        assertThat(Replay.run(new String[] {"--bogus"}, System.out, errStream)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--input is required", "no such file", "unknown argument");
    }

    static Path fixture() throws URISyntaxException {
        return Path.of(ReplayITCase.class.getResource("/replay/sample.jsonl").toURI());
    }
}
