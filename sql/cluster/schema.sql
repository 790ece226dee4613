-- Rendered by io.github.netobservch.schema.SchemaRenderer: variant cluster, database netobserv, cluster {cluster},
-- retention 30 d (flows), 35 / 186 / 762 d (rollups 1m / 5m / 1h), optional rollups [1h, 5m, pods], 30 d (flows_dlq), dedup window 10000 inserts / 604800 s.
-- Generated from sql/schema/*.sql; do not edit.

-- bootstrap
CREATE DATABASE IF NOT EXISTS netobserv ON CLUSTER '{cluster}';

CREATE TABLE IF NOT EXISTS netobserv.schema_migrations ON CLUSTER '{cluster}'
(
    `version` UInt32,
    `name` String,
    `checksum` String,
    `applied_at` DateTime64(3, 'UTC'),
    `variant` LowCardinality(String),
    `statements` UInt32
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/{database}/schema_migrations', '{shard}-{replica}', applied_at)
ORDER BY version;

-- V001__flows.sql
CREATE TABLE IF NOT EXISTS netobserv.flows_local ON CLUSTER '{cluster}'
(
    `time_flow_start_ms` DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    `time_flow_end_ms` DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    `time_received` DateTime('UTC') CODEC(Delta, ZSTD(1)),
    `agent_ip` IPv6 CODEC(ZSTD(1)),
    `etype` UInt16,
    `src_mac` LowCardinality(String),
    `dst_mac` LowCardinality(String),
    `interfaces` Array(LowCardinality(String)),
    `if_directions` Array(UInt8),
    `udns` Array(LowCardinality(String)),
    `bytes` UInt64 CODEC(ZSTD(1)),
    `packets` UInt32 CODEC(ZSTD(1)),
    `sampling` UInt32,
    `k8s_flow_layer` LowCardinality(String),
    `src_addr` IPv6 CODEC(ZSTD(1)),
    `dst_addr` IPv6 CODEC(ZSTD(1)),
    `proto` UInt8,
    `dscp` UInt8,
    `src_port` UInt16 CODEC(ZSTD(1)),
    `dst_port` UInt16 CODEC(ZSTD(1)),
    `icmp_type` UInt8,
    `icmp_code` UInt8,
    `flags` Array(LowCardinality(String)),
    `flow_direction` Nullable(UInt8),
    `src_subnet_label` LowCardinality(String),
    `dst_subnet_label` LowCardinality(String),
    `k8s_cluster_name` LowCardinality(String),
    `src_k8s_name` LowCardinality(String),
    `src_k8s_type` LowCardinality(String),
    `src_k8s_namespace` LowCardinality(String),
    `src_k8s_owner_name` LowCardinality(String),
    `src_k8s_owner_type` LowCardinality(String),
    `src_k8s_host_ip` IPv6,
    `src_k8s_host_name` LowCardinality(String),
    `src_k8s_zone` LowCardinality(String),
    `src_k8s_network_name` LowCardinality(String),
    `dst_k8s_name` LowCardinality(String),
    `dst_k8s_type` LowCardinality(String),
    `dst_k8s_namespace` LowCardinality(String),
    `dst_k8s_owner_name` LowCardinality(String),
    `dst_k8s_owner_type` LowCardinality(String),
    `dst_k8s_host_ip` IPv6,
    `dst_k8s_host_name` LowCardinality(String),
    `dst_k8s_zone` LowCardinality(String),
    `dst_k8s_network_name` LowCardinality(String),
    `xlat_src_k8s_name` LowCardinality(String),
    `xlat_src_k8s_type` LowCardinality(String),
    `xlat_src_k8s_namespace` LowCardinality(String),
    `xlat_src_k8s_owner_name` LowCardinality(String),
    `xlat_src_k8s_owner_type` LowCardinality(String),
    `xlat_src_k8s_network_name` LowCardinality(String),
    `xlat_src_k8s_host_ip` IPv6,
    `xlat_src_k8s_host_name` LowCardinality(String),
    `xlat_dst_k8s_name` LowCardinality(String),
    `xlat_dst_k8s_type` LowCardinality(String),
    `xlat_dst_k8s_namespace` LowCardinality(String),
    `xlat_dst_k8s_owner_name` LowCardinality(String),
    `xlat_dst_k8s_owner_type` LowCardinality(String),
    `xlat_dst_k8s_network_name` LowCardinality(String),
    `xlat_dst_k8s_host_ip` IPv6,
    `xlat_dst_k8s_host_name` LowCardinality(String),
    `dns_id` UInt16 CODEC(ZSTD(1)),
    `dns_flags` UInt16,
    `dns_flags_response_code` LowCardinality(String),
    `dns_latency_ms` Nullable(UInt64) CODEC(ZSTD(1)),
    `dns_name` String CODEC(ZSTD(1)),
    `dns_errno` UInt8,
    `time_flow_rtt_ns` Nullable(UInt64) CODEC(ZSTD(1)),
    `pkt_drop_bytes` UInt64,
    `pkt_drop_packets` UInt32,
    `pkt_drop_latest_drop_cause` LowCardinality(String),
    `pkt_drop_latest_state` LowCardinality(String),
    `pkt_drop_latest_flags` UInt16,
    `network_events` Array(Map(LowCardinality(String), String)) CODEC(ZSTD(1)),
    `xlat_src_addr` IPv6,
    `xlat_dst_addr` IPv6,
    `xlat_src_port` UInt16,
    `xlat_dst_port` UInt16,
    `zone_id` UInt16,
    `ipsec_status` LowCardinality(String),
    `ipsec_ret_code` Int32,
    `tls_version` LowCardinality(String),
    `tls_types` Array(LowCardinality(String)),
    `tls_cipher_suite` LowCardinality(String),
    `tls_group` LowCardinality(String),
    `quic_version` LowCardinality(String),
    `quic_seen_long_hdr` UInt8,
    `quic_seen_short_hdr` UInt8,
    `record_type` LowCardinality(String),
    `hash_id` String CODEC(ZSTD(1)),
    `is_first` Bool,
    `num_flow_logs` UInt64,
    `bytes_ab` UInt64,
    `bytes_ba` UInt64,
    `packets_ab` UInt64,
    `packets_ba` UInt64,
    `pkt_drop_bytes_ab` UInt64,
    `pkt_drop_bytes_ba` UInt64,
    `pkt_drop_packets_ab` UInt64,
    `pkt_drop_packets_ba` UInt64,
    `max_time_flow_rtt_ns` Nullable(UInt64),
    `duplicate` Bool,
    `tcp_flags_mask` UInt16 COMMENT 'TCP flags bitmask from Flags (names or legacy number)',
    `duration_ms` UInt64 COMMENT 'TimeFlowEndMs - TimeFlowStartMs' CODEC(ZSTD(1)),
    `direction` LowCardinality(String) COMMENT 'ingress/egress/inner/unknown from FlowDirection',
    `scope` LowCardinality(String) COMMENT 'traffic scope class',
    `proto_name` LowCardinality(String) COMMENT 'IANA protocol keyword',
    `bytes_per_second` Float64 COMMENT 'sampled bytes over max(duration, 1 s)' CODEC(ZSTD(1)),
    `packets_per_second` Float64 COMMENT 'sampled packets over max(duration, 1 s)' CODEC(ZSTD(1)),
    `bytes_estimated` UInt64 COMMENT 'Bytes x max(Sampling, 1)' CODEC(ZSTD(1)),
    `packets_estimated` UInt64 COMMENT 'Packets x max(Sampling, 1)' CODEC(ZSTD(1)),
    `dns_is_response` Bool COMMENT 'QR bit of DnsFlags',
    `flow_key_hash` UInt64 COMMENT '64-bit hash of cluster + 7-tuple',
    `is_canonical` Bool COMMENT 'canonical reporter of a cross-node pair',
    `kafka_topic` LowCardinality(String),
    `kafka_partition` Int32,
    `kafka_offset` Int64 CODEC(Delta, ZSTD(1)),
    `kafka_timestamp` DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    `raw` String COMMENT 'original JSON message' CODEC(ZSTD(3))
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toDate(time_flow_end_ms)
ORDER BY (toStartOfHour(time_flow_end_ms), src_k8s_namespace, dst_k8s_namespace, time_flow_end_ms)
TTL toDate(time_flow_end_ms) + toIntervalDay(30)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800, ttl_only_drop_parts = 1;

CREATE TABLE IF NOT EXISTS netobserv.flows ON CLUSTER '{cluster}' AS netobserv.flows_local
ENGINE = Distributed('{cluster}', 'netobserv', 'flows_local', rand());

-- V002__flows_dlq.sql
CREATE TABLE IF NOT EXISTS netobserv.flows_dlq_local ON CLUSTER '{cluster}'
(
    `reason` LowCardinality(String) COMMENT 'DeadLetterReason code, e.g. MALFORMED_JSON',
    `message` String COMMENT 'parser detail' CODEC(ZSTD(1)),
    `field` LowCardinality(String) COMMENT 'offending JSON key, empty when none',
    `payload` String COMMENT 'original value (bounded), see payload_encoding' CODEC(ZSTD(3)),
    `payload_encoding` LowCardinality(String) COMMENT 'utf8, base64 or none',
    `payload_truncated` Bool,
    `payload_size` UInt32 COMMENT 'length of the original value in bytes',
    `kafka_topic` LowCardinality(String),
    `kafka_partition` Int32,
    `kafka_offset` Int64,
    `kafka_timestamp` DateTime64(3, 'UTC') COMMENT 'record timestamp; 0 (1970-01-01) when the record had none',
    `processing_time` DateTime64(3, 'UTC') COMMENT 'when the job rejected the message'
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toDate(processing_time)
ORDER BY (processing_time, kafka_topic, kafka_partition, kafka_offset)
TTL toDate(processing_time) + toIntervalDay(30)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800, ttl_only_drop_parts = 1;

CREATE TABLE IF NOT EXISTS netobserv.flows_dlq ON CLUSTER '{cluster}' AS netobserv.flows_dlq_local
ENGINE = Distributed('{cluster}', 'netobserv', 'flows_dlq_local', rand());

-- V003__rollups.sql
CREATE TABLE IF NOT EXISTS netobserv.rollup_namespace_1m_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace, direction, k8s_flow_layer)
TTL toDate(minute) + toIntervalDay(35)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800;

CREATE TABLE IF NOT EXISTS netobserv.rollup_namespace_1m ON CLUSTER '{cluster}' AS netobserv.rollup_namespace_1m_local
ENGINE = Distributed('{cluster}', 'netobserv', 'rollup_namespace_1m_local', rand());

CREATE MATERIALIZED VIEW IF NOT EXISTS netobserv.mv_rollup_namespace_1m ON CLUSTER '{cluster}'
TO netobserv.rollup_namespace_1m_local
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
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace, direction, k8s_flow_layer;

CREATE TABLE IF NOT EXISTS netobserv.rollup_workload_1m_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name,
          dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name)
TTL toDate(minute) + toIntervalDay(35)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800;

CREATE TABLE IF NOT EXISTS netobserv.rollup_workload_1m ON CLUSTER '{cluster}' AS netobserv.rollup_workload_1m_local
ENGINE = Distributed('{cluster}', 'netobserv', 'rollup_workload_1m_local', rand());

CREATE MATERIALIZED VIEW IF NOT EXISTS netobserv.mv_rollup_workload_1m ON CLUSTER '{cluster}'
TO netobserv.rollup_workload_1m_local
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
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name,
         dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name;

CREATE TABLE IF NOT EXISTS netobserv.rollup_node_1m_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, src_k8s_host_name, dst_k8s_host_name)
TTL toDate(minute) + toIntervalDay(35)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800;

CREATE TABLE IF NOT EXISTS netobserv.rollup_node_1m ON CLUSTER '{cluster}' AS netobserv.rollup_node_1m_local
ENGINE = Distributed('{cluster}', 'netobserv', 'rollup_node_1m_local', rand());

CREATE MATERIALIZED VIEW IF NOT EXISTS netobserv.mv_rollup_node_1m ON CLUSTER '{cluster}'
TO netobserv.rollup_node_1m_local
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
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate
GROUP BY minute, k8s_cluster_name, src_k8s_host_name, dst_k8s_host_name;

CREATE TABLE IF NOT EXISTS netobserv.rollup_zone_1m_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, src_k8s_zone, dst_k8s_zone)
TTL toDate(minute) + toIntervalDay(35)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800;

CREATE TABLE IF NOT EXISTS netobserv.rollup_zone_1m ON CLUSTER '{cluster}' AS netobserv.rollup_zone_1m_local
ENGINE = Distributed('{cluster}', 'netobserv', 'rollup_zone_1m_local', rand());

CREATE MATERIALIZED VIEW IF NOT EXISTS netobserv.mv_rollup_zone_1m ON CLUSTER '{cluster}'
TO netobserv.rollup_zone_1m_local
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
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate
GROUP BY minute, k8s_cluster_name, src_k8s_zone, dst_k8s_zone;

CREATE TABLE IF NOT EXISTS netobserv.rollup_external_1m_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, scope, k8s_namespace, k8s_owner_type, k8s_owner_name,
          external_addr, external_subnet_label)
TTL toDate(minute) + toIntervalDay(35)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800;

CREATE TABLE IF NOT EXISTS netobserv.rollup_external_1m ON CLUSTER '{cluster}' AS netobserv.rollup_external_1m_local
ENGINE = Distributed('{cluster}', 'netobserv', 'rollup_external_1m_local', rand());

CREATE MATERIALIZED VIEW IF NOT EXISTS netobserv.mv_rollup_external_1m ON CLUSTER '{cluster}'
TO netobserv.rollup_external_1m_local
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
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate AND scope IN ('to_external', 'from_external')
GROUP BY minute, k8s_cluster_name, scope, k8s_namespace, k8s_owner_type, k8s_owner_name,
         external_addr, external_subnet_label;

CREATE TABLE IF NOT EXISTS netobserv.rollup_dns_1m_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, client_k8s_namespace, dns_name, dns_flags_response_code)
TTL toDate(minute) + toIntervalDay(35)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800;

CREATE TABLE IF NOT EXISTS netobserv.rollup_dns_1m ON CLUSTER '{cluster}' AS netobserv.rollup_dns_1m_local
ENGINE = Distributed('{cluster}', 'netobserv', 'rollup_dns_1m_local', rand());

CREATE MATERIALIZED VIEW IF NOT EXISTS netobserv.mv_rollup_dns_1m ON CLUSTER '{cluster}'
TO netobserv.rollup_dns_1m_local
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
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate AND dns_is_response AND dns_latency_ms IS NOT NULL
GROUP BY minute, k8s_cluster_name, client_k8s_namespace, dns_name, dns_flags_response_code;

CREATE TABLE IF NOT EXISTS netobserv.rollup_rtt_1m_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name,
          dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name)
TTL toDate(minute) + toIntervalDay(35)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800;

CREATE TABLE IF NOT EXISTS netobserv.rollup_rtt_1m ON CLUSTER '{cluster}' AS netobserv.rollup_rtt_1m_local
ENGINE = Distributed('{cluster}', 'netobserv', 'rollup_rtt_1m_local', rand());

CREATE MATERIALIZED VIEW IF NOT EXISTS netobserv.mv_rollup_rtt_1m ON CLUSTER '{cluster}'
TO netobserv.rollup_rtt_1m_local
AS SELECT
    toStartOfMinute(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name,
    src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name,
    dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name,
    count() AS samples,
    sum(assumeNotNull(time_flow_rtt_ns)) AS rtt_ns_sum,
    max(assumeNotNull(time_flow_rtt_ns)) AS rtt_ns_max,
    quantilesState(0.5, 0.9, 0.99)(assumeNotNull(time_flow_rtt_ns)) AS rtt_ns_quantiles
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate AND time_flow_rtt_ns IS NOT NULL
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name,
         dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name;

CREATE TABLE IF NOT EXISTS netobserv.rollup_drops_1m_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace,
          pkt_drop_latest_drop_cause, pkt_drop_latest_state)
TTL toDate(minute) + toIntervalDay(35)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800;

CREATE TABLE IF NOT EXISTS netobserv.rollup_drops_1m ON CLUSTER '{cluster}' AS netobserv.rollup_drops_1m_local
ENGINE = Distributed('{cluster}', 'netobserv', 'rollup_drops_1m_local', rand());

CREATE MATERIALIZED VIEW IF NOT EXISTS netobserv.mv_rollup_drops_1m ON CLUSTER '{cluster}'
TO netobserv.rollup_drops_1m_local
AS SELECT
    toStartOfMinute(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace,
    pkt_drop_latest_drop_cause, pkt_drop_latest_state,
    count() AS flows,
    sum(pkt_drop_bytes) AS drop_bytes,
    sum(pkt_drop_packets) AS drop_packets
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate AND pkt_drop_packets > 0
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace,
         pkt_drop_latest_drop_cause, pkt_drop_latest_state;

-- V004__real_records.sql
ALTER TABLE netobserv.flows_local ON CLUSTER '{cluster}'
    ADD COLUMN IF NOT EXISTS `parse_warnings` Array(LowCardinality(String)) COMMENT 'optional fields left empty because their value did not fit: Field:REASON';

ALTER TABLE netobserv.flows ON CLUSTER '{cluster}'
    ADD COLUMN IF NOT EXISTS `parse_warnings` Array(LowCardinality(String)) COMMENT 'optional fields left empty because their value did not fit: Field:REASON';

ALTER TABLE netobserv.mv_rollup_namespace_1m ON CLUSTER '{cluster}'
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
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip'
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace, direction, k8s_flow_layer;

ALTER TABLE netobserv.mv_rollup_workload_1m ON CLUSTER '{cluster}'
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
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip'
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name,
         dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name;

ALTER TABLE netobserv.mv_rollup_node_1m ON CLUSTER '{cluster}'
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
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip'
GROUP BY minute, k8s_cluster_name, src_k8s_host_name, dst_k8s_host_name;

ALTER TABLE netobserv.mv_rollup_zone_1m ON CLUSTER '{cluster}'
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
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip'
GROUP BY minute, k8s_cluster_name, src_k8s_zone, dst_k8s_zone;

ALTER TABLE netobserv.mv_rollup_drops_1m ON CLUSTER '{cluster}'
MODIFY QUERY
SELECT
    toStartOfMinute(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace,
    pkt_drop_latest_drop_cause, pkt_drop_latest_state,
    count() AS flows,
    sum(pkt_drop_bytes) AS drop_bytes,
    sum(pkt_drop_packets) AS drop_packets
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip' AND pkt_drop_packets > 0
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace,
         pkt_drop_latest_drop_cause, pkt_drop_latest_state;

-- V005__tiers.sql
CREATE TABLE IF NOT EXISTS netobserv.rollup_namespace_5m_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace, direction, k8s_flow_layer)
TTL toDate(minute) + toIntervalDay(186)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800;

CREATE TABLE IF NOT EXISTS netobserv.rollup_namespace_5m ON CLUSTER '{cluster}' AS netobserv.rollup_namespace_5m_local
ENGINE = Distributed('{cluster}', 'netobserv', 'rollup_namespace_5m_local', rand());

CREATE TABLE IF NOT EXISTS netobserv.rollup_namespace_1h_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace, direction, k8s_flow_layer)
TTL toDate(minute) + toIntervalDay(762)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800;

CREATE TABLE IF NOT EXISTS netobserv.rollup_namespace_1h ON CLUSTER '{cluster}' AS netobserv.rollup_namespace_1h_local
ENGINE = Distributed('{cluster}', 'netobserv', 'rollup_namespace_1h_local', rand());

CREATE TABLE IF NOT EXISTS netobserv.rollup_workload_5m_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name,
          dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name)
TTL toDate(minute) + toIntervalDay(186)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800;

CREATE TABLE IF NOT EXISTS netobserv.rollup_workload_5m ON CLUSTER '{cluster}' AS netobserv.rollup_workload_5m_local
ENGINE = Distributed('{cluster}', 'netobserv', 'rollup_workload_5m_local', rand());

CREATE TABLE IF NOT EXISTS netobserv.rollup_workload_1h_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name,
          dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name)
TTL toDate(minute) + toIntervalDay(762)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800;

CREATE TABLE IF NOT EXISTS netobserv.rollup_workload_1h ON CLUSTER '{cluster}' AS netobserv.rollup_workload_1h_local
ENGINE = Distributed('{cluster}', 'netobserv', 'rollup_workload_1h_local', rand());

CREATE TABLE IF NOT EXISTS netobserv.rollup_node_5m_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, src_k8s_host_name, dst_k8s_host_name)
TTL toDate(minute) + toIntervalDay(186)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800;

CREATE TABLE IF NOT EXISTS netobserv.rollup_node_5m ON CLUSTER '{cluster}' AS netobserv.rollup_node_5m_local
ENGINE = Distributed('{cluster}', 'netobserv', 'rollup_node_5m_local', rand());

CREATE TABLE IF NOT EXISTS netobserv.rollup_node_1h_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, src_k8s_host_name, dst_k8s_host_name)
TTL toDate(minute) + toIntervalDay(762)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800;

CREATE TABLE IF NOT EXISTS netobserv.rollup_node_1h ON CLUSTER '{cluster}' AS netobserv.rollup_node_1h_local
ENGINE = Distributed('{cluster}', 'netobserv', 'rollup_node_1h_local', rand());

CREATE TABLE IF NOT EXISTS netobserv.rollup_zone_5m_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, src_k8s_zone, dst_k8s_zone)
TTL toDate(minute) + toIntervalDay(186)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800;

CREATE TABLE IF NOT EXISTS netobserv.rollup_zone_5m ON CLUSTER '{cluster}' AS netobserv.rollup_zone_5m_local
ENGINE = Distributed('{cluster}', 'netobserv', 'rollup_zone_5m_local', rand());

CREATE TABLE IF NOT EXISTS netobserv.rollup_zone_1h_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, src_k8s_zone, dst_k8s_zone)
TTL toDate(minute) + toIntervalDay(762)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800;

CREATE TABLE IF NOT EXISTS netobserv.rollup_zone_1h ON CLUSTER '{cluster}' AS netobserv.rollup_zone_1h_local
ENGINE = Distributed('{cluster}', 'netobserv', 'rollup_zone_1h_local', rand());

CREATE TABLE IF NOT EXISTS netobserv.rollup_external_5m_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, scope, k8s_namespace, k8s_owner_type, k8s_owner_name,
          external_addr, external_subnet_label)
TTL toDate(minute) + toIntervalDay(186)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800;

CREATE TABLE IF NOT EXISTS netobserv.rollup_external_5m ON CLUSTER '{cluster}' AS netobserv.rollup_external_5m_local
ENGINE = Distributed('{cluster}', 'netobserv', 'rollup_external_5m_local', rand());

CREATE TABLE IF NOT EXISTS netobserv.rollup_external_1h_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, scope, k8s_namespace, k8s_owner_type, k8s_owner_name,
          external_addr, external_subnet_label)
TTL toDate(minute) + toIntervalDay(762)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800;

CREATE TABLE IF NOT EXISTS netobserv.rollup_external_1h ON CLUSTER '{cluster}' AS netobserv.rollup_external_1h_local
ENGINE = Distributed('{cluster}', 'netobserv', 'rollup_external_1h_local', rand());

CREATE TABLE IF NOT EXISTS netobserv.rollup_dns_5m_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, client_k8s_namespace, dns_name, dns_flags_response_code)
TTL toDate(minute) + toIntervalDay(186)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800;

CREATE TABLE IF NOT EXISTS netobserv.rollup_dns_5m ON CLUSTER '{cluster}' AS netobserv.rollup_dns_5m_local
ENGINE = Distributed('{cluster}', 'netobserv', 'rollup_dns_5m_local', rand());

CREATE TABLE IF NOT EXISTS netobserv.rollup_dns_1h_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, client_k8s_namespace, dns_name, dns_flags_response_code)
TTL toDate(minute) + toIntervalDay(762)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800;

CREATE TABLE IF NOT EXISTS netobserv.rollup_dns_1h ON CLUSTER '{cluster}' AS netobserv.rollup_dns_1h_local
ENGINE = Distributed('{cluster}', 'netobserv', 'rollup_dns_1h_local', rand());

CREATE TABLE IF NOT EXISTS netobserv.rollup_rtt_5m_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name,
          dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name)
TTL toDate(minute) + toIntervalDay(186)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800;

CREATE TABLE IF NOT EXISTS netobserv.rollup_rtt_5m ON CLUSTER '{cluster}' AS netobserv.rollup_rtt_5m_local
ENGINE = Distributed('{cluster}', 'netobserv', 'rollup_rtt_5m_local', rand());

CREATE TABLE IF NOT EXISTS netobserv.rollup_rtt_1h_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name,
          dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name)
TTL toDate(minute) + toIntervalDay(762)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800;

CREATE TABLE IF NOT EXISTS netobserv.rollup_rtt_1h ON CLUSTER '{cluster}' AS netobserv.rollup_rtt_1h_local
ENGINE = Distributed('{cluster}', 'netobserv', 'rollup_rtt_1h_local', rand());

CREATE TABLE IF NOT EXISTS netobserv.rollup_drops_5m_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace,
          pkt_drop_latest_drop_cause, pkt_drop_latest_state)
TTL toDate(minute) + toIntervalDay(186)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800;

CREATE TABLE IF NOT EXISTS netobserv.rollup_drops_5m ON CLUSTER '{cluster}' AS netobserv.rollup_drops_5m_local
ENGINE = Distributed('{cluster}', 'netobserv', 'rollup_drops_5m_local', rand());

CREATE TABLE IF NOT EXISTS netobserv.rollup_drops_1h_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace,
          pkt_drop_latest_drop_cause, pkt_drop_latest_state)
TTL toDate(minute) + toIntervalDay(762)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800;

CREATE TABLE IF NOT EXISTS netobserv.rollup_drops_1h ON CLUSTER '{cluster}' AS netobserv.rollup_drops_1h_local
ENGINE = Distributed('{cluster}', 'netobserv', 'rollup_drops_1h_local', rand());

INSERT INTO netobserv.rollup_namespace_5m
SELECT
    toStartOfFiveMinutes(minute) AS minute,
    k8s_cluster_name,
    src_k8s_namespace,
    dst_k8s_namespace,
    direction,
    k8s_flow_layer,
    sum(flows) AS flows,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    sum(bytes_estimated) AS bytes_estimated,
    sum(packets_estimated) AS packets_estimated,
    sum(drop_bytes) AS drop_bytes,
    sum(drop_packets) AS drop_packets
FROM netobserv.rollup_namespace_1m
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace, direction, k8s_flow_layer
HAVING (SELECT count() FROM netobserv.rollup_namespace_5m) = 0;

INSERT INTO netobserv.rollup_workload_5m
SELECT
    toStartOfFiveMinutes(minute) AS minute,
    k8s_cluster_name,
    src_k8s_namespace,
    src_k8s_owner_type,
    src_k8s_owner_name,
    dst_k8s_namespace,
    dst_k8s_owner_type,
    dst_k8s_owner_name,
    sum(flows) AS flows,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    sum(bytes_estimated) AS bytes_estimated,
    sum(packets_estimated) AS packets_estimated,
    sum(drop_bytes) AS drop_bytes,
    sum(drop_packets) AS drop_packets
FROM netobserv.rollup_workload_1m
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name, dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name
HAVING (SELECT count() FROM netobserv.rollup_workload_5m) = 0;

INSERT INTO netobserv.rollup_node_5m
SELECT
    toStartOfFiveMinutes(minute) AS minute,
    k8s_cluster_name,
    src_k8s_host_name,
    dst_k8s_host_name,
    sum(flows) AS flows,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    sum(bytes_estimated) AS bytes_estimated,
    sum(packets_estimated) AS packets_estimated,
    sum(drop_bytes) AS drop_bytes,
    sum(drop_packets) AS drop_packets
FROM netobserv.rollup_node_1m
GROUP BY minute, k8s_cluster_name, src_k8s_host_name, dst_k8s_host_name
HAVING (SELECT count() FROM netobserv.rollup_node_5m) = 0;

INSERT INTO netobserv.rollup_zone_5m
SELECT
    toStartOfFiveMinutes(minute) AS minute,
    k8s_cluster_name,
    src_k8s_zone,
    dst_k8s_zone,
    sum(flows) AS flows,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    sum(bytes_estimated) AS bytes_estimated,
    sum(packets_estimated) AS packets_estimated,
    sum(drop_bytes) AS drop_bytes,
    sum(drop_packets) AS drop_packets
FROM netobserv.rollup_zone_1m
GROUP BY minute, k8s_cluster_name, src_k8s_zone, dst_k8s_zone
HAVING (SELECT count() FROM netobserv.rollup_zone_5m) = 0;

INSERT INTO netobserv.rollup_external_5m
SELECT
    toStartOfFiveMinutes(minute) AS minute,
    k8s_cluster_name,
    scope,
    k8s_namespace,
    k8s_owner_type,
    k8s_owner_name,
    external_addr,
    external_subnet_label,
    sum(flows) AS flows,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    sum(bytes_estimated) AS bytes_estimated,
    sum(packets_estimated) AS packets_estimated,
    sum(drop_bytes) AS drop_bytes,
    sum(drop_packets) AS drop_packets
FROM netobserv.rollup_external_1m
GROUP BY minute, k8s_cluster_name, scope, k8s_namespace, k8s_owner_type, k8s_owner_name, external_addr, external_subnet_label
HAVING (SELECT count() FROM netobserv.rollup_external_5m) = 0;

INSERT INTO netobserv.rollup_dns_5m
SELECT
    toStartOfFiveMinutes(minute) AS minute,
    k8s_cluster_name,
    client_k8s_namespace,
    dns_name,
    dns_flags_response_code,
    sum(responses) AS responses,
    sum(latency_ms_sum) AS latency_ms_sum,
    max(latency_ms_max) AS latency_ms_max,
    quantilesMergeState(0.5, 0.9, 0.99)(latency_ms_quantiles) AS latency_ms_quantiles
FROM netobserv.rollup_dns_1m
GROUP BY minute, k8s_cluster_name, client_k8s_namespace, dns_name, dns_flags_response_code
HAVING (SELECT count() FROM netobserv.rollup_dns_5m) = 0;

INSERT INTO netobserv.rollup_rtt_5m
SELECT
    toStartOfFiveMinutes(minute) AS minute,
    k8s_cluster_name,
    src_k8s_namespace,
    src_k8s_owner_type,
    src_k8s_owner_name,
    dst_k8s_namespace,
    dst_k8s_owner_type,
    dst_k8s_owner_name,
    sum(samples) AS samples,
    sum(rtt_ns_sum) AS rtt_ns_sum,
    max(rtt_ns_max) AS rtt_ns_max,
    quantilesMergeState(0.5, 0.9, 0.99)(rtt_ns_quantiles) AS rtt_ns_quantiles
FROM netobserv.rollup_rtt_1m
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name, dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name
HAVING (SELECT count() FROM netobserv.rollup_rtt_5m) = 0;

INSERT INTO netobserv.rollup_drops_5m
SELECT
    toStartOfFiveMinutes(minute) AS minute,
    k8s_cluster_name,
    src_k8s_namespace,
    dst_k8s_namespace,
    pkt_drop_latest_drop_cause,
    pkt_drop_latest_state,
    sum(flows) AS flows,
    sum(drop_bytes) AS drop_bytes,
    sum(drop_packets) AS drop_packets
FROM netobserv.rollup_drops_1m
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace, pkt_drop_latest_drop_cause, pkt_drop_latest_state
HAVING (SELECT count() FROM netobserv.rollup_drops_5m) = 0;

INSERT INTO netobserv.rollup_namespace_1h
SELECT
    toStartOfHour(minute) AS minute,
    k8s_cluster_name,
    src_k8s_namespace,
    dst_k8s_namespace,
    direction,
    k8s_flow_layer,
    sum(flows) AS flows,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    sum(bytes_estimated) AS bytes_estimated,
    sum(packets_estimated) AS packets_estimated,
    sum(drop_bytes) AS drop_bytes,
    sum(drop_packets) AS drop_packets
FROM netobserv.rollup_namespace_1m
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace, direction, k8s_flow_layer
HAVING (SELECT count() FROM netobserv.rollup_namespace_1h) = 0;

INSERT INTO netobserv.rollup_workload_1h
SELECT
    toStartOfHour(minute) AS minute,
    k8s_cluster_name,
    src_k8s_namespace,
    src_k8s_owner_type,
    src_k8s_owner_name,
    dst_k8s_namespace,
    dst_k8s_owner_type,
    dst_k8s_owner_name,
    sum(flows) AS flows,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    sum(bytes_estimated) AS bytes_estimated,
    sum(packets_estimated) AS packets_estimated,
    sum(drop_bytes) AS drop_bytes,
    sum(drop_packets) AS drop_packets
FROM netobserv.rollup_workload_1m
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name, dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name
HAVING (SELECT count() FROM netobserv.rollup_workload_1h) = 0;

INSERT INTO netobserv.rollup_node_1h
SELECT
    toStartOfHour(minute) AS minute,
    k8s_cluster_name,
    src_k8s_host_name,
    dst_k8s_host_name,
    sum(flows) AS flows,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    sum(bytes_estimated) AS bytes_estimated,
    sum(packets_estimated) AS packets_estimated,
    sum(drop_bytes) AS drop_bytes,
    sum(drop_packets) AS drop_packets
FROM netobserv.rollup_node_1m
GROUP BY minute, k8s_cluster_name, src_k8s_host_name, dst_k8s_host_name
HAVING (SELECT count() FROM netobserv.rollup_node_1h) = 0;

INSERT INTO netobserv.rollup_zone_1h
SELECT
    toStartOfHour(minute) AS minute,
    k8s_cluster_name,
    src_k8s_zone,
    dst_k8s_zone,
    sum(flows) AS flows,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    sum(bytes_estimated) AS bytes_estimated,
    sum(packets_estimated) AS packets_estimated,
    sum(drop_bytes) AS drop_bytes,
    sum(drop_packets) AS drop_packets
FROM netobserv.rollup_zone_1m
GROUP BY minute, k8s_cluster_name, src_k8s_zone, dst_k8s_zone
HAVING (SELECT count() FROM netobserv.rollup_zone_1h) = 0;

INSERT INTO netobserv.rollup_external_1h
SELECT
    toStartOfHour(minute) AS minute,
    k8s_cluster_name,
    scope,
    k8s_namespace,
    k8s_owner_type,
    k8s_owner_name,
    external_addr,
    external_subnet_label,
    sum(flows) AS flows,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    sum(bytes_estimated) AS bytes_estimated,
    sum(packets_estimated) AS packets_estimated,
    sum(drop_bytes) AS drop_bytes,
    sum(drop_packets) AS drop_packets
FROM netobserv.rollup_external_1m
GROUP BY minute, k8s_cluster_name, scope, k8s_namespace, k8s_owner_type, k8s_owner_name, external_addr, external_subnet_label
HAVING (SELECT count() FROM netobserv.rollup_external_1h) = 0;

INSERT INTO netobserv.rollup_dns_1h
SELECT
    toStartOfHour(minute) AS minute,
    k8s_cluster_name,
    client_k8s_namespace,
    dns_name,
    dns_flags_response_code,
    sum(responses) AS responses,
    sum(latency_ms_sum) AS latency_ms_sum,
    max(latency_ms_max) AS latency_ms_max,
    quantilesMergeState(0.5, 0.9, 0.99)(latency_ms_quantiles) AS latency_ms_quantiles
FROM netobserv.rollup_dns_1m
GROUP BY minute, k8s_cluster_name, client_k8s_namespace, dns_name, dns_flags_response_code
HAVING (SELECT count() FROM netobserv.rollup_dns_1h) = 0;

INSERT INTO netobserv.rollup_rtt_1h
SELECT
    toStartOfHour(minute) AS minute,
    k8s_cluster_name,
    src_k8s_namespace,
    src_k8s_owner_type,
    src_k8s_owner_name,
    dst_k8s_namespace,
    dst_k8s_owner_type,
    dst_k8s_owner_name,
    sum(samples) AS samples,
    sum(rtt_ns_sum) AS rtt_ns_sum,
    max(rtt_ns_max) AS rtt_ns_max,
    quantilesMergeState(0.5, 0.9, 0.99)(rtt_ns_quantiles) AS rtt_ns_quantiles
FROM netobserv.rollup_rtt_1m
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name, dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name
HAVING (SELECT count() FROM netobserv.rollup_rtt_1h) = 0;

INSERT INTO netobserv.rollup_drops_1h
SELECT
    toStartOfHour(minute) AS minute,
    k8s_cluster_name,
    src_k8s_namespace,
    dst_k8s_namespace,
    pkt_drop_latest_drop_cause,
    pkt_drop_latest_state,
    sum(flows) AS flows,
    sum(drop_bytes) AS drop_bytes,
    sum(drop_packets) AS drop_packets
FROM netobserv.rollup_drops_1m
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace, pkt_drop_latest_drop_cause, pkt_drop_latest_state
HAVING (SELECT count() FROM netobserv.rollup_drops_1h) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS netobserv.mv_rollup_namespace_1h ON CLUSTER '{cluster}'
TO netobserv.rollup_namespace_1h_local
AS SELECT
    toStartOfHour(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace, direction, k8s_flow_layer,
    count() AS flows,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    sum(bytes_estimated) AS bytes_estimated,
    sum(packets_estimated) AS packets_estimated,
    sum(pkt_drop_bytes) AS drop_bytes,
    sum(pkt_drop_packets) AS drop_packets
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip'
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace, direction, k8s_flow_layer;

CREATE MATERIALIZED VIEW IF NOT EXISTS netobserv.mv_rollup_workload_1h ON CLUSTER '{cluster}'
TO netobserv.rollup_workload_1h_local
AS SELECT
    toStartOfHour(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
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
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip'
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name,
         dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name;

CREATE MATERIALIZED VIEW IF NOT EXISTS netobserv.mv_rollup_node_1h ON CLUSTER '{cluster}'
TO netobserv.rollup_node_1h_local
AS SELECT
    toStartOfHour(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name, src_k8s_host_name, dst_k8s_host_name,
    count() AS flows,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    sum(bytes_estimated) AS bytes_estimated,
    sum(packets_estimated) AS packets_estimated,
    sum(pkt_drop_bytes) AS drop_bytes,
    sum(pkt_drop_packets) AS drop_packets
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip'
GROUP BY minute, k8s_cluster_name, src_k8s_host_name, dst_k8s_host_name;

CREATE MATERIALIZED VIEW IF NOT EXISTS netobserv.mv_rollup_zone_1h ON CLUSTER '{cluster}'
TO netobserv.rollup_zone_1h_local
AS SELECT
    toStartOfHour(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name, src_k8s_zone, dst_k8s_zone,
    count() AS flows,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    sum(bytes_estimated) AS bytes_estimated,
    sum(packets_estimated) AS packets_estimated,
    sum(pkt_drop_bytes) AS drop_bytes,
    sum(pkt_drop_packets) AS drop_packets
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip'
GROUP BY minute, k8s_cluster_name, src_k8s_zone, dst_k8s_zone;

CREATE MATERIALIZED VIEW IF NOT EXISTS netobserv.mv_rollup_external_1h ON CLUSTER '{cluster}'
TO netobserv.rollup_external_1h_local
AS SELECT
    toStartOfHour(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
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
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate AND scope IN ('to_external', 'from_external')
GROUP BY minute, k8s_cluster_name, scope, k8s_namespace, k8s_owner_type, k8s_owner_name,
         external_addr, external_subnet_label;

CREATE MATERIALIZED VIEW IF NOT EXISTS netobserv.mv_rollup_dns_1h ON CLUSTER '{cluster}'
TO netobserv.rollup_dns_1h_local
AS SELECT
    toStartOfHour(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name,
    dst_k8s_namespace AS client_k8s_namespace,
    dns_name,
    dns_flags_response_code,
    count() AS responses,
    sum(assumeNotNull(dns_latency_ms)) AS latency_ms_sum,
    max(assumeNotNull(dns_latency_ms)) AS latency_ms_max,
    quantilesState(0.5, 0.9, 0.99)(assumeNotNull(dns_latency_ms)) AS latency_ms_quantiles
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate AND dns_is_response AND dns_latency_ms IS NOT NULL
GROUP BY minute, k8s_cluster_name, client_k8s_namespace, dns_name, dns_flags_response_code;

CREATE MATERIALIZED VIEW IF NOT EXISTS netobserv.mv_rollup_rtt_1h ON CLUSTER '{cluster}'
TO netobserv.rollup_rtt_1h_local
AS SELECT
    toStartOfHour(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name,
    src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name,
    dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name,
    count() AS samples,
    sum(assumeNotNull(time_flow_rtt_ns)) AS rtt_ns_sum,
    max(assumeNotNull(time_flow_rtt_ns)) AS rtt_ns_max,
    quantilesState(0.5, 0.9, 0.99)(assumeNotNull(time_flow_rtt_ns)) AS rtt_ns_quantiles
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate AND time_flow_rtt_ns IS NOT NULL
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name,
         dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name;

CREATE MATERIALIZED VIEW IF NOT EXISTS netobserv.mv_rollup_drops_1h ON CLUSTER '{cluster}'
TO netobserv.rollup_drops_1h_local
AS SELECT
    toStartOfHour(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace,
    pkt_drop_latest_drop_cause, pkt_drop_latest_state,
    count() AS flows,
    sum(pkt_drop_bytes) AS drop_bytes,
    sum(pkt_drop_packets) AS drop_packets
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip' AND pkt_drop_packets > 0
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace,
         pkt_drop_latest_drop_cause, pkt_drop_latest_state;

CREATE MATERIALIZED VIEW IF NOT EXISTS netobserv.mv_rollup_namespace_5m ON CLUSTER '{cluster}'
TO netobserv.rollup_namespace_5m_local
AS SELECT
    toStartOfFiveMinutes(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace, direction, k8s_flow_layer,
    count() AS flows,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    sum(bytes_estimated) AS bytes_estimated,
    sum(packets_estimated) AS packets_estimated,
    sum(pkt_drop_bytes) AS drop_bytes,
    sum(pkt_drop_packets) AS drop_packets
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip'
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace, direction, k8s_flow_layer;

CREATE MATERIALIZED VIEW IF NOT EXISTS netobserv.mv_rollup_workload_5m ON CLUSTER '{cluster}'
TO netobserv.rollup_workload_5m_local
AS SELECT
    toStartOfFiveMinutes(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
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
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip'
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name,
         dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name;

CREATE MATERIALIZED VIEW IF NOT EXISTS netobserv.mv_rollup_node_5m ON CLUSTER '{cluster}'
TO netobserv.rollup_node_5m_local
AS SELECT
    toStartOfFiveMinutes(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name, src_k8s_host_name, dst_k8s_host_name,
    count() AS flows,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    sum(bytes_estimated) AS bytes_estimated,
    sum(packets_estimated) AS packets_estimated,
    sum(pkt_drop_bytes) AS drop_bytes,
    sum(pkt_drop_packets) AS drop_packets
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip'
GROUP BY minute, k8s_cluster_name, src_k8s_host_name, dst_k8s_host_name;

CREATE MATERIALIZED VIEW IF NOT EXISTS netobserv.mv_rollup_zone_5m ON CLUSTER '{cluster}'
TO netobserv.rollup_zone_5m_local
AS SELECT
    toStartOfFiveMinutes(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name, src_k8s_zone, dst_k8s_zone,
    count() AS flows,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    sum(bytes_estimated) AS bytes_estimated,
    sum(packets_estimated) AS packets_estimated,
    sum(pkt_drop_bytes) AS drop_bytes,
    sum(pkt_drop_packets) AS drop_packets
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip'
GROUP BY minute, k8s_cluster_name, src_k8s_zone, dst_k8s_zone;

CREATE MATERIALIZED VIEW IF NOT EXISTS netobserv.mv_rollup_external_5m ON CLUSTER '{cluster}'
TO netobserv.rollup_external_5m_local
AS SELECT
    toStartOfFiveMinutes(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
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
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate AND scope IN ('to_external', 'from_external')
GROUP BY minute, k8s_cluster_name, scope, k8s_namespace, k8s_owner_type, k8s_owner_name,
         external_addr, external_subnet_label;

CREATE MATERIALIZED VIEW IF NOT EXISTS netobserv.mv_rollup_dns_5m ON CLUSTER '{cluster}'
TO netobserv.rollup_dns_5m_local
AS SELECT
    toStartOfFiveMinutes(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name,
    dst_k8s_namespace AS client_k8s_namespace,
    dns_name,
    dns_flags_response_code,
    count() AS responses,
    sum(assumeNotNull(dns_latency_ms)) AS latency_ms_sum,
    max(assumeNotNull(dns_latency_ms)) AS latency_ms_max,
    quantilesState(0.5, 0.9, 0.99)(assumeNotNull(dns_latency_ms)) AS latency_ms_quantiles
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate AND dns_is_response AND dns_latency_ms IS NOT NULL
GROUP BY minute, k8s_cluster_name, client_k8s_namespace, dns_name, dns_flags_response_code;

CREATE MATERIALIZED VIEW IF NOT EXISTS netobserv.mv_rollup_rtt_5m ON CLUSTER '{cluster}'
TO netobserv.rollup_rtt_5m_local
AS SELECT
    toStartOfFiveMinutes(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name,
    src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name,
    dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name,
    count() AS samples,
    sum(assumeNotNull(time_flow_rtt_ns)) AS rtt_ns_sum,
    max(assumeNotNull(time_flow_rtt_ns)) AS rtt_ns_max,
    quantilesState(0.5, 0.9, 0.99)(assumeNotNull(time_flow_rtt_ns)) AS rtt_ns_quantiles
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate AND time_flow_rtt_ns IS NOT NULL
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name,
         dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name;

CREATE MATERIALIZED VIEW IF NOT EXISTS netobserv.mv_rollup_drops_5m ON CLUSTER '{cluster}'
TO netobserv.rollup_drops_5m_local
AS SELECT
    toStartOfFiveMinutes(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace,
    pkt_drop_latest_drop_cause, pkt_drop_latest_state,
    count() AS flows,
    sum(pkt_drop_bytes) AS drop_bytes,
    sum(pkt_drop_packets) AS drop_packets
FROM netobserv.flows_local
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip' AND pkt_drop_packets > 0
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace,
         pkt_drop_latest_drop_cause, pkt_drop_latest_state;

-- V006__pod_rollups.sql
CREATE TABLE IF NOT EXISTS netobserv.rollup_pod_1m_local ON CLUSTER '{cluster}'
(
    `minute` DateTime('UTC'),
    `k8s_cluster_name` LowCardinality(String),
    `role` LowCardinality(String) COMMENT 'src: flows the pod sent; dst: flows it received',
    `k8s_namespace` LowCardinality(String),
    `k8s_name` LowCardinality(String),
    `flows` SimpleAggregateFunction(sum, UInt64),
    `bytes` SimpleAggregateFunction(sum, UInt64),
    `packets` SimpleAggregateFunction(sum, UInt64),
    `self_flows` SimpleAggregateFunction(sum, UInt64) COMMENT 'src rows: flows from the pod to itself',
    `peers` AggregateFunction(uniqExact, IPv6) COMMENT 'addresses at the other end'
)
ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, k8s_namespace, k8s_name, role)
TTL toDate(minute) + toIntervalDay(35)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800;

CREATE TABLE IF NOT EXISTS netobserv.rollup_pod_1m ON CLUSTER '{cluster}' AS netobserv.rollup_pod_1m_local
ENGINE = Distributed('{cluster}', 'netobserv', 'rollup_pod_1m_local', rand());

CREATE TABLE IF NOT EXISTS netobserv.rollup_pod_5m_local ON CLUSTER '{cluster}'
(
    `minute` DateTime('UTC'),
    `k8s_cluster_name` LowCardinality(String),
    `role` LowCardinality(String) COMMENT 'src: flows the pod sent; dst: flows it received',
    `k8s_namespace` LowCardinality(String),
    `k8s_name` LowCardinality(String),
    `flows` SimpleAggregateFunction(sum, UInt64),
    `bytes` SimpleAggregateFunction(sum, UInt64),
    `packets` SimpleAggregateFunction(sum, UInt64),
    `self_flows` SimpleAggregateFunction(sum, UInt64) COMMENT 'src rows: flows from the pod to itself',
    `peers` AggregateFunction(uniqExact, IPv6) COMMENT 'addresses at the other end'
)
ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, k8s_namespace, k8s_name, role)
TTL toDate(minute) + toIntervalDay(186)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800;

CREATE TABLE IF NOT EXISTS netobserv.rollup_pod_5m ON CLUSTER '{cluster}' AS netobserv.rollup_pod_5m_local
ENGINE = Distributed('{cluster}', 'netobserv', 'rollup_pod_5m_local', rand());

CREATE TABLE IF NOT EXISTS netobserv.rollup_pod_1h_local ON CLUSTER '{cluster}'
(
    `minute` DateTime('UTC'),
    `k8s_cluster_name` LowCardinality(String),
    `role` LowCardinality(String) COMMENT 'src: flows the pod sent; dst: flows it received',
    `k8s_namespace` LowCardinality(String),
    `k8s_name` LowCardinality(String),
    `flows` SimpleAggregateFunction(sum, UInt64),
    `bytes` SimpleAggregateFunction(sum, UInt64),
    `packets` SimpleAggregateFunction(sum, UInt64),
    `self_flows` SimpleAggregateFunction(sum, UInt64) COMMENT 'src rows: flows from the pod to itself',
    `peers` AggregateFunction(uniqExact, IPv6) COMMENT 'addresses at the other end'
)
ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, k8s_namespace, k8s_name, role)
TTL toDate(minute) + toIntervalDay(762)
SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800;

CREATE TABLE IF NOT EXISTS netobserv.rollup_pod_1h ON CLUSTER '{cluster}' AS netobserv.rollup_pod_1h_local
ENGINE = Distributed('{cluster}', 'netobserv', 'rollup_pod_1h_local', rand());

INSERT INTO netobserv.rollup_pod_1m
SELECT
    toStartOfMinute(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name,
    tupleElement(e, 1) AS role,
    tupleElement(e, 2) AS k8s_namespace,
    tupleElement(e, 3) AS k8s_name,
    count() AS flows,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    countIf(tupleElement(e, 1) = 'src' AND dst_k8s_type = 'Pod' AND dst_k8s_namespace = src_k8s_namespace
            AND dst_k8s_name = src_k8s_name) AS self_flows,
    uniqExactState(tupleElement(e, 4)) AS peers
FROM netobserv.flows
ARRAY JOIN arrayFilter(x -> tupleElement(x, 5) = 'Pod', [
    tuple('src', src_k8s_namespace, src_k8s_name, dst_addr, src_k8s_type),
    tuple('dst', dst_k8s_namespace, dst_k8s_name, src_addr, dst_k8s_type)]) AS e
WHERE record_type = 'flowLog' AND NOT duplicate
GROUP BY minute, k8s_cluster_name, role, k8s_namespace, k8s_name
HAVING (SELECT count() FROM netobserv.rollup_pod_1m) = 0;

INSERT INTO netobserv.rollup_pod_5m
SELECT
    toStartOfFiveMinutes(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name,
    tupleElement(e, 1) AS role,
    tupleElement(e, 2) AS k8s_namespace,
    tupleElement(e, 3) AS k8s_name,
    count() AS flows,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    countIf(tupleElement(e, 1) = 'src' AND dst_k8s_type = 'Pod' AND dst_k8s_namespace = src_k8s_namespace
            AND dst_k8s_name = src_k8s_name) AS self_flows,
    uniqExactState(tupleElement(e, 4)) AS peers
FROM netobserv.flows
ARRAY JOIN arrayFilter(x -> tupleElement(x, 5) = 'Pod', [
    tuple('src', src_k8s_namespace, src_k8s_name, dst_addr, src_k8s_type),
    tuple('dst', dst_k8s_namespace, dst_k8s_name, src_addr, dst_k8s_type)]) AS e
WHERE record_type = 'flowLog' AND NOT duplicate
GROUP BY minute, k8s_cluster_name, role, k8s_namespace, k8s_name
HAVING (SELECT count() FROM netobserv.rollup_pod_5m) = 0;

INSERT INTO netobserv.rollup_pod_1h
SELECT
    toStartOfHour(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name,
    tupleElement(e, 1) AS role,
    tupleElement(e, 2) AS k8s_namespace,
    tupleElement(e, 3) AS k8s_name,
    count() AS flows,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    countIf(tupleElement(e, 1) = 'src' AND dst_k8s_type = 'Pod' AND dst_k8s_namespace = src_k8s_namespace
            AND dst_k8s_name = src_k8s_name) AS self_flows,
    uniqExactState(tupleElement(e, 4)) AS peers
FROM netobserv.flows
ARRAY JOIN arrayFilter(x -> tupleElement(x, 5) = 'Pod', [
    tuple('src', src_k8s_namespace, src_k8s_name, dst_addr, src_k8s_type),
    tuple('dst', dst_k8s_namespace, dst_k8s_name, src_addr, dst_k8s_type)]) AS e
WHERE record_type = 'flowLog' AND NOT duplicate
GROUP BY minute, k8s_cluster_name, role, k8s_namespace, k8s_name
HAVING (SELECT count() FROM netobserv.rollup_pod_1h) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS netobserv.mv_rollup_pod_1m ON CLUSTER '{cluster}'
TO netobserv.rollup_pod_1m_local
AS SELECT
    toStartOfMinute(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name,
    tupleElement(e, 1) AS role,
    tupleElement(e, 2) AS k8s_namespace,
    tupleElement(e, 3) AS k8s_name,
    count() AS flows,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    countIf(tupleElement(e, 1) = 'src' AND dst_k8s_type = 'Pod' AND dst_k8s_namespace = src_k8s_namespace
            AND dst_k8s_name = src_k8s_name) AS self_flows,
    uniqExactState(tupleElement(e, 4)) AS peers
FROM netobserv.flows_local
ARRAY JOIN arrayFilter(x -> tupleElement(x, 5) = 'Pod', [
    tuple('src', src_k8s_namespace, src_k8s_name, dst_addr, src_k8s_type),
    tuple('dst', dst_k8s_namespace, dst_k8s_name, src_addr, dst_k8s_type)]) AS e
WHERE record_type = 'flowLog' AND NOT duplicate
GROUP BY minute, k8s_cluster_name, role, k8s_namespace, k8s_name;

CREATE MATERIALIZED VIEW IF NOT EXISTS netobserv.mv_rollup_pod_5m ON CLUSTER '{cluster}'
TO netobserv.rollup_pod_5m_local
AS SELECT
    toStartOfFiveMinutes(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name,
    tupleElement(e, 1) AS role,
    tupleElement(e, 2) AS k8s_namespace,
    tupleElement(e, 3) AS k8s_name,
    count() AS flows,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    countIf(tupleElement(e, 1) = 'src' AND dst_k8s_type = 'Pod' AND dst_k8s_namespace = src_k8s_namespace
            AND dst_k8s_name = src_k8s_name) AS self_flows,
    uniqExactState(tupleElement(e, 4)) AS peers
FROM netobserv.flows_local
ARRAY JOIN arrayFilter(x -> tupleElement(x, 5) = 'Pod', [
    tuple('src', src_k8s_namespace, src_k8s_name, dst_addr, src_k8s_type),
    tuple('dst', dst_k8s_namespace, dst_k8s_name, src_addr, dst_k8s_type)]) AS e
WHERE record_type = 'flowLog' AND NOT duplicate
GROUP BY minute, k8s_cluster_name, role, k8s_namespace, k8s_name;

CREATE MATERIALIZED VIEW IF NOT EXISTS netobserv.mv_rollup_pod_1h ON CLUSTER '{cluster}'
TO netobserv.rollup_pod_1h_local
AS SELECT
    toStartOfHour(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name,
    tupleElement(e, 1) AS role,
    tupleElement(e, 2) AS k8s_namespace,
    tupleElement(e, 3) AS k8s_name,
    count() AS flows,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    countIf(tupleElement(e, 1) = 'src' AND dst_k8s_type = 'Pod' AND dst_k8s_namespace = src_k8s_namespace
            AND dst_k8s_name = src_k8s_name) AS self_flows,
    uniqExactState(tupleElement(e, 4)) AS peers
FROM netobserv.flows_local
ARRAY JOIN arrayFilter(x -> tupleElement(x, 5) = 'Pod', [
    tuple('src', src_k8s_namespace, src_k8s_name, dst_addr, src_k8s_type),
    tuple('dst', dst_k8s_namespace, dst_k8s_name, src_addr, dst_k8s_type)]) AS e
WHERE record_type = 'flowLog' AND NOT duplicate
GROUP BY minute, k8s_cluster_name, role, k8s_namespace, k8s_name;

-- V007__raw_policy.sql
ALTER TABLE netobserv.flows_local ON CLUSTER '{cluster}'
    ADD COLUMN IF NOT EXISTS `raw_keys` LowCardinality(String) COMMENT 'the message keys in order, residue keys with a ! (raw.policy unmapped/none; empty: raw is the whole message)';

ALTER TABLE netobserv.flows ON CLUSTER '{cluster}'
    ADD COLUMN IF NOT EXISTS `raw_keys` LowCardinality(String) COMMENT 'the message keys in order, residue keys with a ! (raw.policy unmapped/none; empty: raw is the whole message)';

ALTER TABLE netobserv.flows_local ON CLUSTER '{cluster}'
    COMMENT COLUMN `raw` 'the message as received (raw.policy whole) or the fields no column gives back (unmapped); read record for the whole record';

ALTER TABLE netobserv.flows ON CLUSTER '{cluster}'
    COMMENT COLUMN `raw` 'the message as received (raw.policy whole) or the fields no column gives back (unmapped); read record for the whole record';

CREATE VIEW IF NOT EXISTS netobserv.flows_record ON CLUSTER '{cluster}'
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
FROM netobserv.flows;

-- V008__raw_key_bits.sql
ALTER TABLE netobserv.flows_local ON CLUSTER '{cluster}'
    ADD COLUMN IF NOT EXISTS `raw_key_bits` UInt128 COMMENT 'the message fields the columns hold, bit n for the n-th JSON column (raw.policy unmapped/none; 0: see raw_keys)' CODEC(ZSTD(1));

ALTER TABLE netobserv.flows ON CLUSTER '{cluster}'
    ADD COLUMN IF NOT EXISTS `raw_key_bits` UInt128 COMMENT 'the message fields the columns hold, bit n for the n-th JSON column (raw.policy unmapped/none; 0: see raw_keys)' CODEC(ZSTD(1));

ALTER TABLE netobserv.flows_local ON CLUSTER '{cluster}'
    COMMENT COLUMN `raw_keys` 'rows written before V008 under raw.policy unmapped/none: the message keys in order, residue keys with a ! (empty: see raw_key_bits)';

ALTER TABLE netobserv.flows ON CLUSTER '{cluster}'
    COMMENT COLUMN `raw_keys` 'rows written before V008 under raw.policy unmapped/none: the message keys in order, residue keys with a ! (empty: see raw_key_bits)';

CREATE OR REPLACE VIEW netobserv.flows_record ON CLUSTER '{cluster}'
AS SELECT *, if(raw_keys = '' AND raw_key_bits = 0, raw, concat('{', substring(concat(
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 0)) != 0 OR position(concat(',', raw_keys, ','), ',TimeFlowStartMs,') > 0), concat(',"TimeFlowStartMs":', toString(toUnixTimestamp64Milli(time_flow_start_ms))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 1)) != 0 OR position(concat(',', raw_keys, ','), ',TimeFlowEndMs,') > 0), concat(',"TimeFlowEndMs":', toString(toUnixTimestamp64Milli(time_flow_end_ms))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 2)) != 0 OR position(concat(',', raw_keys, ','), ',TimeReceived,') > 0), concat(',"TimeReceived":', toString(toUnixTimestamp(time_received))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 3)) != 0 OR position(concat(',', raw_keys, ','), ',AgentIP,') > 0), concat(',"AgentIP":', toJSONString(if(startsWith(toString(agent_ip), '::ffff:') AND position(toString(agent_ip), '.') > 0, substring(toString(agent_ip), 8), toString(agent_ip)))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 4)) != 0 OR position(concat(',', raw_keys, ','), ',Etype,') > 0), concat(',"Etype":', toString(etype)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 5)) != 0 OR position(concat(',', raw_keys, ','), ',SrcMac,') > 0), concat(',"SrcMac":', toJSONString(toString(src_mac))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 6)) != 0 OR position(concat(',', raw_keys, ','), ',DstMac,') > 0), concat(',"DstMac":', toJSONString(toString(dst_mac))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 7)) != 0 OR position(concat(',', raw_keys, ','), ',Interfaces,') > 0), concat(',"Interfaces":', toJSONString(interfaces)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 8)) != 0 OR position(concat(',', raw_keys, ','), ',IfDirections,') > 0), concat(',"IfDirections":', toJSONString(if_directions)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 9)) != 0 OR position(concat(',', raw_keys, ','), ',Udns,') > 0), concat(',"Udns":', toJSONString(udns)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 10)) != 0 OR position(concat(',', raw_keys, ','), ',Bytes,') > 0), concat(',"Bytes":', toString(bytes)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 11)) != 0 OR position(concat(',', raw_keys, ','), ',Packets,') > 0), concat(',"Packets":', toString(packets)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 12)) != 0 OR position(concat(',', raw_keys, ','), ',Sampling,') > 0), concat(',"Sampling":', toString(sampling)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 13)) != 0 OR position(concat(',', raw_keys, ','), ',K8S_FlowLayer,') > 0), concat(',"K8S_FlowLayer":', toJSONString(toString(k8s_flow_layer))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 14)) != 0 OR position(concat(',', raw_keys, ','), ',SrcAddr,') > 0), concat(',"SrcAddr":', toJSONString(if(startsWith(toString(src_addr), '::ffff:') AND position(toString(src_addr), '.') > 0, substring(toString(src_addr), 8), toString(src_addr)))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 15)) != 0 OR position(concat(',', raw_keys, ','), ',DstAddr,') > 0), concat(',"DstAddr":', toJSONString(if(startsWith(toString(dst_addr), '::ffff:') AND position(toString(dst_addr), '.') > 0, substring(toString(dst_addr), 8), toString(dst_addr)))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 16)) != 0 OR position(concat(',', raw_keys, ','), ',Proto,') > 0), concat(',"Proto":', toString(proto)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 17)) != 0 OR position(concat(',', raw_keys, ','), ',Dscp,') > 0), concat(',"Dscp":', toString(dscp)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 18)) != 0 OR position(concat(',', raw_keys, ','), ',SrcPort,') > 0), concat(',"SrcPort":', toString(src_port)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 19)) != 0 OR position(concat(',', raw_keys, ','), ',DstPort,') > 0), concat(',"DstPort":', toString(dst_port)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 20)) != 0 OR position(concat(',', raw_keys, ','), ',IcmpType,') > 0), concat(',"IcmpType":', toString(icmp_type)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 21)) != 0 OR position(concat(',', raw_keys, ','), ',IcmpCode,') > 0), concat(',"IcmpCode":', toString(icmp_code)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 22)) != 0 OR position(concat(',', raw_keys, ','), ',Flags,') > 0), concat(',"Flags":', toJSONString(flags)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 23)) != 0 OR position(concat(',', raw_keys, ','), ',FlowDirection,') > 0), concat(',"FlowDirection":', ifNull(toString(flow_direction), 'null')), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 24)) != 0 OR position(concat(',', raw_keys, ','), ',SrcSubnetLabel,') > 0), concat(',"SrcSubnetLabel":', toJSONString(toString(src_subnet_label))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 25)) != 0 OR position(concat(',', raw_keys, ','), ',DstSubnetLabel,') > 0), concat(',"DstSubnetLabel":', toJSONString(toString(dst_subnet_label))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 26)) != 0 OR position(concat(',', raw_keys, ','), ',K8S_ClusterName,') > 0), concat(',"K8S_ClusterName":', toJSONString(toString(k8s_cluster_name))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 27)) != 0 OR position(concat(',', raw_keys, ','), ',SrcK8S_Name,') > 0), concat(',"SrcK8S_Name":', toJSONString(toString(src_k8s_name))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 28)) != 0 OR position(concat(',', raw_keys, ','), ',SrcK8S_Type,') > 0), concat(',"SrcK8S_Type":', toJSONString(toString(src_k8s_type))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 29)) != 0 OR position(concat(',', raw_keys, ','), ',SrcK8S_Namespace,') > 0), concat(',"SrcK8S_Namespace":', toJSONString(toString(src_k8s_namespace))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 30)) != 0 OR position(concat(',', raw_keys, ','), ',SrcK8S_OwnerName,') > 0), concat(',"SrcK8S_OwnerName":', toJSONString(toString(src_k8s_owner_name))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 31)) != 0 OR position(concat(',', raw_keys, ','), ',SrcK8S_OwnerType,') > 0), concat(',"SrcK8S_OwnerType":', toJSONString(toString(src_k8s_owner_type))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 32)) != 0 OR position(concat(',', raw_keys, ','), ',SrcK8S_HostIP,') > 0), concat(',"SrcK8S_HostIP":', toJSONString(if(startsWith(toString(src_k8s_host_ip), '::ffff:') AND position(toString(src_k8s_host_ip), '.') > 0, substring(toString(src_k8s_host_ip), 8), toString(src_k8s_host_ip)))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 33)) != 0 OR position(concat(',', raw_keys, ','), ',SrcK8S_HostName,') > 0), concat(',"SrcK8S_HostName":', toJSONString(toString(src_k8s_host_name))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 34)) != 0 OR position(concat(',', raw_keys, ','), ',SrcK8S_Zone,') > 0), concat(',"SrcK8S_Zone":', toJSONString(toString(src_k8s_zone))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 35)) != 0 OR position(concat(',', raw_keys, ','), ',SrcK8S_NetworkName,') > 0), concat(',"SrcK8S_NetworkName":', toJSONString(toString(src_k8s_network_name))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 36)) != 0 OR position(concat(',', raw_keys, ','), ',DstK8S_Name,') > 0), concat(',"DstK8S_Name":', toJSONString(toString(dst_k8s_name))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 37)) != 0 OR position(concat(',', raw_keys, ','), ',DstK8S_Type,') > 0), concat(',"DstK8S_Type":', toJSONString(toString(dst_k8s_type))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 38)) != 0 OR position(concat(',', raw_keys, ','), ',DstK8S_Namespace,') > 0), concat(',"DstK8S_Namespace":', toJSONString(toString(dst_k8s_namespace))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 39)) != 0 OR position(concat(',', raw_keys, ','), ',DstK8S_OwnerName,') > 0), concat(',"DstK8S_OwnerName":', toJSONString(toString(dst_k8s_owner_name))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 40)) != 0 OR position(concat(',', raw_keys, ','), ',DstK8S_OwnerType,') > 0), concat(',"DstK8S_OwnerType":', toJSONString(toString(dst_k8s_owner_type))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 41)) != 0 OR position(concat(',', raw_keys, ','), ',DstK8S_HostIP,') > 0), concat(',"DstK8S_HostIP":', toJSONString(if(startsWith(toString(dst_k8s_host_ip), '::ffff:') AND position(toString(dst_k8s_host_ip), '.') > 0, substring(toString(dst_k8s_host_ip), 8), toString(dst_k8s_host_ip)))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 42)) != 0 OR position(concat(',', raw_keys, ','), ',DstK8S_HostName,') > 0), concat(',"DstK8S_HostName":', toJSONString(toString(dst_k8s_host_name))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 43)) != 0 OR position(concat(',', raw_keys, ','), ',DstK8S_Zone,') > 0), concat(',"DstK8S_Zone":', toJSONString(toString(dst_k8s_zone))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 44)) != 0 OR position(concat(',', raw_keys, ','), ',DstK8S_NetworkName,') > 0), concat(',"DstK8S_NetworkName":', toJSONString(toString(dst_k8s_network_name))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 45)) != 0 OR position(concat(',', raw_keys, ','), ',XlatSrcK8S_Name,') > 0), concat(',"XlatSrcK8S_Name":', toJSONString(toString(xlat_src_k8s_name))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 46)) != 0 OR position(concat(',', raw_keys, ','), ',XlatSrcK8S_Type,') > 0), concat(',"XlatSrcK8S_Type":', toJSONString(toString(xlat_src_k8s_type))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 47)) != 0 OR position(concat(',', raw_keys, ','), ',XlatSrcK8S_Namespace,') > 0), concat(',"XlatSrcK8S_Namespace":', toJSONString(toString(xlat_src_k8s_namespace))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 48)) != 0 OR position(concat(',', raw_keys, ','), ',XlatSrcK8S_OwnerName,') > 0), concat(',"XlatSrcK8S_OwnerName":', toJSONString(toString(xlat_src_k8s_owner_name))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 49)) != 0 OR position(concat(',', raw_keys, ','), ',XlatSrcK8S_OwnerType,') > 0), concat(',"XlatSrcK8S_OwnerType":', toJSONString(toString(xlat_src_k8s_owner_type))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 50)) != 0 OR position(concat(',', raw_keys, ','), ',XlatSrcK8S_NetworkName,') > 0), concat(',"XlatSrcK8S_NetworkName":', toJSONString(toString(xlat_src_k8s_network_name))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 51)) != 0 OR position(concat(',', raw_keys, ','), ',XlatSrcK8S_HostIP,') > 0), concat(',"XlatSrcK8S_HostIP":', toJSONString(if(startsWith(toString(xlat_src_k8s_host_ip), '::ffff:') AND position(toString(xlat_src_k8s_host_ip), '.') > 0, substring(toString(xlat_src_k8s_host_ip), 8), toString(xlat_src_k8s_host_ip)))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 52)) != 0 OR position(concat(',', raw_keys, ','), ',XlatSrcK8S_HostName,') > 0), concat(',"XlatSrcK8S_HostName":', toJSONString(toString(xlat_src_k8s_host_name))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 53)) != 0 OR position(concat(',', raw_keys, ','), ',XlatDstK8S_Name,') > 0), concat(',"XlatDstK8S_Name":', toJSONString(toString(xlat_dst_k8s_name))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 54)) != 0 OR position(concat(',', raw_keys, ','), ',XlatDstK8S_Type,') > 0), concat(',"XlatDstK8S_Type":', toJSONString(toString(xlat_dst_k8s_type))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 55)) != 0 OR position(concat(',', raw_keys, ','), ',XlatDstK8S_Namespace,') > 0), concat(',"XlatDstK8S_Namespace":', toJSONString(toString(xlat_dst_k8s_namespace))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 56)) != 0 OR position(concat(',', raw_keys, ','), ',XlatDstK8S_OwnerName,') > 0), concat(',"XlatDstK8S_OwnerName":', toJSONString(toString(xlat_dst_k8s_owner_name))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 57)) != 0 OR position(concat(',', raw_keys, ','), ',XlatDstK8S_OwnerType,') > 0), concat(',"XlatDstK8S_OwnerType":', toJSONString(toString(xlat_dst_k8s_owner_type))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 58)) != 0 OR position(concat(',', raw_keys, ','), ',XlatDstK8S_NetworkName,') > 0), concat(',"XlatDstK8S_NetworkName":', toJSONString(toString(xlat_dst_k8s_network_name))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 59)) != 0 OR position(concat(',', raw_keys, ','), ',XlatDstK8S_HostIP,') > 0), concat(',"XlatDstK8S_HostIP":', toJSONString(if(startsWith(toString(xlat_dst_k8s_host_ip), '::ffff:') AND position(toString(xlat_dst_k8s_host_ip), '.') > 0, substring(toString(xlat_dst_k8s_host_ip), 8), toString(xlat_dst_k8s_host_ip)))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 60)) != 0 OR position(concat(',', raw_keys, ','), ',XlatDstK8S_HostName,') > 0), concat(',"XlatDstK8S_HostName":', toJSONString(toString(xlat_dst_k8s_host_name))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 61)) != 0 OR position(concat(',', raw_keys, ','), ',DnsId,') > 0), concat(',"DnsId":', toString(dns_id)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 62)) != 0 OR position(concat(',', raw_keys, ','), ',DnsFlags,') > 0), concat(',"DnsFlags":', toString(dns_flags)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 63)) != 0 OR position(concat(',', raw_keys, ','), ',DnsFlagsResponseCode,') > 0), concat(',"DnsFlagsResponseCode":', toJSONString(toString(dns_flags_response_code))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 64)) != 0 OR position(concat(',', raw_keys, ','), ',DnsLatencyMs,') > 0), concat(',"DnsLatencyMs":', ifNull(toString(dns_latency_ms), 'null')), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 65)) != 0 OR position(concat(',', raw_keys, ','), ',DnsName,') > 0), concat(',"DnsName":', toJSONString(toString(dns_name))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 66)) != 0 OR position(concat(',', raw_keys, ','), ',DnsErrno,') > 0), concat(',"DnsErrno":', toString(dns_errno)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 67)) != 0 OR position(concat(',', raw_keys, ','), ',TimeFlowRttNs,') > 0), concat(',"TimeFlowRttNs":', ifNull(toString(time_flow_rtt_ns), 'null')), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 68)) != 0 OR position(concat(',', raw_keys, ','), ',PktDropBytes,') > 0), concat(',"PktDropBytes":', toString(pkt_drop_bytes)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 69)) != 0 OR position(concat(',', raw_keys, ','), ',PktDropPackets,') > 0), concat(',"PktDropPackets":', toString(pkt_drop_packets)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 70)) != 0 OR position(concat(',', raw_keys, ','), ',PktDropLatestDropCause,') > 0), concat(',"PktDropLatestDropCause":', toJSONString(toString(pkt_drop_latest_drop_cause))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 71)) != 0 OR position(concat(',', raw_keys, ','), ',PktDropLatestState,') > 0), concat(',"PktDropLatestState":', toJSONString(toString(pkt_drop_latest_state))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 72)) != 0 OR position(concat(',', raw_keys, ','), ',PktDropLatestFlags,') > 0), concat(',"PktDropLatestFlags":', toString(pkt_drop_latest_flags)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 73)) != 0 OR position(concat(',', raw_keys, ','), ',NetworkEvents,') > 0), concat(',"NetworkEvents":', toJSONString(network_events)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 74)) != 0 OR position(concat(',', raw_keys, ','), ',XlatSrcAddr,') > 0), concat(',"XlatSrcAddr":', toJSONString(if(startsWith(toString(xlat_src_addr), '::ffff:') AND position(toString(xlat_src_addr), '.') > 0, substring(toString(xlat_src_addr), 8), toString(xlat_src_addr)))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 75)) != 0 OR position(concat(',', raw_keys, ','), ',XlatDstAddr,') > 0), concat(',"XlatDstAddr":', toJSONString(if(startsWith(toString(xlat_dst_addr), '::ffff:') AND position(toString(xlat_dst_addr), '.') > 0, substring(toString(xlat_dst_addr), 8), toString(xlat_dst_addr)))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 76)) != 0 OR position(concat(',', raw_keys, ','), ',XlatSrcPort,') > 0), concat(',"XlatSrcPort":', toString(xlat_src_port)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 77)) != 0 OR position(concat(',', raw_keys, ','), ',XlatDstPort,') > 0), concat(',"XlatDstPort":', toString(xlat_dst_port)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 78)) != 0 OR position(concat(',', raw_keys, ','), ',ZoneId,') > 0), concat(',"ZoneId":', toString(zone_id)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 79)) != 0 OR position(concat(',', raw_keys, ','), ',IPSecStatus,') > 0), concat(',"IPSecStatus":', toJSONString(toString(ipsec_status))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 80)) != 0 OR position(concat(',', raw_keys, ','), ',IPSecRetCode,') > 0), concat(',"IPSecRetCode":', toString(ipsec_ret_code)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 81)) != 0 OR position(concat(',', raw_keys, ','), ',TLSVersion,') > 0), concat(',"TLSVersion":', toJSONString(toString(tls_version))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 82)) != 0 OR position(concat(',', raw_keys, ','), ',TLSTypes,') > 0), concat(',"TLSTypes":', toJSONString(tls_types)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 83)) != 0 OR position(concat(',', raw_keys, ','), ',TLSCipherSuite,') > 0), concat(',"TLSCipherSuite":', toJSONString(toString(tls_cipher_suite))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 84)) != 0 OR position(concat(',', raw_keys, ','), ',TLSGroup,') > 0), concat(',"TLSGroup":', toJSONString(toString(tls_group))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 85)) != 0 OR position(concat(',', raw_keys, ','), ',QuicVersion,') > 0), concat(',"QuicVersion":', toJSONString(toString(quic_version))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 86)) != 0 OR position(concat(',', raw_keys, ','), ',QuicSeenLongHdr,') > 0), concat(',"QuicSeenLongHdr":', toString(quic_seen_long_hdr)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 87)) != 0 OR position(concat(',', raw_keys, ','), ',QuicSeenShortHdr,') > 0), concat(',"QuicSeenShortHdr":', toString(quic_seen_short_hdr)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 88)) != 0 OR position(concat(',', raw_keys, ','), ',_RecordType,') > 0), concat(',"_RecordType":', toJSONString(toString(record_type))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 89)) != 0 OR position(concat(',', raw_keys, ','), ',_HashId,') > 0), concat(',"_HashId":', toJSONString(toString(hash_id))), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 90)) != 0 OR position(concat(',', raw_keys, ','), ',_IsFirst,') > 0), concat(',"_IsFirst":', if(is_first, 'true', 'false')), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 91)) != 0 OR position(concat(',', raw_keys, ','), ',numFlowLogs,') > 0), concat(',"numFlowLogs":', toString(num_flow_logs)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 92)) != 0 OR position(concat(',', raw_keys, ','), ',Bytes_AB,') > 0), concat(',"Bytes_AB":', toString(bytes_ab)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 93)) != 0 OR position(concat(',', raw_keys, ','), ',Bytes_BA,') > 0), concat(',"Bytes_BA":', toString(bytes_ba)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 94)) != 0 OR position(concat(',', raw_keys, ','), ',Packets_AB,') > 0), concat(',"Packets_AB":', toString(packets_ab)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 95)) != 0 OR position(concat(',', raw_keys, ','), ',Packets_BA,') > 0), concat(',"Packets_BA":', toString(packets_ba)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 96)) != 0 OR position(concat(',', raw_keys, ','), ',PktDropBytes_AB,') > 0), concat(',"PktDropBytes_AB":', toString(pkt_drop_bytes_ab)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 97)) != 0 OR position(concat(',', raw_keys, ','), ',PktDropBytes_BA,') > 0), concat(',"PktDropBytes_BA":', toString(pkt_drop_bytes_ba)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 98)) != 0 OR position(concat(',', raw_keys, ','), ',PktDropPackets_AB,') > 0), concat(',"PktDropPackets_AB":', toString(pkt_drop_packets_ab)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 99)) != 0 OR position(concat(',', raw_keys, ','), ',PktDropPackets_BA,') > 0), concat(',"PktDropPackets_BA":', toString(pkt_drop_packets_ba)), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 100)) != 0 OR position(concat(',', raw_keys, ','), ',MaxTimeFlowRttNs,') > 0), concat(',"MaxTimeFlowRttNs":', ifNull(toString(max_time_flow_rtt_ns), 'null')), ''),
        if((bitAnd(raw_key_bits, bitShiftLeft(toUInt128(1), 101)) != 0 OR position(concat(',', raw_keys, ','), ',Duplicate,') > 0), concat(',"Duplicate":', if(duplicate, 'true', 'false')), ''),
        if(raw = '', '', concat(',', substring(raw, 2, length(raw) - 2)))), 2), '}')) AS record
FROM netobserv.flows;
