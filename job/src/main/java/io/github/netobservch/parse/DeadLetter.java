package io.github.netobservch.parse;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A rejected Kafka message, emitted on {@link FlowParseFunction#DEAD_LETTERS}. Flink POJO (public
 * fields, no-arg constructor, enum field): serialized by Flink's PojoSerializer, never Kryo.
 *
 * <p>Payload policy: at most {@code maxDeadLetterPayloadBytes} of the original value are kept. A
 * valid-UTF-8 value is kept as text (cut at a code-point boundary) with {@code payloadEncoding =
 * "utf8"}; any other value is kept as Base64 of its first bytes with {@code payloadEncoding =
 * "base64"} (the Base64 text itself stays within the bound), so the payload is always valid text
 * for a ClickHouse {@code String} column and exact bytes can be recovered. {@code payloadSize} is
 * the original length, {@code payloadTruncated} whether bytes were cut.
 */
public class DeadLetter {

    public static final String ENCODING_UTF8 = "utf8";
    public static final String ENCODING_BASE64 = "base64";
    public static final String ENCODING_NONE = "none";

    public DeadLetterReason reason;
    /** Human-readable detail (parser message). */
    public String message;
    /** Offending JSON key, or {@code null}. */
    public String field;

    public String payload;
    public String payloadEncoding;
    public boolean payloadTruncated;
    /** Length of the original value in bytes (0 for a tombstone). */
    public int payloadSize;

    public String topic;
    public int partition;
    public long offset;
    /** Kafka record timestamp (epoch ms) or -1. */
    public long kafkaTimestamp;
    /** Processing time (epoch ms) when the message was rejected. */
    public long processingTime;

    public DeadLetter() {}

    /** Builds a dead letter for {@code message}, bounding the payload to {@code maxPayloadBytes}. */
    public static DeadLetter of(
            DeadLetterReason reason,
            String text,
            String field,
            KafkaMessage message,
            long processingTime,
            int maxPayloadBytes) {
        DeadLetter d = new DeadLetter();
        d.reason = reason;
        d.message = text;
        d.field = field;
        d.topic = message.topic;
        d.partition = message.partition;
        d.offset = message.offset;
        d.kafkaTimestamp = message.timestamp;
        d.processingTime = processingTime;
        byte[] v = message.value;
        if (v == null) {
            d.payload = "";
            d.payloadEncoding = ENCODING_NONE;
            return d;
        }
        d.payloadSize = v.length;
        if (Utf8.isValid(v, 0, v.length)) {
            int n = Utf8.truncationPoint(v, maxPayloadBytes);
            d.payload = new String(v, 0, n, StandardCharsets.UTF_8);
            d.payloadEncoding = ENCODING_UTF8;
            d.payloadTruncated = n < v.length;
        } else {
            int n = Math.min(v.length, maxPayloadBytes / 4 * 3);
            byte[] head = n == v.length ? v : java.util.Arrays.copyOf(v, n);
            d.payload = Base64.getEncoder().encodeToString(head);
            d.payloadEncoding = ENCODING_BASE64;
            d.payloadTruncated = n < v.length;
        }
        return d;
    }

    /** The stable reason code. */
    public String reasonCode() {
        return reason == null ? null : reason.code();
    }

    @Override
    public String toString() {
        return "DeadLetter{" + reason + " field=" + field + " '" + message + "' at " + topic + "-" + partition + "@"
                + offset + "}";
    }
}
