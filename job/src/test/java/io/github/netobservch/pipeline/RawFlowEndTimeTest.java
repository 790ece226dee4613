package io.github.netobservch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowFixtures;
import io.github.netobservch.generate.FlowGenerator;
import io.github.netobservch.generate.GeneratedMessage;
import io.github.netobservch.generate.GeneratorConfig;
import io.github.netobservch.parse.FlowParseException;
import io.github.netobservch.parse.FlowParser;
import io.github.netobservch.parse.KafkaMessage;
import io.github.netobservch.parse.ParserConfig;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RawFlowEndTimeTest {

    private static long find(String json) {
        return RawFlowEndTime.find(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsTheFieldWhereverItIs() {
        assertThat(find("{\"TimeFlowEndMs\":1754040014000}")).isEqualTo(1_754_040_014_000L);
        assertThat(find("{\"Bytes\":3,\"TimeFlowEndMs\" : 12 ,\"X\":1}")).isEqualTo(12);
        assertThat(find("{\"TimeFlowEndMs\":\n\t0}")).isZero();
        // a duplicate key (the parser rejects the record): the last one
        assertThat(find("{\"TimeFlowEndMs\":1,\"TimeFlowEndMs\":2}")).isEqualTo(2);
        // The start time and other keys that merely contain the name do not match.
        assertThat(find("{\"TimeFlowStartMs\":5,\"XTimeFlowEndMs\":6,\"TimeFlowEndMs\":7}"))
                .isEqualTo(7);
        // A value that mentions the key is an escaped string, not a key.
        assertThat(find("{\"Msg\":\"\\\"TimeFlowEndMs\\\":9\",\"TimeFlowEndMs\":10}"))
                .isEqualTo(10);
    }

    @Test
    void anythingButAPlainNonNegativeIntegerIsNotFound() {
        assertThat(find("{\"Bytes\":3}")).isEqualTo(-1);
        assertThat(find("{\"TimeFlowEndMs\":\"1754040014000\"}")).isEqualTo(-1);
        assertThat(find("{\"TimeFlowEndMs\":-5}")).isEqualTo(-1);
        assertThat(find("{\"TimeFlowEndMs\":1.5}")).isEqualTo(-1);
        assertThat(find("{\"TimeFlowEndMs\":1e12}")).isEqualTo(-1);
        assertThat(find("{\"TimeFlowEndMs\":1234567890123456789}")).isEqualTo(-1);
        assertThat(find("{\"TimeFlowEndMs\"")).isEqualTo(-1);
        assertThat(find("{\"TimeFlowEndMs\":")).isEqualTo(-1);
        assertThat(find("")).isEqualTo(-1);
        assertThat(RawFlowEndTime.find(null)).isEqualTo(-1);
    }

    @Test
    void aMessageWithoutATimeLeavesEventTimeAlone() {
        RawFlowEndTime assigner = new RawFlowEndTime();
        // Not the Kafka timestamp: reading a backlog, that would be the wall clock, far ahead of the flows.
        KafkaMessage noTime = KafkaMessage.of("t", 0, 0, 1_000L, "{\"Bytes\":1}");
        assertThat(assigner.extractTimestamp(noTime, 2_000L)).isEqualTo(Long.MIN_VALUE);
        KafkaMessage tombstone = KafkaMessage.of("t", 0, 0, -1L, null);
        assertThat(assigner.extractTimestamp(tombstone, -1L)).isEqualTo(RawFlowEndTime.NO_EVENT_TIME);
        KafkaMessage flow = KafkaMessage.of("t", 0, 0, 1_000L, "{\"TimeFlowEndMs\":42}");
        assertThat(assigner.extractTimestamp(flow, 2_000L)).isEqualTo(42L);
    }

    @Test
    void aStringValueThatSpellsTheKeyIsSkipped() {
        assertThat(find("{\"Note\":\"TimeFlowEndMs\",\"TimeFlowEndMs\":42}")).isEqualTo(42);
        assertThat(find("{\"Note\":\"TimeFlowEndMs\"}")).isEqualTo(-1);
        // the key at the very start and at the very end of the bytes
        assertThat(find("\"TimeFlowEndMs\":3")).isEqualTo(3);
        assertThat(find("{\"A\":1,\"TimeFlowEndMs\"")).isEqualTo(-1);
    }

    /**
     * The skipping search finds what a byte-by-byte search finds: random texts over the key's own
     * bytes (the worst case for the shift table), with the key planted at every offset.
     */
    @Test
    void theSkippingSearchAgreesWithAPlainScan() {
        java.util.Random random = new java.util.Random(7);
        String alphabet = "\"TimeFlowEndMs:0123456789 .,{}\\";
        int found = 0;
        for (int round = 0; round < 20_000; round++) {
            StringBuilder b = new StringBuilder();
            int length = random.nextInt(60);
            for (int i = 0; i < length; i++) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            if (random.nextBoolean()) {
                b.insert(random.nextInt(b.length() + 1), "\"TimeFlowEndMs\":" + random.nextInt(1000));
            }
            byte[] bytes = b.toString().getBytes(StandardCharsets.US_ASCII);
            long expected = plainScan(bytes);
            assertThat(RawFlowEndTime.find(bytes)).as(b.toString()).isEqualTo(expected);
            if (expected >= 0) {
                found++;
            }
        }
        assertThat(found).as("rounds where the key was found").isGreaterThan(5_000);
    }

    /** The reference: every offset from the end, the last quoted key followed by a colon and plain digits. */
    private static long plainScan(byte[] json) {
        byte[] key = "\"TimeFlowEndMs\"".getBytes(StandardCharsets.US_ASCII);
        for (int i = json.length - key.length; i >= 0; i--) {
            if (!java.util.Arrays.equals(json, i, i + key.length, key, 0, key.length)) {
                continue;
            }
            int p = i + key.length;
            while (p < json.length && json[p] == ' ') {
                p++;
            }
            if (p >= json.length) {
                return -1;
            }
            if (json[p] != ':') {
                continue;
            }
            p++;
            while (p < json.length && json[p] == ' ') {
                p++;
            }
            int start = p;
            while (p < json.length && json[p] >= '0' && json[p] <= '9') {
                p++;
            }
            boolean fraction = p < json.length && (json[p] == '.' || json[p] == 'e' || json[p] == 'E');
            if (p == start || p - start > 18 || fraction) {
                return -1;
            }
            return Long.parseLong(new String(json, start, p - start, StandardCharsets.US_ASCII));
        }
        return -1;
    }

    /** Whatever the parser accepts, the scan reads the same time (fixtures and 20,000 generated records). */
    @Test
    void agreesWithTheParserOnFixturesAndGeneratedRecords() {
        FlowParser parser = new FlowParser(ParserConfig.defaults());
        for (String name : FlowFixtures.ALL) {
            assertThat(RawFlowEndTime.find(FlowFixtures.bytes(name)))
                    .as(name)
                    .isEqualTo(FlowFixtures.parse(name).getLong(ColumnRegistry.TIME_FLOW_END_MS));
        }
        FlowGenerator generator =
                new FlowGenerator(GeneratorConfig.builder(11).invalidShare(0.01).build());
        int checked = 0;
        for (int i = 0; i < 20_000; i++) {
            GeneratedMessage m = generator.next();
            try {
                long parsed = parser.parse(new KafkaMessage("t", 0, i, 0L, m.value()))
                        .getLong(ColumnRegistry.TIME_FLOW_END_MS);
                assertThat(RawFlowEndTime.find(m.value())).isEqualTo(parsed);
                checked++;
            } catch (FlowParseException expected) {
                // invalid on purpose; the scan's answer does not matter for a dead letter
            }
        }
        assertThat(checked).isGreaterThan(19_000);
    }

    @Test
    void theBoundCapsARecordFromAClockAheadAndCountsIt() {
        long end = 1_754_040_012_873L;
        byte[] value = ("{\"TimeFlowEndMs\":" + end + "}").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        RawFlowEndTime bounded = (RawFlowEndTime) RawFlowEndTime.bounded(java.time.Duration.ofMinutes(1))
                .createTimestampAssigner(() -> new org.apache.flink.metrics.groups.UnregisteredMetricsGroup());
        // written 2 s after the slice ended: as is
        assertThat(bounded.extractTimestamp(new KafkaMessage("t", 0, 0, end + 2_000, value), end + 2_000))
                .isEqualTo(end);
        // 30 s of skew is within the bound
        assertThat(bounded.extractTimestamp(new KafkaMessage("t", 0, 1, end - 30_000, value), end - 30_000))
                .isEqualTo(end);
        assertThat(bounded.aheadCount()).isZero();
        // 10 minutes ahead of its Kafka timestamp: counted at most one minute past it
        long written = end - 600_000;
        assertThat(bounded.extractTimestamp(new KafkaMessage("t", 0, 2, written, value), written))
                .isEqualTo(written + 60_000);
        assertThat(bounded.aheadCount()).isEqualTo(1);
        // no Kafka timestamp: nothing to compare with
        assertThat(bounded.extractTimestamp(new KafkaMessage("t", 0, 3, -1, value), -1))
                .isEqualTo(end);
        // negative control: the unbounded assigner (and a bound of 0) keep the 10-minute lead
        assertThat(new RawFlowEndTime().extractTimestamp(new KafkaMessage("t", 0, 2, written, value), written))
                .isEqualTo(end);
        RawFlowEndTime off = (RawFlowEndTime) RawFlowEndTime.bounded(java.time.Duration.ZERO)
                .createTimestampAssigner(() -> new org.apache.flink.metrics.groups.UnregisteredMetricsGroup());
        assertThat(off.extractTimestamp(new KafkaMessage("t", 0, 2, written, value), written))
                .isEqualTo(end);
    }
}
