package io.github.netobservch.pipeline;

import io.github.netobservch.parse.KafkaMessage;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;

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

    private static final byte[] KEY = "\"TimeFlowEndMs\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** The timestamp of a message without a readable {@code TimeFlowEndMs}: never advances a watermark. */
    public static final long NO_EVENT_TIME = Long.MIN_VALUE;

    @Override
    public long extractTimestamp(KafkaMessage message, long recordTimestamp) {
        long t = find(message.value);
        return t >= 0 ? t : NO_EVENT_TIME;
    }

    /** The field's value, or -1 when absent, negative, fractional, quoted or over 18 digits. */
    public static long find(byte[] json) {
        if (json == null) {
            return -1;
        }
        int last = json.length - KEY.length;
        outer:
        for (int i = 0; i <= last; i++) {
            if (json[i] != '"' || json[i + 1] != 'T') {
                continue;
            }
            for (int k = 2; k < KEY.length; k++) {
                if (json[i + k] != KEY[k]) {
                    continue outer;
                }
            }
            return valueAfterKey(json, i + KEY.length);
        }
        return -1;
    }

    private static long valueAfterKey(byte[] json, int p) {
        p = skipWhitespace(json, p);
        if (p >= json.length || json[p] != ':') {
            return -1;
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
