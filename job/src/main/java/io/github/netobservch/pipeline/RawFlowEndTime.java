package io.github.netobservch.pipeline;

import io.github.netobservch.parse.KafkaMessage;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.metrics.Counter;

/**
 * Event time of a raw Kafka message: the value of its {@code "TimeFlowEndMs"} field, read from the
 * JSON bytes in the source, before parsing.
 *
 * <p>Why in the source: the KafkaSource tracks watermarks per partition only when it assigns the
 * timestamps itself. Assigned after parsing, one watermark covers all partitions of a subtask, so a
 * partition read ahead (catch-up after an outage reads partitions unevenly) drags event time past
 * the records still waiting in a slower partition; dedup then expires their keys too early and
 * keeps second reports (the soak saw this at ~1 M records of lag).
 *
 * <p>Hand-rolled rather than a JSON parser: the full parse happens right after, and running Jackson
 * twice would cost a second pass of tokenizing; this is one byte scan. A quoted {@code
 * "TimeFlowEndMs"} can only be a key (quotes inside JSON strings are escaped), and NetObserv records
 * are flat. A message without a readable field (most likely a future dead letter) gets {@link
 * #NO_EVENT_TIME}, which leaves the watermark where it is: its Kafka timestamp (the time it was
 * produced) would drag event time to the wall clock when the job reads a backlog. Dedup then uses the
 * parsed {@code TimeFlowEndMs} of such a record if the parser accepts it.
 */
public final class RawFlowEndTime implements SerializableTimestampAssigner<KafkaMessage> {

    private static final long serialVersionUID = 1L;

    /** Metric group and counter of records whose event time was capped ({@link #bounded}). */
    public static final String METRIC_GROUP = "flowSource";

    public static final String METRIC_AHEAD = "eventTimeAheadOfKafka";

    private final long maxAheadMs;
    private transient Counter ahead;

    /** No bound: the event time is the record's {@code TimeFlowEndMs}. */
    public RawFlowEndTime() {
        this(-1, null);
    }

    private RawFlowEndTime(long maxAheadMs, Counter ahead) {
        this.maxAheadMs = maxAheadMs;
        this.ahead = ahead;
    }

    /**
     * The source's assigner: {@code TimeFlowEndMs}, but at most {@code maxAhead} past the message's
     * Kafka timestamp (no bound when zero, or when the message has no timestamp). FLP writes a
     * record after its flow slice ended, so a {@code TimeFlowEndMs} minutes after the Kafka timestamp
     * means the reporting node's clock runs ahead; counted unbounded, one such record would push the
     * partition's watermark minutes into the future, and the dedup would expire every other flow's
     * key at once (and keep their late second reports) and release held copies early. Capped records
     * are counted in {@code flowSource.eventTimeAheadOfKafka}; the row keeps its own times.
     */
    public static TimestampAssignerSupplier<KafkaMessage> bounded(Duration maxAhead) {
        long ms = maxAhead == null ? 0 : maxAhead.toMillis();
        return context -> new RawFlowEndTime(
                ms > 0 ? ms : -1,
                context.getMetricGroup().addGroup(METRIC_GROUP).counter(METRIC_AHEAD));
    }

    private static final byte[] KEY = "\"TimeFlowEndMs\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** The timestamp of a message without a readable {@code TimeFlowEndMs}: never advances a watermark. */
    public static final long NO_EVENT_TIME = Long.MIN_VALUE;

    @Override
    public long extractTimestamp(KafkaMessage message, long recordTimestamp) {
        long t = find(message.value);
        if (t < 0) {
            return NO_EVENT_TIME;
        }
        long kafkaTimestamp = message.timestamp > 0 ? message.timestamp : recordTimestamp;
        if (maxAheadMs > 0 && kafkaTimestamp > 0 && t - kafkaTimestamp > maxAheadMs) {
            if (ahead != null) {
                ahead.inc();
            }
            return kafkaTimestamp + maxAheadMs;
        }
        return t;
    }

    /** Records capped so far by this instance (tests). */
    long aheadCount() {
        return ahead == null ? 0 : ahead.getCount();
    }

    /**
     * Horspool shift per byte value, for a search from the end: how far the key can move back when
     * the byte under its first position does not start a match (the key's length for bytes it does
     * not contain).
     */
    private static final int[] SHIFT = new int[256];

    static {
        java.util.Arrays.fill(SHIFT, KEY.length);
        for (int k = KEY.length - 1; k >= 1; k--) {
            SHIFT[KEY[k] & 0xFF] = k;
        }
    }

    /**
     * The field's value, or -1 when absent, negative, fractional, quoted or over 18 digits. A quoted
     * {@code "TimeFlowEndMs"} that is a string value (not followed by {@code :}) is skipped; of two
     * keys (a record the parser rejects as a duplicate), the last one counts.
     *
     * <p>Boyer–Moore–Horspool over the bytes, from the end: the 15-byte key lets the scan move up to
     * 15 bytes per step, and NetObserv's producers write keys in sorted order, so {@code
     * TimeFlowEndMs} is among the last few of a record (after it come {@code TimeFlowStartMs}, {@code
     * TimeReceived}, {@code Udns}, …) and the scan reads ~100 of a record's ~1,100 bytes. It runs on
     * every message in the source thread: the forward scan was 6 % of that thread's CPU in the
     * benchmark's profile (a byte-by-byte one 10 %). Hand-rolled: the JDK has no byte substring search,
     * and the algorithm is a dozen lines.
     */
    public static long find(byte[] json) {
        if (json == null) {
            return -1;
        }
        int n = KEY.length;
        for (int i = json.length - n; i >= 0; i -= SHIFT[json[i] & 0xFF]) {
            if (json[i] == '"' && matchesAt(json, i)) {
                long value = valueAfterKey(json, i + n);
                if (value != NOT_A_KEY) {
                    return value;
                }
            }
        }
        return -1;
    }

    private static boolean matchesAt(byte[] json, int i) {
        for (int k = KEY.length - 1; k >= 1; k--) {
            if (json[i + k] != KEY[k]) {
                return false;
            }
        }
        return true;
    }

    /** {@link #valueAfterKey}'s answer when the quoted text is not followed by a colon. */
    private static final long NOT_A_KEY = -2;

    private static long valueAfterKey(byte[] json, int p) {
        p = skipWhitespace(json, p);
        if (p >= json.length) {
            return -1;
        }
        if (json[p] != ':') {
            return NOT_A_KEY;
        }
        p = skipWhitespace(json, p + 1);
        long value = 0;
        int digits = 0;
        while (p < json.length && json[p] >= '0' && json[p] <= '9') {
            if (++digits > 18) {
                return -1;
            }
            value = value * 10 + (json[p++] - '0');
        }
        if (digits == 0 || (p < json.length && (json[p] == '.' || json[p] == 'e' || json[p] == 'E'))) {
            return -1;
        }
        return value;
    }

    private static int skipWhitespace(byte[] json, int p) {
        while (p < json.length && (json[p] == ' ' || json[p] == '\t' || json[p] == '\n' || json[p] == '\r')) {
            p++;
        }
        return p;
    }
}
