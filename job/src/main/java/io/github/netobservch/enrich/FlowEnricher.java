package io.github.netobservch.enrich;

import static io.github.netobservch.format.ColumnRegistry.BYTES;
import static io.github.netobservch.format.ColumnRegistry.BYTES_ESTIMATED;
import static io.github.netobservch.format.ColumnRegistry.BYTES_PER_SECOND;
import static io.github.netobservch.format.ColumnRegistry.DIRECTION;
import static io.github.netobservch.format.ColumnRegistry.DNS_FLAGS;
import static io.github.netobservch.format.ColumnRegistry.DNS_ID;
import static io.github.netobservch.format.ColumnRegistry.DNS_IS_RESPONSE;
import static io.github.netobservch.format.ColumnRegistry.DST_K8S_HOST_IP;
import static io.github.netobservch.format.ColumnRegistry.DST_K8S_TYPE;
import static io.github.netobservch.format.ColumnRegistry.DST_SUBNET_LABEL;
import static io.github.netobservch.format.ColumnRegistry.DURATION_MS;
import static io.github.netobservch.format.ColumnRegistry.FLOW_DIRECTION;
import static io.github.netobservch.format.ColumnRegistry.FLOW_KEY_HASH;
import static io.github.netobservch.format.ColumnRegistry.IS_CANONICAL;
import static io.github.netobservch.format.ColumnRegistry.PACKETS;
import static io.github.netobservch.format.ColumnRegistry.PACKETS_ESTIMATED;
import static io.github.netobservch.format.ColumnRegistry.PACKETS_PER_SECOND;
import static io.github.netobservch.format.ColumnRegistry.PROTO;
import static io.github.netobservch.format.ColumnRegistry.PROTO_NAME;
import static io.github.netobservch.format.ColumnRegistry.SAMPLING;
import static io.github.netobservch.format.ColumnRegistry.SCOPE;
import static io.github.netobservch.format.ColumnRegistry.SRC_K8S_HOST_IP;
import static io.github.netobservch.format.ColumnRegistry.SRC_K8S_TYPE;
import static io.github.netobservch.format.ColumnRegistry.SRC_SUBNET_LABEL;
import static io.github.netobservch.format.ColumnRegistry.TIME_FLOW_END_MS;
import static io.github.netobservch.format.ColumnRegistry.TIME_FLOW_START_MS;

