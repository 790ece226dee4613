package io.github.netobservch.generate;

import io.github.netobservch.parse.DeadLetterReason;
import io.github.netobservch.parse.KafkaMessage;

/**
 * One generated Kafka message value plus the ground truth tests need: whether it is valid, the
 * dead-letter reason it must produce, its role among copies of the same flow slice, and the
 * counters it carries. NetObserv records have no sequence number; {@link #index()} is the
 * generator's own position (use it, or the Kafka offset, to identify a message).
 */
public final class GeneratedMessage {

    /** What a message is relative to the flow slice it describes. */
    public enum Role {
        /**
         * The canonical record of a slice (docs/netobserv-format.md §3.3 rule): the ingress or inner copy, or the only copy
         * (egress to a Service or outside the cluster, ingress from outside).
         */
        PRIMARY,
        /** The other node's record of a slice that two nodes report (egress copy): not canonical. */
        CROSS_REPORTER_COPY,
        /** A legacy (≤ 1.7) {@code Duplicate: true} copy of a record from another interface. */
        DUPLICATE_FLAG_COPY,
        /** An exact byte-for-byte re-send of an earlier message ({@link #resendOf()}). */
        RESEND,
        /** Not a valid flow record ({@link #expectedReason()}). */
        INVALID
    }

    private final long index;
    private final byte[] value;
    private final Role role;
    private final DeadLetterReason expectedReason;
    private final String scenario;
    private final long flowId;
    private final int slice;
    private final long resendOf;
    private final long bytes;
    private final long packets;
    private final long sampling;
    private final boolean legacy;

    GeneratedMessage(
            long index,
            byte[] value,
            Role role,
            DeadLetterReason expectedReason,
            String scenario,
            long flowId,
            int slice,
            long resendOf,
            long bytes,
            long packets,
            long sampling,
            boolean legacy) {
        this.index = index;
        this.value = value;
        this.role = role;
        this.expectedReason = expectedReason;
        this.scenario = scenario;
        this.flowId = flowId;
        this.slice = slice;
        this.resendOf = resendOf;
        this.bytes = bytes;
        this.packets = packets;
        this.sampling = sampling;
        this.legacy = legacy;
    }

    GeneratedMessage withIndex(long newIndex) {
        return new GeneratedMessage(
                newIndex,
                value,
                role,
                expectedReason,
                scenario,
                flowId,
                slice,
                resendOf,
                bytes,
                packets,
                sampling,
                legacy);
    }

    /** 0-based position in the generated sequence. */
    public long index() {
        return index;
    }

    /** The Kafka message value (compact JSON, keys sorted as Go's encoder writes them). Do not modify. */
    public byte[] value() {
        return value;
    }

    public Role role() {
        return role;
    }

    public boolean valid() {
        return role != Role.INVALID;
    }

    /** The dead-letter reason the parser must report, or {@code null} for a valid message. */
    public DeadLetterReason expectedReason() {
        return expectedReason;
    }

    /** Scenario name, e.g. {@code cross_node}, {@code pod_to_service}, {@code dns}, {@code invalid}. */
    public String scenario() {
        return scenario;
    }

    /**
     * Id of the unidirectional flow (one 7-tuple) this record describes; all slices, reporters'
     * copies, re-sends and duplicate copies of it share it. -1 for invalid messages.
     */
    public long flowId() {
        return flowId;
    }

    /** 0-based slice number within a long-lived flow. */
    public int slice() {
        return slice;
    }

    /** For {@link Role#RESEND}: index of the message re-sent; -1 otherwise. */
    public long resendOf() {
        return resendOf;
    }

    /** {@code Bytes} written in the record (0 for invalid messages). */
    public long bytes() {
        return bytes;
    }

    /** {@code Packets} written in the record (0 for invalid messages). */
    public long packets() {
        return packets;
    }

    /** {@code Sampling} written in the record (0 when absent: legacy records). */
    public long sampling() {
        return sampling;
    }

    /** Whether the record uses the ≤ 1.5 shape (Interface/IfDirection, numeric Flags, upper-case MACs, Duplicate). */
    public boolean legacy() {
        return legacy;
    }

    /** Whether this copy is the one to count (valid, canonical, not a re-send or a Duplicate copy). */
    public boolean counts() {
        return role == Role.PRIMARY;
    }

    /** Places the message on {@code partitions} partitions round-robin, as FLP's writer does. */
    public KafkaMessage toKafkaMessage(String topic, int partitions, long timestampMs) {
        return new KafkaMessage(topic, (int) (index % partitions), index / partitions, timestampMs, value);
    }

    @Override
    public String toString() {
        return "#" + index + " " + role + " " + scenario + (expectedReason != null ? " " + expectedReason : "")
                + " flow " + flowId + "/" + slice;
    }
}
