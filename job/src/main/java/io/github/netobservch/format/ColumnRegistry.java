package io.github.netobservch.format;

import static io.github.netobservch.format.ValueKind.BITS128;
import static io.github.netobservch.format.ValueKind.BOOL;
import static io.github.netobservch.format.ValueKind.FLOAT64;
import static io.github.netobservch.format.ValueKind.INT32;
import static io.github.netobservch.format.ValueKind.INT64;
import static io.github.netobservch.format.ValueKind.IP;
import static io.github.netobservch.format.ValueKind.LOW_CARDINALITY_STRING;
import static io.github.netobservch.format.ValueKind.LOW_CARDINALITY_STRING_ARRAY;
import static io.github.netobservch.format.ValueKind.MAC;
import static io.github.netobservch.format.ValueKind.NETWORK_EVENTS;
import static io.github.netobservch.format.ValueKind.RAW_JSON;
import static io.github.netobservch.format.ValueKind.STRING;
import static io.github.netobservch.format.ValueKind.TCP_FLAGS;
import static io.github.netobservch.format.ValueKind.TIMESTAMP_MS;
import static io.github.netobservch.format.ValueKind.TIMESTAMP_S;
import static io.github.netobservch.format.ValueKind.UINT16;
import static io.github.netobservch.format.ValueKind.UINT32;
import static io.github.netobservch.format.ValueKind.UINT64;
import static io.github.netobservch.format.ValueKind.UINT8;
import static io.github.netobservch.format.ValueKind.UINT8_ARRAY;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The column registry: the single list of every NetObserv field the job knows (JSON name, column
 * name, value kind, ClickHouse type), the columns the job derives, the Kafka provenance columns and
 * the {@code raw} column. DDL, parser, serializer and row encoder all iterate this list; the
 * declaration order below is the column order of the {@code flows} table.
 *
 * <p><b>Absent fields.</b> NetObserv omits fields that do not apply. Columns are non-{@code
 * Nullable} with the type's default ({@code ''}, {@code 0}, {@code []}, {@code ::}) wherever
 * "absent" and "default" mean the same thing for queries: an unresolved endpoint has no K8S
 * name, a UDP flow has no TCP flags, ICMP has no ports (the protocol tells), a flow without drops
 * dropped 0 packets. {@code Nullable} is used only where absence carries information that no other
 * column recovers <em>and</em> where aggregate functions must skip absent rows:
 *
 * <ul>
 *   <li>{@code flow_direction}: absent when FLP could not tell (Service↔external, external↔
 *       external, reporter neither host); the derived {@code direction} spells it {@code unknown}.
 *   <li>{@code dns_latency_ms}: absent = no DNS tracking for this flow; {@code 0} = a DNS query (or
 *       a response under 1 ms). {@code avg()} must skip flows without DNS; {@code dns_is_response}
 *       (the QR bit) separates queries from responses.
 *   <li>{@code time_flow_rtt_ns}, {@code max_time_flow_rtt_ns}: absent on the node without the
 *       TCP socket; a 0 would drag RTT averages and quantiles down.
 * </ul>
 *
 * <p><b>Addresses</b> are {@code IPv6} with IPv4 stored IPv4-mapped ({@code ::ffff:a.b.c.d}): one
 * fixed 16-byte type for mixed v4/v6 traffic, CIDR functions work on it, it round-trips through
 * RowBinary and JDBC, and {@code etype} still says which family the flow is.
 *
 * <p><b>Non-IP flows</b> (an {@code Etype} other than 2048/34525, e.g. ARP 2054 from agents up to
 * 1.6) have no L3/L4 fields: {@code src_addr}/{@code dst_addr} stay {@code ::}, {@code proto},
 * ports, ICMP, {@code dscp} 0 and flags empty, and {@code scope = 'non_ip'}. A real IPv4 {@code
 * 0.0.0.0} is stored {@code ::ffff:0.0.0.0}, never {@code ::}, and a real IPv6 {@code ::} has
 * {@code etype = 34525}; so {@code etype} (or {@code scope}) tells them apart. Not {@code
 * Nullable}: that rule is kept for absences no other column recovers. The 2022 agents wrote such
 * frames as {@code 0.0.0.0 → 0.0.0.0}, {@code Proto 0}; those placeholders are dropped the same
 * way (they stay in {@code raw}).
 *
 * <p><b>Legacy fields</b> ({@link LegacyField}) have no column of their own: {@code Interface} and
 * {@code IfDirection} (≤ 1.5) and {@code FlowDirections} (1.5 merge mode) fill {@code interfaces} /
 * {@code if_directions} when the current arrays are absent; numeric {@code Flags} (≤ 1.7) are
 * decoded to names; upper-case MACs (≤ 1.8) are lower-cased; {@code Duplicate} (≤ 1.7) keeps its
 * own column because dedup needs it. Unknown and legacy fields are always kept in {@code raw}.
 */