import io.github.netobservch.format.Column;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.format.Utf8Text;
import java.math.BigInteger;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Computes the derived columns of a parsed record, in place. Stateless and cheap; {@link
 * io.github.netobservch.parse.FlowParseFunction} calls {@link #enrich} itself by default, because a
 * separate chained operator would deep-copy every record when object reuse is off.
 *
 * <p>Traps this class encodes (docs/netobserv-format.md §2):
 *
 * <ul>
 *   <li>{@code Bytes} counts {@code skb->len} at the TC hook, which <b>includes the L2 header</b>
 *       (a bare ACK is 66 B): rates and estimates are L2 volumes, not IP payload.
 *   <li>{@code Bytes}/{@code Packets} are <b>sampled</b> counts; NetObserv never scales them.
 *       {@code *_estimated} = count × max(Sampling, 1) (absent or 0 sampling means 1:1).
 *   <li>{@code TimeReceived} is in epoch <b>seconds</b> (not ms) and is regenerated when FLP
 *       reprocesses a record: it is not used here and must stay out of idempotency keys.
 *   <li>{@code DnsName} is truncated to 32 bytes by the kernel buffer; {@code DnsLatencyMs} is only
 *       meaningful on responses (queries carry 0): {@code dns_is_response} is the QR bit.
 *   <li>{@code TimeFlowRttNs} is nanoseconds and only present on the node owning the TCP socket.
 * </ul>
 */
public final class FlowEnricher implements MapFunction<FlowRecord, FlowRecord> {

    private static final long serialVersionUID = 1L;
    private static final Utf8Text NO_TEXT = Utf8Text.of("");

    /** Rates of slices shorter than this use this window (single-packet slices have duration 0). */
    public static final long MIN_RATE_WINDOW_MS = 1000;

    private static final int DNS_QR_BIT = 0x8000;

    @Override
    public FlowRecord map(FlowRecord r) {
        enrich(r);
        return r;
    }

    /** Sets every derived column of {@code r} (parse-time ones excepted); returns {@code r}. */
    public static FlowRecord enrich(FlowRecord r) {
        long duration = r.getLong(TIME_FLOW_END_MS) - r.getLong(TIME_FLOW_START_MS);
        if (duration < 0) {
            duration = 0; // the parser rejects end < start; stay safe for hand-built records
        }
        r.setLong(DURATION_MS, duration);

        Direction direction = Direction.of(r.has(FLOW_DIRECTION), r.getLong(FLOW_DIRECTION));
        r.setString(DIRECTION, direction.codeText());
        r.setString(SCOPE, scope(r).codeText());
        r.setString(PROTO_NAME, FlowKey.hasL3(r) ? ProtocolNames.text((int) r.getLong(PROTO)) : NO_TEXT);

        long bytes = r.getLong(BYTES);
        long packets = r.getLong(PACKETS);
        double window = Math.max(duration, MIN_RATE_WINDOW_MS) / 1000.0;
        r.setDouble(BYTES_PER_SECOND, unsignedToDouble(bytes) / window);
        r.setDouble(PACKETS_PER_SECOND, packets / window);
        long sampling = Math.max(1L, r.getLong(SAMPLING));
        r.setLong(BYTES_ESTIMATED, saturatingUnsignedMultiply(bytes, sampling));
        r.setLong(PACKETS_ESTIMATED, saturatingUnsignedMultiply(packets, sampling));

        if (r.has(DNS_ID) || r.has(DNS_FLAGS)) {
            r.setBool(DNS_IS_RESPONSE, (r.getLong(DNS_FLAGS) & DNS_QR_BIT) != 0);
        }
        r.setLong(FLOW_KEY_HASH, FlowKey.hashOf(r));
        r.setBool(IS_CANONICAL, isCanonical(direction, r));
        return r;
    }

    /** Traffic scope class, see {@link TrafficScope}. */
    public static TrafficScope scope(FlowRecord r) {
        if (!FlowKey.hasL3(r)) {
            return TrafficScope.NON_IP;
        }
        boolean srcExternal = isExternal(r, SRC_K8S_TYPE, SRC_SUBNET_LABEL);
        boolean dstExternal = isExternal(r, DST_K8S_TYPE, DST_SUBNET_LABEL);
        if (srcExternal && dstExternal) {
            return TrafficScope.EXTERNAL;
        }
        if (dstExternal) {
            return TrafficScope.TO_EXTERNAL;
        }
        if (srcExternal) {
            return TrafficScope.FROM_EXTERNAL;
        }
        String srcType = r.getString(SRC_K8S_TYPE);
        String dstType = r.getString(DST_K8S_TYPE);
        if ("Service".equals(srcType) || "Service".equals(dstType)) {
            return TrafficScope.SERVICE;
        }
        if ("Node".equals(srcType) || "Node".equals(dstType)) {
            return TrafficScope.HOST_NETWORK;
        }
        if (r.has(SRC_K8S_HOST_IP) && r.has(DST_K8S_HOST_IP)) {
            boolean same = r.ipHigh(SRC_K8S_HOST_IP) == r.ipHigh(DST_K8S_HOST_IP)
                    && r.ipLow(SRC_K8S_HOST_IP) == r.ipLow(DST_K8S_HOST_IP);
            return same ? TrafficScope.SAME_NODE : TrafficScope.CROSS_NODE;
        }
        return TrafficScope.UNKNOWN;
    }

    private static boolean isExternal(FlowRecord r, Column type, Column label) {
        if (r.has(type)) {
            return false;
        }
        String l = r.getString(label);
        return l.isEmpty() || l.startsWith("EXT:");
    }

    /**
     * Stateless canonical-reporter predicate (docs/netobserv-format.md §3.3, the console's topology rule): ingress or inner
     * copies, plus egress copies whose destination is outside the cluster or a Service (only one
     * node sees those). Records without {@code FlowDirection} are seen by one node only and count
     * as canonical.
     */
    public static boolean isCanonical(Direction direction, FlowRecord r) {
        switch (direction) {
            case INGRESS:
            case INNER:
            case UNKNOWN:
                return true;
            case EGRESS:
                return !r.has(DST_K8S_TYPE) || "Service".equals(r.getString(DST_K8S_TYPE));
            default:
                throw new IllegalStateException(direction.name());
        }
    }

    static double unsignedToDouble(long v) {
        return v >= 0 ? v : (double) (v >>> 1) * 2.0;
    }

    /** {@code a × b} for unsigned {@code a} and positive {@code b}, saturating at 2^64-1. */
    static long saturatingUnsignedMultiply(long a, long b) {
        if (a >= 0 && Math.multiplyHigh(a, b) == 0) {
            long p = a * b;
            if (p >= 0) {
                return p;
            }
        }
        BigInteger p = new BigInteger(Long.toUnsignedString(a)).multiply(BigInteger.valueOf(b));
        return p.bitLength() > 64 ? -1L : p.longValue();
    }
}
