-- V003: 1-minute rollups, fed by materialized views on flows.
--
-- What they count: every loaded flow-log row (record_type = 'flowLog') that is not a legacy
-- Duplicate=true copy. The job deduplicates before loading (dedup.mode reporter-election or
-- console-rule), so the rows in flows are already one per flow slice and the views do NOT filter
-- on is_canonical: in reporter-election mode the kept copy may be the non-canonical reporter when
-- the canonical one never arrived, and a filter would lose it. Conversation records
-- (newConnection/heartbeat/endConnection) repeat flow-log volumes and are left out.
-- With dedup.mode=off the rollups double count cross-node traffic: query flows with
-- "AND is_canonical" instead.
--
-- Exactly once through the views: every target has its own insert-deduplication window, so a
-- re-committed INSERT into flows (same insert_deduplication_token) reaches no target twice
-- (needs deduplicate_blocks_in_dependent_materialized_views = 1, the default since 26.2).
--
-- Sum targets are SummingMergeTree and aggregate targets AggregatingMergeTree: rows merge in
-- the background, so queries must always GROUP BY and sum()/max()/quantilesMerge().
-- minute = toStartOfMinute(time_flow_end_ms), UTC.

-- ---- namespace -> namespace ----
CREATE TABLE IF NOT EXISTS ${db}.${table:rollup_namespace_1m}${on_cluster}
(
    `minute` DateTime('UTC'),
    `k8s_cluster_name` LowCardinality(String),
    `src_k8s_namespace` LowCardinality(String),
    `dst_k8s_namespace` LowCardinality(String),
    `direction` LowCardinality(String),
    `k8s_flow_layer` LowCardinality(String),
    `flows` UInt64,
    `bytes` UInt64,
    `packets` UInt64,
    `bytes_estimated` UInt64,
    `packets_estimated` UInt64,
    `drop_bytes` UInt64,
    `drop_packets` UInt64
)
ENGINE = ${engine:SummingMergeTree}
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace, direction, k8s_flow_layer)
TTL toDate(minute) + toIntervalDay(${rollup_retention_days})
SETTINGS ${dedup_settings};

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.mv_rollup_namespace_1m${on_cluster}
TO ${db}.${table:rollup_namespace_1m}
AS SELECT
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
WHERE record_type = 'flowLog' AND NOT duplicate
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace, direction, k8s_flow_layer;

-- ---- workload -> workload (owner name/type within namespace) ----
CREATE TABLE IF NOT EXISTS ${db}.${table:rollup_workload_1m}${on_cluster}
(
    `minute` DateTime('UTC'),
    `k8s_cluster_name` LowCardinality(String),
    `src_k8s_namespace` LowCardinality(String),
    `src_k8s_owner_type` LowCardinality(String),
    `src_k8s_owner_name` LowCardinality(String),
    `dst_k8s_namespace` LowCardinality(String),
    `dst_k8s_owner_type` LowCardinality(String),
    `dst_k8s_owner_name` LowCardinality(String),
    `flows` UInt64,
    `bytes` UInt64,
    `packets` UInt64,
    `bytes_estimated` UInt64,
    `packets_estimated` UInt64,
    `drop_bytes` UInt64,
    `drop_packets` UInt64
)
ENGINE = ${engine:SummingMergeTree}
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name,
          dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name)
TTL toDate(minute) + toIntervalDay(${rollup_retention_days})
SETTINGS ${dedup_settings};

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.mv_rollup_workload_1m${on_cluster}
TO ${db}.${table:rollup_workload_1m}
AS SELECT
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
WHERE record_type = 'flowLog' AND NOT duplicate
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name,
         dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name;

-- ---- node -> node ----
CREATE TABLE IF NOT EXISTS ${db}.${table:rollup_node_1m}${on_cluster}
(
    `minute` DateTime('UTC'),
    `k8s_cluster_name` LowCardinality(String),
    `src_k8s_host_name` LowCardinality(String),
    `dst_k8s_host_name` LowCardinality(String),
    `flows` UInt64,
    `bytes` UInt64,
    `packets` UInt64,
    `bytes_estimated` UInt64,
    `packets_estimated` UInt64,
    `drop_bytes` UInt64,
    `drop_packets` UInt64
)
ENGINE = ${engine:SummingMergeTree}
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, src_k8s_host_name, dst_k8s_host_name)
TTL toDate(minute) + toIntervalDay(${rollup_retention_days})
SETTINGS ${dedup_settings};

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.mv_rollup_node_1m${on_cluster}
TO ${db}.${table:rollup_node_1m}
AS SELECT
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
WHERE record_type = 'flowLog' AND NOT duplicate
GROUP BY minute, k8s_cluster_name, src_k8s_host_name, dst_k8s_host_name;