public final class ColumnRegistry {

    private static final List<Column> ALL = new ArrayList<>();
    private static int longSlots;
    private static int refSlots;

    // ---- always present on a regular flow record (docs/netobserv-format.md §2.1) ----
    public static final Column TIME_FLOW_START_MS = required("TimeFlowStartMs", TIMESTAMP_MS);
    public static final Column TIME_FLOW_END_MS = required("TimeFlowEndMs", TIMESTAMP_MS);
    /** Epoch <b>seconds</b> when FLP decoded the record; regenerated on reprocessing, so never part of an idempotency key. */
    public static final Column TIME_RECEIVED = json("TimeReceived", TIMESTAMP_S);

    public static final Column AGENT_IP = json("AgentIP", IP);
    public static final Column ETYPE = json("Etype", UINT16);
    public static final Column SRC_MAC = json("SrcMac", MAC);
    public static final Column DST_MAC = json("DstMac", MAC);
    /** {@code [0]} is the interface whose counters are reported; the others are "also seen on". */
    public static final Column INTERFACES = json("Interfaces", LOW_CARDINALITY_STRING_ARRAY);
    /** Parallel to interfaces: 0 ingress, 1 egress, 3 both (undocumented, non-first entries only). */
    public static final Column IF_DIRECTIONS = json("IfDirections", UINT8_ARRAY);

    public static final Column UDNS = json("Udns", LOW_CARDINALITY_STRING_ARRAY);
    /** Sampled bytes on the first interface; {@code skb->len} includes the L2 header. */
    public static final Column BYTES = json("Bytes", UINT64);

    public static final Column PACKETS = json("Packets", UINT32);
    /** Effective 1:N sampling ratio; absent (0) on agents before 1.8 or with sampling disabled. */
    public static final Column SAMPLING = json("Sampling", UINT32);

    public static final Column K8S_FLOW_LAYER = json("K8S_FlowLayer", LOW_CARDINALITY_STRING);

    // ---- layer 3 / layer 4 (docs/netobserv-format.md §2.2) ----
    /*
     * Required only on IP flows (Etype 2048/34525), checked by the parser: agents up to 1.6 also
     * exported non-IP frames (ARP) without L3/L4 fields. On a flow whose Etype is not IP every
     * L3/L4 column is left at its default, see the class comment.
     */
    public static final Column SRC_ADDR = json("SrcAddr", IP);
    public static final Column DST_ADDR = json("DstAddr", IP);
    public static final Column PROTO = json("Proto", UINT8);
    public static final Column DSCP = json("Dscp", UINT8, 63);
    public static final Column SRC_PORT = json("SrcPort", UINT16);
    public static final Column DST_PORT = json("DstPort", UINT16);
    public static final Column ICMP_TYPE = json("IcmpType", UINT8);
    public static final Column ICMP_CODE = json("IcmpCode", UINT8);
    public static final Column FLAGS = json("Flags", TCP_FLAGS);

    // ---- computed by FLP (docs/netobserv-format.md §2.3) ----
    public static final Column FLOW_DIRECTION = nullable("FlowDirection", UINT8);
    public static final Column SRC_SUBNET_LABEL = json("SrcSubnetLabel", LOW_CARDINALITY_STRING);
    public static final Column DST_SUBNET_LABEL = json("DstSubnetLabel", LOW_CARDINALITY_STRING);
    public static final Column K8S_CLUSTER_NAME = json("K8S_ClusterName", LOW_CARDINALITY_STRING);

