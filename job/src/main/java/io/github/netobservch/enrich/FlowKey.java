package io.github.netobservch.enrich;

import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.format.IpAddresses;
import java.util.Objects;

/**
 * Identity of "the same unidirectional flow" for dedup (docs/netobserv-format.md §3.4): cluster
 * name plus the kernel 7-tuple (src/dst address, src/dst port, protocol, ICMP type and code); for a
 * non-IP flow (no L3 addresses, e.g. ARP), cluster name, ethertype and the two MACs.
 * Endpoints are <em>not</em> sorted: A→B and B→A are different flows. The reporter ({@code
 * AgentIP}) and the time slice are deliberately not part of it, so both nodes' copies and all
 * successive slices of one flow meet under one key.
 *
 * <p>A Flink POJO (public fields, no-arg constructor) with a deterministic {@link #hashCode()}, so
 * it can be used directly with {@code keyBy(new FlowKeySelector())}. For a compact state key use
 * {@link #hash64()} / {@code keyBy(new FlowKeyHashSelector())} (a 64-bit collision between two
 * live flows is astronomically unlikely).
 */
public class FlowKey {

    public String cluster = "";
    public long srcHigh;
    public long srcLow;
    public long dstHigh;
    public long dstLow;
    public int srcPort;
    public int dstPort;
    public int proto;
    public int icmpType;
    public int icmpCode;
    /** Non-IP flows (no L3 addresses, e.g. ARP): keyed by ethertype and MACs instead of the 7-tuple. */
    public boolean nonIp;

    public int etype;
    public String srcMac = "";
    public String dstMac = "";

    public FlowKey() {}

    /**
     * Whether a record carries L3 addresses. The parser clears them on a flow whose {@code Etype}
     * is not IPv4/IPv6 and requires both on IP flows, so this is "an IP flow" for every parsed record.
     */
    public static boolean hasL3(FlowRecord r) {
        return r.has(ColumnRegistry.SRC_ADDR) || r.has(ColumnRegistry.DST_ADDR);
    }

    /**
     * Whether a record is a conversation-tracking record ({@code _RecordType} {@code newConnection},
     * {@code heartbeat}, {@code endConnection}) rather than a flow log (absent or {@code flowLog}).
     */
    public static boolean isConversationRecord(FlowRecord r) {
        return r.has(ColumnRegistry.RECORD_TYPE) && !"flowLog".equals(r.getString(ColumnRegistry.RECORD_TYPE));
    }

    /**
     * The dedup state key of a conversation record with flow key hash {@code h}: a different key
     * than the flow logs of the same 7-tuple, so conversation records never meet the reporter
     * election of flow logs.
     */
    public static long conversationStateKey(long h) {
        return fmix(h ^ 0x636F6E7665727361L); // "conversa"
    }

    /** The key of a parsed record (absent ports/ICMP fields count as 0, absent cluster as ""). */
    public static FlowKey of(FlowRecord r) {
        FlowKey k = new FlowKey();
        k.cluster = r.getString(ColumnRegistry.K8S_CLUSTER_NAME);
        if (!hasL3(r)) {
            k.nonIp = true;
            k.etype = (int) r.getLong(ColumnRegistry.ETYPE);
            k.srcMac = r.getString(ColumnRegistry.SRC_MAC);
            k.dstMac = r.getString(ColumnRegistry.DST_MAC);
            return k;
        }
        k.srcHigh = r.ipHigh(ColumnRegistry.SRC_ADDR);
        k.srcLow = r.ipLow(ColumnRegistry.SRC_ADDR);
        k.dstHigh = r.ipHigh(ColumnRegistry.DST_ADDR);
        k.dstLow = r.ipLow(ColumnRegistry.DST_ADDR);
        k.srcPort = (int) r.getLong(ColumnRegistry.SRC_PORT);
        k.dstPort = (int) r.getLong(ColumnRegistry.DST_PORT);
        k.proto = (int) r.getLong(ColumnRegistry.PROTO);
        k.icmpType = (int) r.getLong(ColumnRegistry.ICMP_TYPE);
        k.icmpCode = (int) r.getLong(ColumnRegistry.ICMP_CODE);
        return k;
    }

    /**
     * Stable 64-bit hash (the {@code flow_key_hash} column): FNV-1a-64 over the cluster name's
     * UTF-16 code units, then the murmur3 64-bit finaliser chained over the address halves and one
     * word packing ports, protocol and ICMP type/code. Depends on nothing JVM-specific; changing it
     * changes stored values and state keys, so treat it as a format change.
     */
    public long hash64() {
        if (nonIp) {
            return hashNonIp(cluster, etype, srcMac, dstMac);
        }
        return hash(cluster, srcHigh, srcLow, dstHigh, dstLow, srcPort, dstPort, proto, icmpType, icmpCode);
    }