-- ---- zone -> zone ----
CREATE TABLE IF NOT EXISTS ${db}.${table:rollup_zone_1m}${on_cluster}
(
    `minute` DateTime('UTC'),
    `k8s_cluster_name` LowCardinality(String),
    `src_k8s_zone` LowCardinality(String),
    `dst_k8s_zone` LowCardinality(String),
    `flows` UInt64,
    `bytes` UInt64,
    `packets` UInt64,
    `bytes_estimated` UInt64,
    `packets_estimated` UInt64,
    `drop_bytes` UInt64,
    `drop_packets` UInt64
)
ENGINE = ${engine:SummingMergeTree}
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, src_k8s_zone, dst_k8s_zone)
TTL toDate(minute) + toIntervalDay(${rollup_retention_days})
SETTINGS ${dedup_settings};

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.mv_rollup_zone_1m${on_cluster}
TO ${db}.${table:rollup_zone_1m}
AS SELECT
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
WHERE record_type = 'flowLog' AND NOT duplicate
GROUP BY minute, k8s_cluster_name, src_k8s_zone, dst_k8s_zone;

-- ---- external traffic (scope to_external / from_external) ----
-- k8s_* = the in-cluster endpoint; external_* = the other one.
CREATE TABLE IF NOT EXISTS ${db}.${table:rollup_external_1m}${on_cluster}
(
    `minute` DateTime('UTC'),
    `k8s_cluster_name` LowCardinality(String),
    `scope` LowCardinality(String),
    `k8s_namespace` LowCardinality(String),
    `k8s_owner_type` LowCardinality(String),
    `k8s_owner_name` LowCardinality(String),
    `external_addr` IPv6,
    `external_subnet_label` LowCardinality(String),
    `flows` UInt64,
    `bytes` UInt64,
    `packets` UInt64,
    `bytes_estimated` UInt64,
    `packets_estimated` UInt64,
    `drop_bytes` UInt64,
    `drop_packets` UInt64
)
ENGINE = ${engine:SummingMergeTree}
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, scope, k8s_namespace, k8s_owner_type, k8s_owner_name,
          external_addr, external_subnet_label)