    // ---- Kubernetes enrichment (docs/netobserv-format.md §2.4) ----
    public static final Column SRC_K8S_NAME = json("SrcK8S_Name", LOW_CARDINALITY_STRING);
    public static final Column SRC_K8S_TYPE = json("SrcK8S_Type", LOW_CARDINALITY_STRING);
    public static final Column SRC_K8S_NAMESPACE = json("SrcK8S_Namespace", LOW_CARDINALITY_STRING);
    public static final Column SRC_K8S_OWNER_NAME = json("SrcK8S_OwnerName", LOW_CARDINALITY_STRING);
    public static final Column SRC_K8S_OWNER_TYPE = json("SrcK8S_OwnerType", LOW_CARDINALITY_STRING);
    public static final Column SRC_K8S_HOST_IP = json("SrcK8S_HostIP", IP);
    public static final Column SRC_K8S_HOST_NAME = json("SrcK8S_HostName", LOW_CARDINALITY_STRING);
    public static final Column SRC_K8S_ZONE = json("SrcK8S_Zone", LOW_CARDINALITY_STRING);
    public static final Column SRC_K8S_NETWORK_NAME = json("SrcK8S_NetworkName", LOW_CARDINALITY_STRING);
    public static final Column DST_K8S_NAME = json("DstK8S_Name", LOW_CARDINALITY_STRING);
    public static final Column DST_K8S_TYPE = json("DstK8S_Type", LOW_CARDINALITY_STRING);
    public static final Column DST_K8S_NAMESPACE = json("DstK8S_Namespace", LOW_CARDINALITY_STRING);
    public static final Column DST_K8S_OWNER_NAME = json("DstK8S_OwnerName", LOW_CARDINALITY_STRING);
    public static final Column DST_K8S_OWNER_TYPE = json("DstK8S_OwnerType", LOW_CARDINALITY_STRING);
    public static final Column DST_K8S_HOST_IP = json("DstK8S_HostIP", IP);
    public static final Column DST_K8S_HOST_NAME = json("DstK8S_HostName", LOW_CARDINALITY_STRING);
    public static final Column DST_K8S_ZONE = json("DstK8S_Zone", LOW_CARDINALITY_STRING);
    public static final Column DST_K8S_NETWORK_NAME = json("DstK8S_NetworkName", LOW_CARDINALITY_STRING);
    public static final Column XLAT_SRC_K8S_NAME = json("XlatSrcK8S_Name", LOW_CARDINALITY_STRING);
    public static final Column XLAT_SRC_K8S_TYPE = json("XlatSrcK8S_Type", LOW_CARDINALITY_STRING);
    public static final Column XLAT_SRC_K8S_NAMESPACE = json("XlatSrcK8S_Namespace", LOW_CARDINALITY_STRING);
    public static final Column XLAT_SRC_K8S_OWNER_NAME = json("XlatSrcK8S_OwnerName", LOW_CARDINALITY_STRING);
    public static final Column XLAT_SRC_K8S_OWNER_TYPE = json("XlatSrcK8S_OwnerType", LOW_CARDINALITY_STRING);
    public static final Column XLAT_SRC_K8S_NETWORK_NAME = json("XlatSrcK8S_NetworkName", LOW_CARDINALITY_STRING);
    public static final Column XLAT_SRC_K8S_HOST_IP = json("XlatSrcK8S_HostIP", IP);
    public static final Column XLAT_SRC_K8S_HOST_NAME = json("XlatSrcK8S_HostName", LOW_CARDINALITY_STRING);
    public static final Column XLAT_DST_K8S_NAME = json("XlatDstK8S_Name", LOW_CARDINALITY_STRING);
    public static final Column XLAT_DST_K8S_TYPE = json("XlatDstK8S_Type", LOW_CARDINALITY_STRING);
    public static final Column XLAT_DST_K8S_NAMESPACE = json("XlatDstK8S_Namespace", LOW_CARDINALITY_STRING);
    public static final Column XLAT_DST_K8S_OWNER_NAME = json("XlatDstK8S_OwnerName", LOW_CARDINALITY_STRING);
    public static final Column XLAT_DST_K8S_OWNER_TYPE = json("XlatDstK8S_OwnerType", LOW_CARDINALITY_STRING);
    public static final Column XLAT_DST_K8S_NETWORK_NAME = json("XlatDstK8S_NetworkName", LOW_CARDINALITY_STRING);
    public static final Column XLAT_DST_K8S_HOST_IP = json("XlatDstK8S_HostIP", IP);
    public static final Column XLAT_DST_K8S_HOST_NAME = json("XlatDstK8S_HostName", LOW_CARDINALITY_STRING);

