package io.github.netobservch.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ColumnRegistryTest {

    /** Every current field name of docs/netobserv-format.md (§2.1–2.6), plus Duplicate (§2.7). */
    static final List<String> REFERENCE_FIELDS = List.of(
            "TimeFlowStartMs",
            "TimeFlowEndMs",
            "TimeReceived",
            "AgentIP",
            "Etype",
            "SrcMac",
            "DstMac",
            "Interfaces",
            "IfDirections",
            "Udns",
            "Bytes",
            "Packets",
            "Sampling",
            "K8S_FlowLayer",
            "SrcAddr",
            "DstAddr",
            "Proto",
            "Dscp",
            "SrcPort",
            "DstPort",
            "IcmpType",
            "IcmpCode",
            "Flags",
            "FlowDirection",
            "SrcSubnetLabel",
            "DstSubnetLabel",
            "K8S_ClusterName",
            "SrcK8S_Name",
            "SrcK8S_Type",
            "SrcK8S_Namespace",
            "SrcK8S_OwnerName",
            "SrcK8S_OwnerType",
            "SrcK8S_HostIP",
            "SrcK8S_HostName",
            "SrcK8S_Zone",
            "SrcK8S_NetworkName",
            "DstK8S_Name",
            "DstK8S_Type",
            "DstK8S_Namespace",
            "DstK8S_OwnerName",
            "DstK8S_OwnerType",
            "DstK8S_HostIP",
            "DstK8S_HostName",
            "DstK8S_Zone",
            "DstK8S_NetworkName",
            "XlatSrcK8S_Name",
            "XlatSrcK8S_Type",
            "XlatSrcK8S_Namespace",
            "XlatSrcK8S_OwnerName",
            "XlatSrcK8S_OwnerType",
            "XlatSrcK8S_NetworkName",
            "XlatSrcK8S_HostIP",
            "XlatSrcK8S_HostName",
            "XlatDstK8S_Name",
            "XlatDstK8S_Type",
            "XlatDstK8S_Namespace",
            "XlatDstK8S_OwnerName",
            "XlatDstK8S_OwnerType",
            "XlatDstK8S_NetworkName",
            "XlatDstK8S_HostIP",
            "XlatDstK8S_HostName",
            "DnsId",
            "DnsFlags",
            "DnsFlagsResponseCode",
            "DnsLatencyMs",
            "DnsName",
            "DnsErrno",
            "TimeFlowRttNs",
            "PktDropBytes",
            "PktDropPackets",
            "PktDropLatestDropCause",
            "PktDropLatestState",
            "PktDropLatestFlags",
            "NetworkEvents",
            "XlatSrcAddr",
            "XlatDstAddr",
            "XlatSrcPort",
            "XlatDstPort",
            "ZoneId",
            "IPSecStatus",
            "IPSecRetCode",
            "TLSVersion",
            "TLSTypes",
            "TLSCipherSuite",
            "TLSGroup",
            "QuicVersion",
            "QuicSeenLongHdr",
            "QuicSeenShortHdr",
            "_RecordType",
            "_HashId",
            "_IsFirst",
            "numFlowLogs",
            "Bytes_AB",
            "Bytes_BA",
            "Packets_AB",
            "Packets_BA",
            "PktDropBytes_AB",
            "PktDropBytes_BA",
            "PktDropPackets_AB",
            "PktDropPackets_BA",
            "MaxTimeFlowRttNs",
            "Duplicate");

    @Test
    void everyReferenceFieldHasAColumnAndNothingElseIsJson() {
        assertThat(REFERENCE_FIELDS).hasSize(102).doesNotHaveDuplicates();
        for (String f : REFERENCE_FIELDS) {
            assertThat(ColumnRegistry.byJsonName(f)).as(f).isNotNull();
        }
        Set<String> jsonColumns = ColumnRegistry.columns().stream()
                .filter(c -> c.origin() == Column.Origin.JSON)
                .map(Column::jsonName)
                .collect(Collectors.toSet());
        assertThat(jsonColumns).containsExactlyInAnyOrderElementsOf(REFERENCE_FIELDS);
    }

    /**
     * The bits of raw_key_bits are stored in every row since V008 and read by the flows_record view:
     * the n-th reference field keeps bit n forever. A new JSON column goes at the end of this list (and
     * of the registry's JSON columns); moving or removing one fails here.
     */
    @Test
    void keyBitsArePinnedToTheReferenceOrder() {
        for (int i = 0; i < REFERENCE_FIELDS.size(); i++) {
            assertThat(ColumnRegistry.keyBit(ColumnRegistry.byJsonName(REFERENCE_FIELDS.get(i))))
                    .as(REFERENCE_FIELDS.get(i))
                    .isEqualTo(i);
        }
        for (Column c : ColumnRegistry.slots()) {
            if (c.jsonName() == null) {
                assertThat(ColumnRegistry.keyBit(c)).as(c.name()).isEqualTo(-1);
            }
        }
        assertThat(ColumnRegistry.keyBit(ColumnRegistry.DUPLICATE)).isEqualTo(101); // as the V008 test writes it
        assertThat(ColumnRegistry.RAW_KEY_BITS.kind().clickHouseType()).isEqualTo("UInt128");
    }

    @Test
    void legacyNamesDoNotClashWithColumnsAndTargetArrays() {
        for (LegacyField f : LegacyField.values()) {
            assertThat(ColumnRegistry.byJsonName(f.jsonName())).isNull();
            assertThat(LegacyField.of(f.jsonName())).isSameAs(f);
        }
        assertThat(LegacyField.INTERFACE.target()).isSameAs(ColumnRegistry.INTERFACES);
        assertThat(LegacyField.IF_DIRECTION.target()).isSameAs(ColumnRegistry.IF_DIRECTIONS);
    }

    @ParameterizedTest
    @CsvSource({
        "SrcK8S_Namespace, src_k8s_namespace",
        "TimeFlowStartMs, time_flow_start_ms",
        "DnsLatencyMs, dns_latency_ms",
        "_HashId, hash_id",
        "_RecordType, record_type",
        "AgentIP, agent_ip",
        "XlatSrcK8S_HostIP, xlat_src_k8s_host_ip",
        "TLSVersion, tls_version",
        "TLSCipherSuite, tls_cipher_suite",
        "Bytes_AB, bytes_ab",
        "numFlowLogs, num_flow_logs",
        "K8S_FlowLayer, k8s_flow_layer",
        "TimeFlowRttNs, time_flow_rtt_ns",
        "IPSecStatus, ipsec_status",
        "IPSecRetCode, ipsec_ret_code",
        "Etype, etype",
        "IfDirections, if_directions",
        "QuicSeenLongHdr, quic_seen_long_hdr",
        "NetworkEvents, network_events",
    })
    void columnNamingRule(String json, String column) {
        assertThat(ColumnNames.columnName(json)).isEqualTo(column);
        assertThat(ColumnRegistry.byJsonName(json).name()).isEqualTo(column);
    }

    @Test
    void exceptionsAreNeededOnlyWhereTheRuleDiffers() {
        assertThat(ColumnNames.snakeCase("IPSecStatus")).isEqualTo("ip_sec_status");
        ColumnNames.EXCEPTIONS.forEach(
                (k, v) -> assertThat(ColumnNames.snakeCase(k)).isNotEqualTo(v));
    }

    @Test
    void namesAreUniqueAndSqlFriendly() {
        Set<String> names = new HashSet<>();
        for (Column c : ColumnRegistry.columns()) {
            assertThat(c.name()).matches("[a-z][a-z0-9_]*");
            assertThat(names.add(c.name())).as(c.name()).isTrue();
            assertThat(ColumnRegistry.byName(c.name())).isSameAs(c);
            assertThat(ColumnRegistry.column(c.index())).isSameAs(c);
        }
    }

    @Test
    void typesFollowThePolicy() {
        assertThat(ColumnRegistry.TIME_FLOW_START_MS.clickHouseType()).isEqualTo("DateTime64(3, 'UTC')");
        assertThat(ColumnRegistry.TIME_RECEIVED.clickHouseType()).isEqualTo("DateTime('UTC')");
        assertThat(ColumnRegistry.BYTES.clickHouseType()).isEqualTo("UInt64");
        assertThat(ColumnRegistry.PACKETS.clickHouseType()).isEqualTo("UInt32");
        assertThat(ColumnRegistry.SRC_ADDR.clickHouseType()).isEqualTo("IPv6");
        assertThat(ColumnRegistry.SRC_PORT.clickHouseType()).isEqualTo("UInt16");
        assertThat(ColumnRegistry.PROTO.clickHouseType()).isEqualTo("UInt8");
        assertThat(ColumnRegistry.SRC_K8S_NAMESPACE.clickHouseType()).isEqualTo("LowCardinality(String)");
        assertThat(ColumnRegistry.FLAGS.clickHouseType()).isEqualTo("Array(LowCardinality(String))");
        assertThat(ColumnRegistry.IF_DIRECTIONS.clickHouseType()).isEqualTo("Array(UInt8)");
        assertThat(ColumnRegistry.NETWORK_EVENTS_COL.clickHouseType())
                .isEqualTo("Array(Map(LowCardinality(String), String))");
        assertThat(ColumnRegistry.FLOW_DIRECTION.clickHouseType()).isEqualTo("Nullable(UInt8)");
        assertThat(ColumnRegistry.DNS_LATENCY_MS.clickHouseType()).isEqualTo("Nullable(UInt64)");
        assertThat(ColumnRegistry.TIME_FLOW_RTT_NS.clickHouseType()).isEqualTo("Nullable(UInt64)");
        assertThat(ColumnRegistry.columns().stream().filter(Column::nullable).map(Column::name))
                .containsExactlyInAnyOrder(
                        "flow_direction", "dns_latency_ms", "time_flow_rtt_ns", "max_time_flow_rtt_ns");
        assertThat(ColumnRegistry.columns().stream().filter(Column::required).map(Column::jsonName))
                .containsExactlyInAnyOrder(
                        "TimeFlowStartMs", "TimeFlowEndMs"); // and the addresses on IP flows: FlowParser
        assertThat(ColumnRegistry.DSCP.max()).isEqualTo(63);
    }

    @Test
    void ddlListsEveryColumnInOrder() {
        String ddl = ColumnRegistry.createTableColumns();
        String[] lines = ddl.split(",\n");
        assertThat(lines).hasSize(ColumnRegistry.columns().size());
        for (int i = 0; i < lines.length; i++) {
            Column c = ColumnRegistry.column(i);
            assertThat(lines[i].trim()).startsWith("`" + c.name() + "` " + c.clickHouseType());
        }
        assertThat(ddl)
                .contains(
                        "`raw` String COMMENT 'the message as received (raw.policy whole) or the fields no column gives back (unmapped); read record for the whole record' CODEC(ZSTD(3))");
        assertThat(ddl).contains("`kafka_offset` Int64");
        assertThat(ddl).contains("`flow_key_hash` UInt64 COMMENT");
        assertThat(ColumnRegistry.createTable("flows", "ENGINE = MergeTree ORDER BY tuple()"))
                .startsWith("CREATE TABLE IF NOT EXISTS flows\n(\n    `time_flow_start_ms` DateTime64(3, 'UTC'),")
                .endsWith(")\nENGINE = MergeTree ORDER BY tuple()");
    }

    @Test
    void derivedKafkaAndRawColumnsArePresent() {
        assertThat(ColumnRegistry.columns().stream()
                        .filter(c -> c.origin() == Column.Origin.DERIVED)
                        .map(Column::name))
                .contains(
                        "duration_ms",
                        "direction",
                        "scope",
                        "proto_name",
                        "bytes_per_second",
                        "packets_per_second",
                        "bytes_estimated",
                        "packets_estimated",
                        "flow_key_hash",
                        "tcp_flags_mask",
                        "dns_is_response",
                        "is_canonical");
        assertThat(ColumnRegistry.columns().stream()
                        .filter(c -> c.origin() == Column.Origin.KAFKA)
                        .map(Column::name))
                .containsExactly("kafka_topic", "kafka_partition", "kafka_offset", "kafka_timestamp");
        // raw, then the columns later migrations appended, then the internal slots
        assertThat(ColumnRegistry.columns().get(ColumnRegistry.RAW.index() + 1))
                .isSameAs(ColumnRegistry.PARSE_WARNINGS);
        assertThat(ColumnRegistry.RAW_KEYS.index()).isEqualTo(ColumnRegistry.PARSE_WARNINGS.index() + 1);
        assertThat(ColumnRegistry.RAW_KEY_BITS.index()).isEqualTo(ColumnRegistry.RAW_KEYS.index() + 1);
        assertThat(ColumnRegistry.RAW_KEY_BITS.index())
                .isEqualTo(ColumnRegistry.columns().size() - 1);
    }

    @Test
    void internalSlotsAreCarriedButNeverStored() {
        assertThat(ColumnRegistry.slots()).startsWith(ColumnRegistry.columns().toArray(new Column[0]));
        assertThat(ColumnRegistry.slots()).contains(ColumnRegistry.UNTYPED_FIELDS_HASH);
        assertThat(ColumnRegistry.columns()).doesNotContain(ColumnRegistry.UNTYPED_FIELDS_HASH);
        assertThat(ColumnRegistry.createTableColumns()).doesNotContain("_untyped_fields_hash");
        assertThat(ColumnRegistry.size()).isEqualTo(ColumnRegistry.slots().size());
        assertThat(ColumnRegistry.byName("_untyped_fields_hash")).isSameAs(ColumnRegistry.UNTYPED_FIELDS_HASH);
    }
}