TTL toDate(minute) + toIntervalDay(${rollup_retention_days})
SETTINGS ${dedup_settings};

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.mv_rollup_external_1m${on_cluster}
TO ${db}.${table:rollup_external_1m}
AS SELECT
    toStartOfMinute(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name,
    scope,
    if(scope = 'to_external', src_k8s_namespace, dst_k8s_namespace) AS k8s_namespace,
    if(scope = 'to_external', src_k8s_owner_type, dst_k8s_owner_type) AS k8s_owner_type,
    if(scope = 'to_external', src_k8s_owner_name, dst_k8s_owner_name) AS k8s_owner_name,
    if(scope = 'to_external', dst_addr, src_addr) AS external_addr,
    if(scope = 'to_external', dst_subnet_label, src_subnet_label) AS external_subnet_label,
    count() AS flows,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    sum(bytes_estimated) AS bytes_estimated,
    sum(packets_estimated) AS packets_estimated,
    sum(pkt_drop_bytes) AS drop_bytes,
    sum(pkt_drop_packets) AS drop_packets
FROM ${db}.${table:flows}
WHERE record_type = 'flowLog' AND NOT duplicate AND scope IN ('to_external', 'from_external')
GROUP BY minute, k8s_cluster_name, scope, k8s_namespace, k8s_owner_type, k8s_owner_name,
         external_addr, external_subnet_label;

-- ---- DNS: responses only (dns_is_response, latency present), by client namespace ----
-- A response flow goes server -> client, so the client is the destination.
CREATE TABLE IF NOT EXISTS ${db}.${table:rollup_dns_1m}${on_cluster}
(
    `minute` DateTime('UTC'),
    `k8s_cluster_name` LowCardinality(String),
    `client_k8s_namespace` LowCardinality(String),
    `dns_name` String,
    `dns_flags_response_code` LowCardinality(String),
    `responses` SimpleAggregateFunction(sum, UInt64),
    `latency_ms_sum` SimpleAggregateFunction(sum, UInt64),
    `latency_ms_max` SimpleAggregateFunction(max, UInt64),
    `latency_ms_quantiles` AggregateFunction(quantiles(0.5, 0.9, 0.99), UInt64)
)
ENGINE = ${engine:AggregatingMergeTree}
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, client_k8s_namespace, dns_name, dns_flags_response_code)
TTL toDate(minute) + toIntervalDay(${rollup_retention_days})
SETTINGS ${dedup_settings};

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.mv_rollup_dns_1m${on_cluster}
TO ${db}.${table:rollup_dns_1m}
AS SELECT
    toStartOfMinute(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name,
    dst_k8s_namespace AS client_k8s_namespace,
    dns_name,
    dns_flags_response_code,
    count() AS responses,
    sum(assumeNotNull(dns_latency_ms)) AS latency_ms_sum,
    max(assumeNotNull(dns_latency_ms)) AS latency_ms_max,
    quantilesState(0.5, 0.9, 0.99)(assumeNotNull(dns_latency_ms)) AS latency_ms_quantiles
FROM ${db}.${table:flows}
WHERE record_type = 'flowLog' AND NOT duplicate AND dns_is_response AND dns_latency_ms IS NOT NULL
GROUP BY minute, k8s_cluster_name, client_k8s_namespace, dns_name, dns_flags_response_code;

-- ---- TCP RTT: flows that carry a smoothed RTT (only the node hosting the socket reports it) ----
CREATE TABLE IF NOT EXISTS ${db}.${table:rollup_rtt_1m}${on_cluster}
(
    `minute` DateTime('UTC'),
    `k8s_cluster_name` LowCardinality(String),
    `src_k8s_namespace` LowCardinality(String),
    `src_k8s_owner_type` LowCardinality(String),
    `src_k8s_owner_name` LowCardinality(String),
    `dst_k8s_namespace` LowCardinality(String),
    `dst_k8s_owner_type` LowCardinality(String),
    `dst_k8s_owner_name` LowCardinality(String),
    `samples` SimpleAggregateFunction(sum, UInt64),
    `rtt_ns_sum` SimpleAggregateFunction(sum, UInt64),
    `rtt_ns_max` SimpleAggregateFunction(max, UInt64),
    `rtt_ns_quantiles` AggregateFunction(quantiles(0.5, 0.9, 0.99), UInt64)
)
ENGINE = ${engine:AggregatingMergeTree}
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name,
          dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name)
TTL toDate(minute) + toIntervalDay(${rollup_retention_days})
SETTINGS ${dedup_settings};

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.mv_rollup_rtt_1m${on_cluster}
TO ${db}.${table:rollup_rtt_1m}
AS SELECT
    toStartOfMinute(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name,
    src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name,
    dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name,
    count() AS samples,
    sum(assumeNotNull(time_flow_rtt_ns)) AS rtt_ns_sum,
    max(assumeNotNull(time_flow_rtt_ns)) AS rtt_ns_max,
    quantilesState(0.5, 0.9, 0.99)(assumeNotNull(time_flow_rtt_ns)) AS rtt_ns_quantiles
FROM ${db}.${table:flows}
WHERE record_type = 'flowLog' AND NOT duplicate AND time_flow_rtt_ns IS NOT NULL
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name,
         dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name;

-- ---- packet drops by cause and TCP state ----
CREATE TABLE IF NOT EXISTS ${db}.${table:rollup_drops_1m}${on_cluster}
(
    `minute` DateTime('UTC'),
    `k8s_cluster_name` LowCardinality(String),
    `src_k8s_namespace` LowCardinality(String),
    `dst_k8s_namespace` LowCardinality(String),
    `pkt_drop_latest_drop_cause` LowCardinality(String),
    `pkt_drop_latest_state` LowCardinality(String),
    `flows` UInt64,
    `drop_bytes` UInt64,
    `drop_packets` UInt64
)
ENGINE = ${engine:SummingMergeTree}
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace,
          pkt_drop_latest_drop_cause, pkt_drop_latest_state)
TTL toDate(minute) + toIntervalDay(${rollup_retention_days})
SETTINGS ${dedup_settings};

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.mv_rollup_drops_1m${on_cluster}
TO ${db}.${table:rollup_drops_1m}
AS SELECT
    toStartOfMinute(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace,
    pkt_drop_latest_drop_cause, pkt_drop_latest_state,
    count() AS flows,
    sum(pkt_drop_bytes) AS drop_bytes,
    sum(pkt_drop_packets) AS drop_packets
FROM ${db}.${table:flows}
WHERE record_type = 'flowLog' AND NOT duplicate AND pkt_drop_packets > 0
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace,
         pkt_drop_latest_drop_cause, pkt_drop_latest_state;