    // ---- agent features (docs/netobserv-format.md §2.5) ----
    public static final Column DNS_ID = json("DnsId", UINT16);
    /** Raw DNS header flags; QR bit 0x8000 set on responses. */
    public static final Column DNS_FLAGS = json("DnsFlags", UINT16);

    public static final Column DNS_FLAGS_RESPONSE_CODE = json("DnsFlagsResponseCode", LOW_CARDINALITY_STRING);
    /** Request→response ms, computed on the response; queries carry 0. */
    public static final Column DNS_LATENCY_MS = nullable("DnsLatencyMs", UINT64);
    /** Queried name, truncated to 32 bytes by the kernel buffer. */
    public static final Column DNS_NAME = json("DnsName", STRING);

    public static final Column DNS_ERRNO = json("DnsErrno", UINT8);
    /** TCP smoothed RTT in <b>nanoseconds</b>; only on the node hosting a local socket. */
    public static final Column TIME_FLOW_RTT_NS = nullable("TimeFlowRttNs", UINT64);
    /*
     * The kernel drop counters are uint16 per slice, but conversation records (docs/netobserv-format.md §2.6) carry sums
     * under the same names, so the columns use the Bytes/Packets widths instead.
     */
    public static final Column PKT_DROP_BYTES = json("PktDropBytes", UINT64);
    public static final Column PKT_DROP_PACKETS = json("PktDropPackets", UINT32);
    public static final Column PKT_DROP_LATEST_DROP_CAUSE = json("PktDropLatestDropCause", LOW_CARDINALITY_STRING);
    public static final Column PKT_DROP_LATEST_STATE = json("PktDropLatestState", LOW_CARDINALITY_STRING);
    /** TCP flags of the latest dropped packet, left as a numeric bitmask by FLP. */
    public static final Column PKT_DROP_LATEST_FLAGS = json("PktDropLatestFlags", UINT16);

    public static final Column NETWORK_EVENTS_COL = json("NetworkEvents", NETWORK_EVENTS);
    public static final Column XLAT_SRC_ADDR = json("XlatSrcAddr", IP);
    public static final Column XLAT_DST_ADDR = json("XlatDstAddr", IP);
    public static final Column XLAT_SRC_PORT = json("XlatSrcPort", UINT16);
    public static final Column XLAT_DST_PORT = json("XlatDstPort", UINT16);
    public static final Column ZONE_ID = json("ZoneId", UINT16);
    public static final Column IPSEC_STATUS = json("IPSecStatus", LOW_CARDINALITY_STRING);
    public static final Column IPSEC_RET_CODE = json("IPSecRetCode", INT32);
    public static final Column TLS_VERSION = json("TLSVersion", LOW_CARDINALITY_STRING);
    public static final Column TLS_TYPES = json("TLSTypes", LOW_CARDINALITY_STRING_ARRAY);
    public static final Column TLS_CIPHER_SUITE = json("TLSCipherSuite", LOW_CARDINALITY_STRING);
    public static final Column TLS_GROUP = json("TLSGroup", LOW_CARDINALITY_STRING);
    public static final Column QUIC_VERSION = json("QuicVersion", LOW_CARDINALITY_STRING);
    public static final Column QUIC_SEEN_LONG_HDR = json("QuicSeenLongHdr", UINT8);
    public static final Column QUIC_SEEN_SHORT_HDR = json("QuicSeenShortHdr", UINT8);

    // ---- conversation tracking (docs/netobserv-format.md §2.6) ----
    /** {@code flowLog}, {@code newConnection}, {@code heartbeat}, {@code endConnection}; absent is normalised to {@code flowLog}. */
    public static final Column RECORD_TYPE = json("_RecordType", LOW_CARDINALITY_STRING);

