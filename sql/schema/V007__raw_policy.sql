-- V007: the raw policy (option raw.policy: whole | unmapped | none, docs/raw-policy.md).
--
-- raw_keys: under unmapped and none, the message's keys in order, comma-separated: under unmapped
-- every key, those whose value is in raw (the residue) with a '!' in front; under none only the keys
-- the columns give back. Empty under whole, where raw is the message. A few distinct values per
-- deployment (one per producer version and record kind), so LowCardinality stores it in next to
-- nothing.
ALTER TABLE ${db}.${table:flows}${on_cluster}
    ADD COLUMN IF NOT EXISTS `raw_keys` LowCardinality(String) COMMENT 'the message keys in order, residue keys with a ! (raw.policy unmapped/none; empty: raw is the whole message)';

-- raw now holds the message (whole) or the residue (unmapped), or nothing (none).
ALTER TABLE ${db}.${table:flows}${on_cluster}
    COMMENT COLUMN `raw` 'the message as received (raw.policy whole) or the fields no column gives back (unmapped); read record for the whole record';

-- flows_record: flows with one more column, record, the flow record as JSON whatever the policy of
-- its row: raw_keys = '': raw itself; otherwise "Key":value for every column whose key raw_keys
-- lists, in column order, written as NetObserv writes it, then the residue's fields. Read
-- flows_record.record, not raw, wherever the whole record is wanted (the Loki API does). A view, not
-- an ALIAS column of flows: ClickHouse analyses a table's ALIAS expressions for every materialized
-- view on each INSERT (+280 ms per INSERT with the 27 rollup views, measured), and a view costs
-- nothing until read. One plain expression per column (no lambdas or maps: 2-6 us per row on 2
-- cores, docs/raw-policy.md). Generated from the job's column registry (RecordAliasTest checks it);
-- a later JSON column needs a migration that redefines this view.
CREATE VIEW IF NOT EXISTS ${db}.flows_record${on_cluster}
AS SELECT *, if(raw_keys = '', raw, concat('{', substring(concat(
        if(position(concat(',', raw_keys, ','), ',TimeFlowStartMs,') > 0, concat(',"TimeFlowStartMs":', toString(toUnixTimestamp64Milli(time_flow_start_ms))), ''),
        if(position(concat(',', raw_keys, ','), ',TimeFlowEndMs,') > 0, concat(',"TimeFlowEndMs":', toString(toUnixTimestamp64Milli(time_flow_end_ms))), ''),
        if(position(concat(',', raw_keys, ','), ',TimeReceived,') > 0, concat(',"TimeReceived":', toString(toUnixTimestamp(time_received))), ''),
        if(position(concat(',', raw_keys, ','), ',AgentIP,') > 0, concat(',"AgentIP":', toJSONString(if(startsWith(toString(agent_ip), '::ffff:') AND position(toString(agent_ip), '.') > 0, substring(toString(agent_ip), 8), toString(agent_ip)))), ''),
        if(position(concat(',', raw_keys, ','), ',Etype,') > 0, concat(',"Etype":', toString(etype)), ''),
        if(position(concat(',', raw_keys, ','), ',SrcMac,') > 0, concat(',"SrcMac":', toJSONString(toString(src_mac))), ''),
        if(position(concat(',', raw_keys, ','), ',DstMac,') > 0, concat(',"DstMac":', toJSONString(toString(dst_mac))), ''),
        if(position(concat(',', raw_keys, ','), ',Interfaces,') > 0, concat(',"Interfaces":', toJSONString(interfaces)), ''),
        if(position(concat(',', raw_keys, ','), ',IfDirections,') > 0, concat(',"IfDirections":', toJSONString(if_directions)), ''),
        if(position(concat(',', raw_keys, ','), ',Udns,') > 0, concat(',"Udns":', toJSONString(udns)), ''),
        if(position(concat(',', raw_keys, ','), ',Bytes,') > 0, concat(',"Bytes":', toString(bytes)), ''),
        if(position(concat(',', raw_keys, ','), ',Packets,') > 0, concat(',"Packets":', toString(packets)), ''),
        if(position(concat(',', raw_keys, ','), ',Sampling,') > 0, concat(',"Sampling":', toString(sampling)), ''),
        if(position(concat(',', raw_keys, ','), ',K8S_FlowLayer,') > 0, concat(',"K8S_FlowLayer":', toJSONString(toString(k8s_flow_layer))), ''),
        if(position(concat(',', raw_keys, ','), ',SrcAddr,') > 0, concat(',"SrcAddr":', toJSONString(if(startsWith(toString(src_addr), '::ffff:') AND position(toString(src_addr), '.') > 0, substring(toString(src_addr), 8), toString(src_addr)))), ''),
        if(position(concat(',', raw_keys, ','), ',DstAddr,') > 0, concat(',"DstAddr":', toJSONString(if(startsWith(toString(dst_addr), '::ffff:') AND position(toString(dst_addr), '.') > 0, substring(toString(dst_addr), 8), toString(dst_addr)))), ''),
        if(position(concat(',', raw_keys, ','), ',Proto,') > 0, concat(',"Proto":', toString(proto)), ''),
        if(position(concat(',', raw_keys, ','), ',Dscp,') > 0, concat(',"Dscp":', toString(dscp)), ''),
        if(position(concat(',', raw_keys, ','), ',SrcPort,') > 0, concat(',"SrcPort":', toString(src_port)), ''),
        if(position(concat(',', raw_keys, ','), ',DstPort,') > 0, concat(',"DstPort":', toString(dst_port)), ''),
        if(position(concat(',', raw_keys, ','), ',IcmpType,') > 0, concat(',"IcmpType":', toString(icmp_type)), ''),
        if(position(concat(',', raw_keys, ','), ',IcmpCode,') > 0, concat(',"IcmpCode":', toString(icmp_code)), ''),
        if(position(concat(',', raw_keys, ','), ',Flags,') > 0, concat(',"Flags":', toJSONString(flags)), ''),
        if(position(concat(',', raw_keys, ','), ',FlowDirection,') > 0, concat(',"FlowDirection":', ifNull(toString(flow_direction), 'null')), ''),
        if(position(concat(',', raw_keys, ','), ',SrcSubnetLabel,') > 0, concat(',"SrcSubnetLabel":', toJSONString(toString(src_subnet_label))), ''),
        if(position(concat(',', raw_keys, ','), ',DstSubnetLabel,') > 0, concat(',"DstSubnetLabel":', toJSONString(toString(dst_subnet_label))), ''),
        if(position(concat(',', raw_keys, ','), ',K8S_ClusterName,') > 0, concat(',"K8S_ClusterName":', toJSONString(toString(k8s_cluster_name))), ''),
        if(position(concat(',', raw_keys, ','), ',SrcK8S_Name,') > 0, concat(',"SrcK8S_Name":', toJSONString(toString(src_k8s_name))), ''),
        if(position(concat(',', raw_keys, ','), ',SrcK8S_Type,') > 0, concat(',"SrcK8S_Type":', toJSONString(toString(src_k8s_type))), ''),
        if(position(concat(',', raw_keys, ','), ',SrcK8S_Namespace,') > 0, concat(',"SrcK8S_Namespace":', toJSONString(toString(src_k8s_namespace))), ''),
        if(position(concat(',', raw_keys, ','), ',SrcK8S_OwnerName,') > 0, concat(',"SrcK8S_OwnerName":', toJSONString(toString(src_k8s_owner_name))), ''),
        if(position(concat(',', raw_keys, ','), ',SrcK8S_OwnerType,') > 0, concat(',"SrcK8S_OwnerType":', toJSONString(toString(src_k8s_owner_type))), ''),
        if(position(concat(',', raw_keys, ','), ',SrcK8S_HostIP,') > 0, concat(',"SrcK8S_HostIP":', toJSONString(if(startsWith(toString(src_k8s_host_ip), '::ffff:') AND position(toString(src_k8s_host_ip), '.') > 0, substring(toString(src_k8s_host_ip), 8), toString(src_k8s_host_ip)))), ''),
        if(position(concat(',', raw_keys, ','), ',SrcK8S_HostName,') > 0, concat(',"SrcK8S_HostName":', toJSONString(toString(src_k8s_host_name))), ''),
        if(position(concat(',', raw_keys, ','), ',SrcK8S_Zone,') > 0, concat(',"SrcK8S_Zone":', toJSONString(toString(src_k8s_zone))), ''),
        if(position(concat(',', raw_keys, ','), ',SrcK8S_NetworkName,') > 0, concat(',"SrcK8S_NetworkName":', toJSONString(toString(src_k8s_network_name))), ''),
        if(position(concat(',', raw_keys, ','), ',DstK8S_Name,') > 0, concat(',"DstK8S_Name":', toJSONString(toString(dst_k8s_name))), ''),
        if(position(concat(',', raw_keys, ','), ',DstK8S_Type,') > 0, concat(',"DstK8S_Type":', toJSONString(toString(dst_k8s_type))), ''),
        if(position(concat(',', raw_keys, ','), ',DstK8S_Namespace,') > 0, concat(',"DstK8S_Namespace":', toJSONString(toString(dst_k8s_namespace))), ''),
        if(position(concat(',', raw_keys, ','), ',DstK8S_OwnerName,') > 0, concat(',"DstK8S_OwnerName":', toJSONString(toString(dst_k8s_owner_name))), ''),
        if(position(concat(',', raw_keys, ','), ',DstK8S_OwnerType,') > 0, concat(',"DstK8S_OwnerType":', toJSONString(toString(dst_k8s_owner_type))), ''),
        if(position(concat(',', raw_keys, ','), ',DstK8S_HostIP,') > 0, concat(',"DstK8S_HostIP":', toJSONString(if(startsWith(toString(dst_k8s_host_ip), '::ffff:') AND position(toString(dst_k8s_host_ip), '.') > 0, substring(toString(dst_k8s_host_ip), 8), toString(dst_k8s_host_ip)))), ''),
        if(position(concat(',', raw_keys, ','), ',DstK8S_HostName,') > 0, concat(',"DstK8S_HostName":', toJSONString(toString(dst_k8s_host_name))), ''),
        if(position(concat(',', raw_keys, ','), ',DstK8S_Zone,') > 0, concat(',"DstK8S_Zone":', toJSONString(toString(dst_k8s_zone))), ''),
        if(position(concat(',', raw_keys, ','), ',DstK8S_NetworkName,') > 0, concat(',"DstK8S_NetworkName":', toJSONString(toString(dst_k8s_network_name))), ''),
        if(position(concat(',', raw_keys, ','), ',XlatSrcK8S_Name,') > 0, concat(',"XlatSrcK8S_Name":', toJSONString(toString(xlat_src_k8s_name))), ''),
        if(position(concat(',', raw_keys, ','), ',XlatSrcK8S_Type,') > 0, concat(',"XlatSrcK8S_Type":', toJSONString(toString(xlat_src_k8s_type))), ''),
        if(position(concat(',', raw_keys, ','), ',XlatSrcK8S_Namespace,') > 0, concat(',"XlatSrcK8S_Namespace":', toJSONString(toString(xlat_src_k8s_namespace))), ''),
        if(position(concat(',', raw_keys, ','), ',XlatSrcK8S_OwnerName,') > 0, concat(',"XlatSrcK8S_OwnerName":', toJSONString(toString(xlat_src_k8s_owner_name))), ''),
        if(position(concat(',', raw_keys, ','), ',XlatSrcK8S_OwnerType,') > 0, concat(',"XlatSrcK8S_OwnerType":', toJSONString(toString(xlat_src_k8s_owner_type))), ''),
        if(position(concat(',', raw_keys, ','), ',XlatSrcK8S_NetworkName,') > 0, concat(',"XlatSrcK8S_NetworkName":', toJSONString(toString(xlat_src_k8s_network_name))), ''),
        if(position(concat(',', raw_keys, ','), ',XlatSrcK8S_HostIP,') > 0, concat(',"XlatSrcK8S_HostIP":', toJSONString(if(startsWith(toString(xlat_src_k8s_host_ip), '::ffff:') AND position(toString(xlat_src_k8s_host_ip), '.') > 0, substring(toString(xlat_src_k8s_host_ip), 8), toString(xlat_src_k8s_host_ip)))), ''),
        if(position(concat(',', raw_keys, ','), ',XlatSrcK8S_HostName,') > 0, concat(',"XlatSrcK8S_HostName":', toJSONString(toString(xlat_src_k8s_host_name))), ''),
        if(position(concat(',', raw_keys, ','), ',XlatDstK8S_Name,') > 0, concat(',"XlatDstK8S_Name":', toJSONString(toString(xlat_dst_k8s_name))), ''),
        if(position(concat(',', raw_keys, ','), ',XlatDstK8S_Type,') > 0, concat(',"XlatDstK8S_Type":', toJSONString(toString(xlat_dst_k8s_type))), ''),
        if(position(concat(',', raw_keys, ','), ',XlatDstK8S_Namespace,') > 0, concat(',"XlatDstK8S_Namespace":', toJSONString(toString(xlat_dst_k8s_namespace))), ''),
        if(position(concat(',', raw_keys, ','), ',XlatDstK8S_OwnerName,') > 0, concat(',"XlatDstK8S_OwnerName":', toJSONString(toString(xlat_dst_k8s_owner_name))), ''),
        if(position(concat(',', raw_keys, ','), ',XlatDstK8S_OwnerType,') > 0, concat(',"XlatDstK8S_OwnerType":', toJSONString(toString(xlat_dst_k8s_owner_type))), ''),
        if(position(concat(',', raw_keys, ','), ',XlatDstK8S_NetworkName,') > 0, concat(',"XlatDstK8S_NetworkName":', toJSONString(toString(xlat_dst_k8s_network_name))), ''),
        if(position(concat(',', raw_keys, ','), ',XlatDstK8S_HostIP,') > 0, concat(',"XlatDstK8S_HostIP":', toJSONString(if(startsWith(toString(xlat_dst_k8s_host_ip), '::ffff:') AND position(toString(xlat_dst_k8s_host_ip), '.') > 0, substring(toString(xlat_dst_k8s_host_ip), 8), toString(xlat_dst_k8s_host_ip)))), ''),
        if(position(concat(',', raw_keys, ','), ',XlatDstK8S_HostName,') > 0, concat(',"XlatDstK8S_HostName":', toJSONString(toString(xlat_dst_k8s_host_name))), ''),
        if(position(concat(',', raw_keys, ','), ',DnsId,') > 0, concat(',"DnsId":', toString(dns_id)), ''),
        if(position(concat(',', raw_keys, ','), ',DnsFlags,') > 0, concat(',"DnsFlags":', toString(dns_flags)), ''),
        if(position(concat(',', raw_keys, ','), ',DnsFlagsResponseCode,') > 0, concat(',"DnsFlagsResponseCode":', toJSONString(toString(dns_flags_response_code))), ''),
        if(position(concat(',', raw_keys, ','), ',DnsLatencyMs,') > 0, concat(',"DnsLatencyMs":', ifNull(toString(dns_latency_ms), 'null')), ''),
        if(position(concat(',', raw_keys, ','), ',DnsName,') > 0, concat(',"DnsName":', toJSONString(toString(dns_name))), ''),
        if(position(concat(',', raw_keys, ','), ',DnsErrno,') > 0, concat(',"DnsErrno":', toString(dns_errno)), ''),
        if(position(concat(',', raw_keys, ','), ',TimeFlowRttNs,') > 0, concat(',"TimeFlowRttNs":', ifNull(toString(time_flow_rtt_ns), 'null')), ''),
        if(position(concat(',', raw_keys, ','), ',PktDropBytes,') > 0, concat(',"PktDropBytes":', toString(pkt_drop_bytes)), ''),
        if(position(concat(',', raw_keys, ','), ',PktDropPackets,') > 0, concat(',"PktDropPackets":', toString(pkt_drop_packets)), ''),
        if(position(concat(',', raw_keys, ','), ',PktDropLatestDropCause,') > 0, concat(',"PktDropLatestDropCause":', toJSONString(toString(pkt_drop_latest_drop_cause))), ''),
        if(position(concat(',', raw_keys, ','), ',PktDropLatestState,') > 0, concat(',"PktDropLatestState":', toJSONString(toString(pkt_drop_latest_state))), ''),
        if(position(concat(',', raw_keys, ','), ',PktDropLatestFlags,') > 0, concat(',"PktDropLatestFlags":', toString(pkt_drop_latest_flags)), ''),
        if(position(concat(',', raw_keys, ','), ',NetworkEvents,') > 0, concat(',"NetworkEvents":', toJSONString(network_events)), ''),
        if(position(concat(',', raw_keys, ','), ',XlatSrcAddr,') > 0, concat(',"XlatSrcAddr":', toJSONString(if(startsWith(toString(xlat_src_addr), '::ffff:') AND position(toString(xlat_src_addr), '.') > 0, substring(toString(xlat_src_addr), 8), toString(xlat_src_addr)))), ''),
        if(position(concat(',', raw_keys, ','), ',XlatDstAddr,') > 0, concat(',"XlatDstAddr":', toJSONString(if(startsWith(toString(xlat_dst_addr), '::ffff:') AND position(toString(xlat_dst_addr), '.') > 0, substring(toString(xlat_dst_addr), 8), toString(xlat_dst_addr)))), ''),
        if(position(concat(',', raw_keys, ','), ',XlatSrcPort,') > 0, concat(',"XlatSrcPort":', toString(xlat_src_port)), ''),
        if(position(concat(',', raw_keys, ','), ',XlatDstPort,') > 0, concat(',"XlatDstPort":', toString(xlat_dst_port)), ''),
        if(position(concat(',', raw_keys, ','), ',ZoneId,') > 0, concat(',"ZoneId":', toString(zone_id)), ''),
        if(position(concat(',', raw_keys, ','), ',IPSecStatus,') > 0, concat(',"IPSecStatus":', toJSONString(toString(ipsec_status))), ''),
        if(position(concat(',', raw_keys, ','), ',IPSecRetCode,') > 0, concat(',"IPSecRetCode":', toString(ipsec_ret_code)), ''),
        if(position(concat(',', raw_keys, ','), ',TLSVersion,') > 0, concat(',"TLSVersion":', toJSONString(toString(tls_version))), ''),
        if(position(concat(',', raw_keys, ','), ',TLSTypes,') > 0, concat(',"TLSTypes":', toJSONString(tls_types)), ''),
        if(position(concat(',', raw_keys, ','), ',TLSCipherSuite,') > 0, concat(',"TLSCipherSuite":', toJSONString(toString(tls_cipher_suite))), ''),
        if(position(concat(',', raw_keys, ','), ',TLSGroup,') > 0, concat(',"TLSGroup":', toJSONString(toString(tls_group))), ''),
        if(position(concat(',', raw_keys, ','), ',QuicVersion,') > 0, concat(',"QuicVersion":', toJSONString(toString(quic_version))), ''),
        if(position(concat(',', raw_keys, ','), ',QuicSeenLongHdr,') > 0, concat(',"QuicSeenLongHdr":', toString(quic_seen_long_hdr)), ''),
        if(position(concat(',', raw_keys, ','), ',QuicSeenShortHdr,') > 0, concat(',"QuicSeenShortHdr":', toString(quic_seen_short_hdr)), ''),
        if(position(concat(',', raw_keys, ','), ',_RecordType,') > 0, concat(',"_RecordType":', toJSONString(toString(record_type))), ''),
        if(position(concat(',', raw_keys, ','), ',_HashId,') > 0, concat(',"_HashId":', toJSONString(toString(hash_id))), ''),
        if(position(concat(',', raw_keys, ','), ',_IsFirst,') > 0, concat(',"_IsFirst":', if(is_first, 'true', 'false')), ''),
        if(position(concat(',', raw_keys, ','), ',numFlowLogs,') > 0, concat(',"numFlowLogs":', toString(num_flow_logs)), ''),
        if(position(concat(',', raw_keys, ','), ',Bytes_AB,') > 0, concat(',"Bytes_AB":', toString(bytes_ab)), ''),
        if(position(concat(',', raw_keys, ','), ',Bytes_BA,') > 0, concat(',"Bytes_BA":', toString(bytes_ba)), ''),
        if(position(concat(',', raw_keys, ','), ',Packets_AB,') > 0, concat(',"Packets_AB":', toString(packets_ab)), ''),
        if(position(concat(',', raw_keys, ','), ',Packets_BA,') > 0, concat(',"Packets_BA":', toString(packets_ba)), ''),
        if(position(concat(',', raw_keys, ','), ',PktDropBytes_AB,') > 0, concat(',"PktDropBytes_AB":', toString(pkt_drop_bytes_ab)), ''),
        if(position(concat(',', raw_keys, ','), ',PktDropBytes_BA,') > 0, concat(',"PktDropBytes_BA":', toString(pkt_drop_bytes_ba)), ''),
        if(position(concat(',', raw_keys, ','), ',PktDropPackets_AB,') > 0, concat(',"PktDropPackets_AB":', toString(pkt_drop_packets_ab)), ''),
        if(position(concat(',', raw_keys, ','), ',PktDropPackets_BA,') > 0, concat(',"PktDropPackets_BA":', toString(pkt_drop_packets_ba)), ''),
        if(position(concat(',', raw_keys, ','), ',MaxTimeFlowRttNs,') > 0, concat(',"MaxTimeFlowRttNs":', ifNull(toString(max_time_flow_rtt_ns), 'null')), ''),
        if(position(concat(',', raw_keys, ','), ',Duplicate,') > 0, concat(',"Duplicate":', if(duplicate, 'true', 'false')), ''),
        if(raw = '', '', concat(',', substring(raw, 2, length(raw) - 2)))), 2), '}')) AS record
FROM ${db}.flows;
