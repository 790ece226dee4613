-- V004: real NetObserv records (non-IP flows, field drift).
--
-- parse_warnings: optional fields whose value did not fit their column (a type or range change
-- between agent versions), as 'Field:REASON'. The job loads such a flow with those columns empty
-- and the original value in raw, instead of dead-lettering it. Empty for almost every row.
ALTER TABLE ${db}.${table:flows}${on_cluster}
    ADD COLUMN IF NOT EXISTS `parse_warnings` Array(LowCardinality(String)) COMMENT 'optional fields left empty because their value did not fit: Field:REASON';

-- Non-IP flows (Etype other than IPv4/IPv6, e.g. ARP from agents up to 1.6) are loaded into flows
-- with scope = 'non_ip' and empty L3/L4 columns. They have no endpoint identity (no addresses, so
-- no namespace, workload, node or zone), so the rollups below, which answer "who talks to whom",
-- leave them out instead of adding them to the '' -> '' (unresolved/external) rows. Query flows
-- WHERE scope = 'non_ip' for them. ALTER ... MODIFY QUERY swaps each view's query atomically (no
-- insert misses a view); re-running it is harmless.

ALTER TABLE ${db}.mv_rollup_namespace_1m${on_cluster}
MODIFY QUERY
SELECT
    toStartOfMinute(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace, direction, k8s_flow_layer,
    count() AS flows,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    sum(bytes_estimated) AS bytes_estimated,
    sum(packets_estimated) AS packets_estimated,
    sum(pkt_drop_bytes) AS drop_bytes,
    sum(pkt_drop_packets) AS drop_packets
FROM ${db}.${table:flows}
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip'
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace, direction, k8s_flow_layer;

ALTER TABLE ${db}.mv_rollup_workload_1m${on_cluster}
MODIFY QUERY
SELECT
    toStartOfMinute(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name,
    src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name,
    dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name,
    count() AS flows,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    sum(bytes_estimated) AS bytes_estimated,
    sum(packets_estimated) AS packets_estimated,
    sum(pkt_drop_bytes) AS drop_bytes,
    sum(pkt_drop_packets) AS drop_packets
FROM ${db}.${table:flows}
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip'
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name,
         dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name;

ALTER TABLE ${db}.mv_rollup_node_1m${on_cluster}
MODIFY QUERY
SELECT
    toStartOfMinute(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name, src_k8s_host_name, dst_k8s_host_name,
    count() AS flows,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    sum(bytes_estimated) AS bytes_estimated,
    sum(packets_estimated) AS packets_estimated,
    sum(pkt_drop_bytes) AS drop_bytes,
    sum(pkt_drop_packets) AS drop_packets
FROM ${db}.${table:flows}
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip'
GROUP BY minute, k8s_cluster_name, src_k8s_host_name, dst_k8s_host_name;

ALTER TABLE ${db}.mv_rollup_zone_1m${on_cluster}
MODIFY QUERY
SELECT
    toStartOfMinute(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name, src_k8s_zone, dst_k8s_zone,
    count() AS flows,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    sum(bytes_estimated) AS bytes_estimated,
    sum(packets_estimated) AS packets_estimated,
    sum(pkt_drop_bytes) AS drop_bytes,
    sum(pkt_drop_packets) AS drop_packets
FROM ${db}.${table:flows}
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip'
GROUP BY minute, k8s_cluster_name, src_k8s_zone, dst_k8s_zone;

ALTER TABLE ${db}.mv_rollup_drops_1m${on_cluster}
MODIFY QUERY
SELECT
    toStartOfMinute(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace,
    pkt_drop_latest_drop_cause, pkt_drop_latest_state,
    count() AS flows,
    sum(pkt_drop_bytes) AS drop_bytes,
    sum(pkt_drop_packets) AS drop_packets
FROM ${db}.${table:flows}
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip' AND pkt_drop_packets > 0
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace,
         pkt_drop_latest_drop_cause, pkt_drop_latest_state;