    public static final Column HASH_ID = json("_HashId", STRING);
    public static final Column IS_FIRST = json("_IsFirst", BOOL);
    public static final Column NUM_FLOW_LOGS = json("numFlowLogs", UINT64);
    public static final Column BYTES_AB = json("Bytes_AB", UINT64);
    public static final Column BYTES_BA = json("Bytes_BA", UINT64);
    public static final Column PACKETS_AB = json("Packets_AB", UINT64);
    public static final Column PACKETS_BA = json("Packets_BA", UINT64);
    public static final Column PKT_DROP_BYTES_AB = json("PktDropBytes_AB", UINT64);
    public static final Column PKT_DROP_BYTES_BA = json("PktDropBytes_BA", UINT64);
    public static final Column PKT_DROP_PACKETS_AB = json("PktDropPackets_AB", UINT64);
    public static final Column PKT_DROP_PACKETS_BA = json("PktDropPackets_BA", UINT64);
    public static final Column MAX_TIME_FLOW_RTT_NS = nullable("MaxTimeFlowRttNs", UINT64);

    // ---- legacy field with its own column (docs/netobserv-format.md §2.7, §3.2) ----
    /** "Already reported on another interface of this node" (≤ 1.7); missing means false. */
    public static final Column DUPLICATE = json("Duplicate", BOOL);

    // ---- derived by the job (parse-time normalisation and enrichment) ----
    /** TCP flags as a bitmask (FIN=1 … RST_ACK=1024), from either era's {@code Flags}. */
    public static final Column TCP_FLAGS_MASK =
            derived("tcp_flags_mask", UINT16, "TCP flags bitmask from Flags (names or legacy number)");

    public static final Column DURATION_MS = derived("duration_ms", UINT64, "TimeFlowEndMs - TimeFlowStartMs");
    public static final Column DIRECTION =
            derived("direction", LOW_CARDINALITY_STRING, "ingress/egress/inner/unknown from FlowDirection");
    public static final Column SCOPE = derived("scope", LOW_CARDINALITY_STRING, "traffic scope class");
    public static final Column PROTO_NAME = derived("proto_name", LOW_CARDINALITY_STRING, "IANA protocol keyword");
    public static final Column BYTES_PER_SECOND =
            derived("bytes_per_second", FLOAT64, "sampled bytes over max(duration, 1 s)");
    public static final Column PACKETS_PER_SECOND =
            derived("packets_per_second", FLOAT64, "sampled packets over max(duration, 1 s)");
    public static final Column BYTES_ESTIMATED = derived("bytes_estimated", UINT64, "Bytes x max(Sampling, 1)");
    public static final Column PACKETS_ESTIMATED = derived("packets_estimated", UINT64, "Packets x max(Sampling, 1)");
    public static final Column DNS_IS_RESPONSE = derived("dns_is_response", BOOL, "QR bit of DnsFlags");
    public static final Column FLOW_KEY_HASH = derived("flow_key_hash", UINT64, "64-bit hash of cluster + 7-tuple");
    public static final Column IS_CANONICAL = derived("is_canonical", BOOL, "canonical reporter of a cross-node pair");

    // ---- Kafka provenance ----
    public static final Column KAFKA_TOPIC = kafka("kafka_topic", LOW_CARDINALITY_STRING);
    public static final Column KAFKA_PARTITION = kafka("kafka_partition", INT32);
    public static final Column KAFKA_OFFSET = kafka("kafka_offset", INT64);
    public static final Column KAFKA_TIMESTAMP = kafka("kafka_timestamp", TIMESTAMP_MS);

    // ---- the original message ----
    public static final Column RAW = add(new Column(
            ALL.size(),
            "raw",
            null,
            Column.Origin.RAW,
            RAW_JSON,
            false,
            false,
            0,
            "ZSTD(3)",
            "the message as received (raw.policy whole) or the fields no column gives back (unmapped); read record for the whole record",
            -1,
            refSlots++));

    // ---- added by migrations (ALTER TABLE … ADD COLUMN appends, so these follow raw) ----
    /**
     * Optional fields whose value did not fit their column (a string where a number was, a sum
     * above the column's range, …), as {@code Field:REASON} ({@code Flags:WRONG_TYPE}). The flow is
     * loaded with those columns empty; the original value stays in {@code raw}. Empty for almost
     * every row. V004.
     */
    public static final Column PARSE_WARNINGS = derived(
            "parse_warnings",
            LOW_CARDINALITY_STRING_ARRAY,
            "optional fields left empty because their value did not fit: Field:REASON");