    /** Same as {@code FlowKey.of(r).hash64()} without allocating the key. */
    public static long hashOf(FlowRecord r) {
        if (!hasL3(r)) {
            return hashNonIp(
                    r.getString(ColumnRegistry.K8S_CLUSTER_NAME),
                    (int) r.getLong(ColumnRegistry.ETYPE),
                    r.getString(ColumnRegistry.SRC_MAC),
                    r.getString(ColumnRegistry.DST_MAC));
        }
        return hash(
                r.getString(ColumnRegistry.K8S_CLUSTER_NAME),
                r.ipHigh(ColumnRegistry.SRC_ADDR),
                r.ipLow(ColumnRegistry.SRC_ADDR),
                r.ipHigh(ColumnRegistry.DST_ADDR),
                r.ipLow(ColumnRegistry.DST_ADDR),
                (int) r.getLong(ColumnRegistry.SRC_PORT),
                (int) r.getLong(ColumnRegistry.DST_PORT),
                (int) r.getLong(ColumnRegistry.PROTO),
                (int) r.getLong(ColumnRegistry.ICMP_TYPE),
                (int) r.getLong(ColumnRegistry.ICMP_CODE));
    }

    static long hash(String cluster, long sh, long sl, long dh, long dl, int sp, int dp, int proto, int it, int ic) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < cluster.length(); i++) {
            h ^= cluster.charAt(i);
            h *= 0x100000001b3L;
        }
        long ports = ((long) (sp & 0xFFFF) << 48)
                | ((long) (dp & 0xFFFF) << 32)
                | ((long) (proto & 0xFF) << 16)
                | ((long) (it & 0xFF) << 8)
                | (ic & 0xFF);
        h = fmix(h ^ 0x9E3779B97F4A7C15L);
        h = fmix(h ^ sh) + 0x9E3779B97F4A7C15L;
        h = fmix(h ^ sl) + 0x9E3779B97F4A7C15L;
        h = fmix(h ^ dh) + 0x9E3779B97F4A7C15L;
        h = fmix(h ^ dl) + 0x9E3779B97F4A7C15L;
        return fmix(h ^ ports);
    }

    /**
     * Key of a non-IP flow: cluster, ethertype and both MACs (what the agents of that era keyed such
     * frames by, besides the interface). A different seed than {@link #hash}, so it cannot equal an IP key by
     * construction of its inputs.
     */
    static long hashNonIp(String cluster, int etype, String srcMac, String dstMac) {
        long h = 0x84222325cbf29ce4L;
        for (String s : new String[] {cluster, srcMac, dstMac}) {
            for (int i = 0; i < s.length(); i++) {
                h ^= s.charAt(i);
                h *= 0x100000001b3L;
            }
            h = fmix(h ^ s.length());
        }
        return fmix(h ^ (etype & 0xFFFFL) ^ 0x4E4F4E4950000000L); // "NONIP"
    }

    private static long fmix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof FlowKey)) {
            return false;
        }
        FlowKey k = (FlowKey) o;
        if (nonIp || k.nonIp) {
            return nonIp == k.nonIp
                    && etype == k.etype
                    && srcMac.equals(k.srcMac)
                    && dstMac.equals(k.dstMac)
                    && Objects.equals(cluster, k.cluster);
        }
        return srcHigh == k.srcHigh
                && srcLow == k.srcLow
                && dstHigh == k.dstHigh
                && dstLow == k.dstLow
                && srcPort == k.srcPort
                && dstPort == k.dstPort
                && proto == k.proto
                && icmpType == k.icmpType
                && icmpCode == k.icmpCode
                && Objects.equals(cluster, k.cluster);
    }

    /** Deterministic across JVMs (required for Flink key-group assignment). */
    @Override
    public int hashCode() {
        long h = hash64();
        return (int) (h ^ (h >>> 32));
    }

    @Override
    public String toString() {
        if (nonIp) {
            return (cluster.isEmpty() ? "" : cluster + ":") + "etype " + etype + " " + srcMac + " -> " + dstMac;
        }
        return (cluster.isEmpty() ? "" : cluster + ":") + IpAddresses.format(srcHigh, srcLow) + ":" + srcPort
                + " -> " + IpAddresses.format(dstHigh, dstLow) + ":" + dstPort + " proto " + proto
                + (icmpType != 0 || icmpCode != 0 ? " icmp " + icmpType + "/" + icmpCode : "");
    }
}
