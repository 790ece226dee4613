package io.github.netobservch.local;

import io.github.netobservch.generate.FlowGenerator;
import io.github.netobservch.generate.GeneratedMessage;
import io.github.netobservch.generate.GeneratorConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Builds {@code job/src/test/resources/replay/sample.jsonl} from the generator and knows its ground
 * truth. Regenerate (from the repository root) with:
 *
 * <pre>
 * java -cp job/target/test-classes:job/target/classes:$(cat cp.txt) io.github.netobservch.local.ReplayFixture \
 *     job/src/test/resources/replay/sample.jsonl
 * </pre>
 */
public final class ReplayFixture {

    /** 2025-08-01T09:20:00Z, fixed so the file never changes. */
    static final long START_EPOCH_MS = 1754040000000L;

    static final long SEED = 6L;
    static final int MESSAGES = 300;

    private ReplayFixture() {}

    static GeneratorConfig config() {
        return GeneratorConfig.builder(SEED)
                .startEpochMs(START_EPOCH_MS)
                .recordsPerSecond(200)
                .invalidShare(0.01)
                .resendShare(0.02)
                .legacyShare(0.1)
                .duplicateFlagShare(0.5)
                .build();
    }

    /**
     * The generated messages that go into the file: the shortest prefix of at least {@value #MESSAGES}
     * messages in which every copy (other reporter's, {@code Duplicate}, re-send) has its counted
     * record too — a copy whose counted record lies beyond the cut would rightly be loaded after
     * its wait, and the generator's ground truth would no longer hold. Messages a line cannot
     * hold (empty, or with a newline byte) are left out.
     */
    static List<GeneratedMessage> messages() {
        List<GeneratedMessage> all = FlowGenerator.generate(config(), MESSAGES + 100);
        for (int n = MESSAGES; n <= all.size(); n++) {
            List<GeneratedMessage> prefix = all.subList(0, n);
            java.util.Set<String> counted = new java.util.HashSet<>();
            prefix.stream().filter(GeneratedMessage::counts).forEach(m -> counted.add(m.flowId() + "/" + m.slice()));
            if (prefix.stream().allMatch(m -> !m.valid() || counted.contains(m.flowId() + "/" + m.slice()))) {
                List<GeneratedMessage> out = new ArrayList<>();
                for (GeneratedMessage m : prefix) {
                    if (m.value().length > 0 && indexOf(m.value(), (byte) '\n') < 0 && !Replay.isBlank(m.value())) {
                        out.add(m);
                    }
                }
                return out;
            }
        }
        throw new IllegalStateException("no complete prefix");
    }

    /**
     * The line {@code scripts/replay} must print for the file, from the generator's roles: a message
     * that does not count is dropped as what it is a copy of (a re-send of another node's copy is
     * that node's copy again, and a re-send of a {@code Duplicate} copy is a same-node copy). One
     * split is up to timing: a re-send of the other node's copy that reaches the dedup while that
     * copy still waits for the preferred reporter is counted as a re-send, else as a cross-reporter
     * copy; so only their sum is exact ({@link ReplayITCase}).
     */
    static Replay.Summary expected() {
        List<GeneratedMessage> all = messages();
        Map<Long, GeneratedMessage> byIndex = new java.util.HashMap<>();
        all.forEach(m -> byIndex.put(m.index(), m));
        long records = 0;
        long loaded = 0;
        long invalid = 0;
        long sameNode = 0;
        long crossReporter = 0;
        long resends = 0;
        for (GeneratedMessage m : all) {
            records++;
            if (!m.valid()) {
                invalid++;
            } else if (m.counts()) {
                loaded++;
            } else {
                GeneratedMessage original = m;
                while (original.role() == GeneratedMessage.Role.RESEND) {
                    original = byIndex.get(original.resendOf());
                }
                if (original.role() == GeneratedMessage.Role.DUPLICATE_FLAG_COPY) {
                    sameNode++;
                } else if (m.role() == GeneratedMessage.Role.RESEND && original.counts()) {
                    resends++;
                } else {
                    crossReporter++;
                }
            }
        }
        return new Replay.Summary(records, loaded, invalid, 0, sameNode, crossReporter, resends);
    }

    static Map<GeneratedMessage.Role, Integer> roles() {
        Map<GeneratedMessage.Role, Integer> roles = new EnumMap<>(GeneratedMessage.Role.class);
        messages().forEach(m -> roles.merge(m.role(), 1, Integer::sum));
        return roles;
    }

    public static void main(String[] args) throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        for (GeneratedMessage m : messages()) {
            file.write(m.value());
            file.write('\n');
        }
        Path target = Path.of(args.length > 0 ? args[0] : "job/src/test/resources/replay/sample.jsonl");
        Files.write(target, file.toByteArray());
        System.out.println(target + ": " + roles() + " invalid reasons "
                + messages().stream()
                        .filter(m -> !m.valid())
                        .map(m -> m.expectedReason().name())
                        .toList());
        System.out.println(expected().line());
    }

    private static int indexOf(byte[] a, byte b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