    /**
     * In rows written under {@code raw.policy} unmapped or none by jobs before schema V008 (which
     * write {@link #RAW_KEY_BITS} instead and leave this empty): the message's keys, in its order,
     * comma-separated — every key under unmapped (a residue key, whose value is in raw, with a {@code !}
     * in front), the keys the columns hold under none; empty under
     * whole. Tells absent from default ({@code Dscp} missing vs {@code 0}) so that the {@code record}
     * alias rebuilds exactly the fields the message had. A handful of distinct values (one per
     * producer version and record kind), so it costs next to nothing stored.
     */
    public static final Column RAW_KEYS = derived(
            "raw_keys",
            LOW_CARDINALITY_STRING,
            "rows written before V008 under raw.policy unmapped/none: the message keys in order, residue keys with a ! (empty: see raw_key_bits)");

    /**
     * Under {@code raw.policy} unmapped or none (V008, replacing {@link #RAW_KEYS} for new rows): which
     * of the message's fields the columns give back, one bit per JSON column ({@link #keyBit}), so
     * that the {@code record} of {@code flows_record} rebuilds exactly the fields the message had
     * ({@code Dscp} missing vs {@code 0}); the other fields are in {@code raw}. 0 under whole (and in
     * rows written before V008, which have {@code raw_keys}). Sixteen bytes a row between the job's
     * operators and to ClickHouse, where the key list was ~500.
     */
    public static final Column RAW_KEY_BITS = define(
            "raw_key_bits",
            null,
            Column.Origin.DERIVED,
            BITS128,
            false,
            false,
            0,
            "ZSTD(1)", // 0.8 B/row where LZ4 took 2.3: a few dozen values interleaved (measured, V008)
            "the message fields the columns hold, bit n for the n-th JSON column (raw.policy unmapped/none; 0: see raw_keys)");

    // ---- internal: carried with the record, never stored in ClickHouse ----
    /**
     * Order-independent hash of the fields the parser did not type: unknown keys and the values
     * behind {@link #PARSE_WARNINGS}. Absent when there are none. Part of the dedup re-send
     * fingerprint, so two records that differ only there are not taken for a re-send.
     */
    public static final Column UNTYPED_FIELDS_HASH =
            define("_untyped_fields_hash", null, Column.Origin.INTERNAL, INT64, false, false, INT64.max(), null, null);

    private static final List<Column> SLOTS = Collections.unmodifiableList(new ArrayList<>(ALL));
    private static final List<Column> COLUMNS =
            SLOTS.stream().filter(c -> c.origin() != Column.Origin.INTERNAL).toList();
    private static final Map<String, Column> BY_NAME = new HashMap<>();
    private static final Map<String, Column> BY_JSON_NAME = new HashMap<>();
    /** Per slot: its bit in {@link #RAW_KEY_BITS} (JSON columns, in declaration order), or -1. */
    private static final int[] KEY_BITS = keyBits();

    private static final int LONG_SLOTS = longSlots;
    private static final int REF_SLOTS = refSlots;

    static {
        for (int i = 0; i < SLOTS.size(); i++) {
            if ((SLOTS.get(i).origin() == Column.Origin.INTERNAL) != (i >= COLUMNS.size())) {
                throw new IllegalStateException("internal columns must be declared after every stored column");
            }
        }
        for (Column c : SLOTS) {
            if (BY_NAME.put(c.name(), c) != null) {
                throw new IllegalStateException("duplicate column name " + c.name());
            }
            if (c.jsonName() != null && BY_JSON_NAME.put(c.jsonName(), c) != null) {
                throw new IllegalStateException("duplicate JSON name " + c.jsonName());
            }
        }
    }

    private ColumnRegistry() {}

    /**
     * The column's bit in {@link #RAW_KEY_BITS}: its position among the JSON columns in declaration
     * order, or -1 for a column without a JSON key. Stored rows depend on it, so JSON columns are only
     * ever appended (as ALTER TABLE … ADD COLUMN appends them anyway); {@code ColumnRegistryTest}
     * pins the bits given so far.
     */
    public static int keyBit(Column c) {
        return keyBit(c.index());
    }

    /** {@link #keyBit(Column)} of the slot at {@code index} (parsers, which hold slot indexes). */
    public static int keyBit(int index) {
        return KEY_BITS[index];
    }

    private static int[] keyBits() {
        int[] bits = new int[ALL.size()];
        int next = 0;
        for (Column c : ALL) {
            bits[c.index()] = c.jsonName() != null ? next++ : -1;
        }
        if (next > 128) {
            throw new IllegalStateException(next + " JSON columns: raw_key_bits holds 128");
        }
        return bits;
    }

    /** The stored columns, in table order (DDL, row encoders, schema checks). */
    public static List<Column> columns() {
        return COLUMNS;
    }

    /**
     * Every slot of a {@link FlowRecord}: the stored columns followed by the {@link
     * Column.Origin#INTERNAL} ones (serializers, which carry records between operators).
     */
    public static List<Column> slots() {
        return SLOTS;
    }

    /** Number of {@link #slots()}; a column's {@link Column#index()} is below it. */
    public static int size() {
        return SLOTS.size();
    }

    /** The slot at {@code index} (stored or internal). */
    public static Column column(int index) {
        return SLOTS.get(index);
    }

    /** Column by ClickHouse name, or {@code null}. */
    public static Column byName(String name) {
        return BY_NAME.get(name);
    }

    /** Column by current NetObserv JSON key, or {@code null} (legacy keys: {@link LegacyField#of}). */
    public static Column byJsonName(String jsonName) {
        return BY_JSON_NAME.get(jsonName);
    }

    /** Immutable map JSON key → column, for parsers. */
    public static Map<String, Column> jsonIndex() {
        return Collections.unmodifiableMap(BY_JSON_NAME);
    }

    static int longSlotCount() {
        return LONG_SLOTS;
    }

    static int refSlotCount() {
        return REF_SLOTS;
    }

    /** The column list of {@code CREATE TABLE}, one definition per line, comma-separated. */
    public static String createTableColumns() {
        StringJoiner j = new StringJoiner(",\n    ", "    ", "");
        for (Column c : COLUMNS) {
            j.add(c.ddl());
        }
        return j.toString();
    }

    /** A complete {@code CREATE TABLE} statement body for the given table and engine clause. */
    public static String createTable(String table, String engineAndOrderBy) {
        return "CREATE TABLE IF NOT EXISTS " + table + "\n(\n" + createTableColumns() + "\n)\n" + engineAndOrderBy;
    }

    // ---- declaration helpers (run in textual order during class initialisation) ----

    private static Column json(String jsonName, ValueKind kind) {
        return json(jsonName, kind, kind.max());
    }

    private static Column json(String jsonName, ValueKind kind, long max) {
        return define(
                ColumnNames.columnName(jsonName), jsonName, Column.Origin.JSON, kind, false, false, max, null, null);
    }

    private static Column required(String jsonName, ValueKind kind) {
        return define(
                ColumnNames.columnName(jsonName),
                jsonName,
                Column.Origin.JSON,
                kind,
                false,
                true,
                kind.max(),
                null,
                null);
    }

    private static Column nullable(String jsonName, ValueKind kind) {
        return define(
                ColumnNames.columnName(jsonName),
                jsonName,
                Column.Origin.JSON,
                kind,
                true,
                false,
                kind.max(),
                null,
                null);
    }

    private static Column derived(String name, ValueKind kind, String comment) {
        return define(name, null, Column.Origin.DERIVED, kind, false, false, kind.max(), null, comment);
    }

    private static Column kafka(String name, ValueKind kind) {
        return define(name, null, Column.Origin.KAFKA, kind, false, false, kind.max(), null, null);
    }

    private static Column define(
            String name,
            String jsonName,
            Column.Origin origin,
            ValueKind kind,
            boolean nullable,
            boolean required,
            long max,
            String codec,
            String comment) {
        int longSlot = -1;
        int refSlot = -1;
        switch (kind.storage()) {
            case LONG:
                longSlot = longSlots++;
                break;
            case LONG2:
                longSlot = longSlots;
                longSlots += 2;
                break;
            default:
                refSlot = refSlots++;
        }
        return add(new Column(
                ALL.size(), name, jsonName, origin, kind, nullable, required, max, codec, comment, longSlot, refSlot));
    }

    private static Column add(Column c) {
        ALL.add(c);
        return c;
    }
}
