-- V005: coarser resolution tiers, 5 minutes and 1 hour, beside the 1-minute rollups (V003).
--
-- Every 1m rollup rollup_X_1m gets rollup_X_5m and rollup_X_1h with the same key and value columns
-- (`minute` is the first minute of the bucket: toStartOfFiveMinutes / toStartOfHour, UTC, so one
-- query text reads any tier) and their own retention (apply-schema --rollup-5m-retention-days,
-- --rollup-1h-retention-days). Each tier's views read the INSERT into flows like the 1m views do,
-- with the same conditions (V004's included).
--
-- Why not cascaded from the 1m tier (a view on rollup_X_1m feeding rollup_X_5m, 17 % cheaper per
-- INSERT on the benchmark's data): in ClickHouseFaultsITCase's server kill in the middle of an
-- INSERT, the cascade left the 1m tier counting the re-committed batch twice in 2 runs of 2; views
-- on flows did so in 1 run of 3, V004's 8 views in 0 of 4 (ClickHouse 26.7). A crash mid-INSERT is
-- the one fault the rollups do not survive exactly (docs/operations.md: re-derive them from flows);
-- the fewer views in the chain, the rarer.
--
-- Exactly once: every target has its own insert-deduplication window (${dedup_settings}), so a
-- re-committed INSERT into flows reaches no tier twice (deduplicate_blocks_in_dependent_materialized_views
-- = 1, which the sink sends and its preflight checks on every view).
--
-- Upgrade: the new tiers are backfilled once from the 1m tier's rows, then their views are created.
-- Stop the job (stop-with-savepoint) while V005 applies: rows committed between the backfill and the
-- views would reach the 1m tier but not the coarser ones. A backfill runs only into an empty table,
-- so re-running V005 adds nothing twice. In the cluster variant it reads and writes the Distributed
-- tables (rows spread over the shards, which sums do not mind).

-- ---- tables ----

-- @tier-5m
CREATE TABLE IF NOT EXISTS ${db}.${table:rollup_namespace_5m}${on_cluster}
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
TTL toDate(minute) + toIntervalDay(${rollup_5m_retention_days})
SETTINGS ${dedup_settings};

-- @tier-1h
CREATE TABLE IF NOT EXISTS ${db}.${table:rollup_namespace_1h}${on_cluster}
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
TTL toDate(minute) + toIntervalDay(${rollup_1h_retention_days})
SETTINGS ${dedup_settings};

-- @tier-5m
CREATE TABLE IF NOT EXISTS ${db}.${table:rollup_workload_5m}${on_cluster}
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
TTL toDate(minute) + toIntervalDay(${rollup_5m_retention_days})
SETTINGS ${dedup_settings};

-- @tier-1h
CREATE TABLE IF NOT EXISTS ${db}.${table:rollup_workload_1h}${on_cluster}
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
TTL toDate(minute) + toIntervalDay(${rollup_1h_retention_days})
SETTINGS ${dedup_settings};

-- @tier-5m
CREATE TABLE IF NOT EXISTS ${db}.${table:rollup_node_5m}${on_cluster}
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
TTL toDate(minute) + toIntervalDay(${rollup_5m_retention_days})
SETTINGS ${dedup_settings};

-- @tier-1h
CREATE TABLE IF NOT EXISTS ${db}.${table:rollup_node_1h}${on_cluster}
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
TTL toDate(minute) + toIntervalDay(${rollup_1h_retention_days})
SETTINGS ${dedup_settings};

-- @tier-5m
CREATE TABLE IF NOT EXISTS ${db}.${table:rollup_zone_5m}${on_cluster}
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
TTL toDate(minute) + toIntervalDay(${rollup_5m_retention_days})
SETTINGS ${dedup_settings};

-- @tier-1h
CREATE TABLE IF NOT EXISTS ${db}.${table:rollup_zone_1h}${on_cluster}
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
TTL toDate(minute) + toIntervalDay(${rollup_1h_retention_days})
SETTINGS ${dedup_settings};

-- @tier-5m
CREATE TABLE IF NOT EXISTS ${db}.${table:rollup_external_5m}${on_cluster}
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
TTL toDate(minute) + toIntervalDay(${rollup_5m_retention_days})
SETTINGS ${dedup_settings};

-- @tier-1h
CREATE TABLE IF NOT EXISTS ${db}.${table:rollup_external_1h}${on_cluster}
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
TTL toDate(minute) + toIntervalDay(${rollup_1h_retention_days})
SETTINGS ${dedup_settings};

-- @tier-5m
CREATE TABLE IF NOT EXISTS ${db}.${table:rollup_dns_5m}${on_cluster}
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
TTL toDate(minute) + toIntervalDay(${rollup_5m_retention_days})
SETTINGS ${dedup_settings};

-- @tier-1h
CREATE TABLE IF NOT EXISTS ${db}.${table:rollup_dns_1h}${on_cluster}
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
TTL toDate(minute) + toIntervalDay(${rollup_1h_retention_days})
SETTINGS ${dedup_settings};

-- @tier-5m
CREATE TABLE IF NOT EXISTS ${db}.${table:rollup_rtt_5m}${on_cluster}
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
TTL toDate(minute) + toIntervalDay(${rollup_5m_retention_days})
SETTINGS ${dedup_settings};

-- @tier-1h
CREATE TABLE IF NOT EXISTS ${db}.${table:rollup_rtt_1h}${on_cluster}
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
TTL toDate(minute) + toIntervalDay(${rollup_1h_retention_days})
SETTINGS ${dedup_settings};

-- @tier-5m
CREATE TABLE IF NOT EXISTS ${db}.${table:rollup_drops_5m}${on_cluster}
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
TTL toDate(minute) + toIntervalDay(${rollup_5m_retention_days})
SETTINGS ${dedup_settings};

-- @tier-1h
CREATE TABLE IF NOT EXISTS ${db}.${table:rollup_drops_1h}${on_cluster}
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
TTL toDate(minute) + toIntervalDay(${rollup_1h_retention_days})
SETTINGS ${dedup_settings};

-- ---- backfill from the rows already in the 1m tier ----

-- @tier-5m
INSERT INTO ${db}.rollup_namespace_5m
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
FROM ${db}.rollup_namespace_1m
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace, direction, k8s_flow_layer
HAVING (SELECT count() FROM ${db}.rollup_namespace_5m) = 0;

-- @tier-5m
INSERT INTO ${db}.rollup_workload_5m
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
FROM ${db}.rollup_workload_1m
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name, dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name
HAVING (SELECT count() FROM ${db}.rollup_workload_5m) = 0;

-- @tier-5m
INSERT INTO ${db}.rollup_node_5m
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
FROM ${db}.rollup_node_1m
GROUP BY minute, k8s_cluster_name, src_k8s_host_name, dst_k8s_host_name
HAVING (SELECT count() FROM ${db}.rollup_node_5m) = 0;

-- @tier-5m
INSERT INTO ${db}.rollup_zone_5m
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
FROM ${db}.rollup_zone_1m
GROUP BY minute, k8s_cluster_name, src_k8s_zone, dst_k8s_zone
HAVING (SELECT count() FROM ${db}.rollup_zone_5m) = 0;

-- @tier-5m
INSERT INTO ${db}.rollup_external_5m
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
FROM ${db}.rollup_external_1m
GROUP BY minute, k8s_cluster_name, scope, k8s_namespace, k8s_owner_type, k8s_owner_name, external_addr, external_subnet_label
HAVING (SELECT count() FROM ${db}.rollup_external_5m) = 0;

-- @tier-5m
INSERT INTO ${db}.rollup_dns_5m
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
FROM ${db}.rollup_dns_1m
GROUP BY minute, k8s_cluster_name, client_k8s_namespace, dns_name, dns_flags_response_code
HAVING (SELECT count() FROM ${db}.rollup_dns_5m) = 0;

-- @tier-5m
INSERT INTO ${db}.rollup_rtt_5m
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
FROM ${db}.rollup_rtt_1m
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name, dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name
HAVING (SELECT count() FROM ${db}.rollup_rtt_5m) = 0;

-- @tier-5m
INSERT INTO ${db}.rollup_drops_5m
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
FROM ${db}.rollup_drops_1m
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace, pkt_drop_latest_drop_cause, pkt_drop_latest_state
HAVING (SELECT count() FROM ${db}.rollup_drops_5m) = 0;

-- @tier-1h
INSERT INTO ${db}.rollup_namespace_1h
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
FROM ${db}.rollup_namespace_1m
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace, direction, k8s_flow_layer
HAVING (SELECT count() FROM ${db}.rollup_namespace_1h) = 0;

-- @tier-1h
INSERT INTO ${db}.rollup_workload_1h
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
FROM ${db}.rollup_workload_1m
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name, dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name
HAVING (SELECT count() FROM ${db}.rollup_workload_1h) = 0;

-- @tier-1h
INSERT INTO ${db}.rollup_node_1h
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
FROM ${db}.rollup_node_1m
GROUP BY minute, k8s_cluster_name, src_k8s_host_name, dst_k8s_host_name
HAVING (SELECT count() FROM ${db}.rollup_node_1h) = 0;

-- @tier-1h
INSERT INTO ${db}.rollup_zone_1h
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
FROM ${db}.rollup_zone_1m
GROUP BY minute, k8s_cluster_name, src_k8s_zone, dst_k8s_zone
HAVING (SELECT count() FROM ${db}.rollup_zone_1h) = 0;

-- @tier-1h
INSERT INTO ${db}.rollup_external_1h
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
FROM ${db}.rollup_external_1m
GROUP BY minute, k8s_cluster_name, scope, k8s_namespace, k8s_owner_type, k8s_owner_name, external_addr, external_subnet_label
HAVING (SELECT count() FROM ${db}.rollup_external_1h) = 0;

-- @tier-1h
INSERT INTO ${db}.rollup_dns_1h
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
FROM ${db}.rollup_dns_1m
GROUP BY minute, k8s_cluster_name, client_k8s_namespace, dns_name, dns_flags_response_code
HAVING (SELECT count() FROM ${db}.rollup_dns_1h) = 0;

-- @tier-1h
INSERT INTO ${db}.rollup_rtt_1h
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
FROM ${db}.rollup_rtt_1m
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name, dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name
HAVING (SELECT count() FROM ${db}.rollup_rtt_1h) = 0;

-- @tier-1h
INSERT INTO ${db}.rollup_drops_1h
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
FROM ${db}.rollup_drops_1m
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace, pkt_drop_latest_drop_cause, pkt_drop_latest_state
HAVING (SELECT count() FROM ${db}.rollup_drops_1h) = 0;

-- ---- views on flows: the 1m views' queries with 5-minute / 1-hour buckets ----

-- @tier-1h
CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.mv_rollup_namespace_1h${on_cluster}
TO ${db}.${table:rollup_namespace_1h}
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
FROM ${db}.${table:flows}
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip'
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace, direction, k8s_flow_layer;

-- @tier-1h
CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.mv_rollup_workload_1h${on_cluster}
TO ${db}.${table:rollup_workload_1h}
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
FROM ${db}.${table:flows}
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip'
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name,
         dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name;

-- @tier-1h
CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.mv_rollup_node_1h${on_cluster}
TO ${db}.${table:rollup_node_1h}
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
FROM ${db}.${table:flows}
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip'
GROUP BY minute, k8s_cluster_name, src_k8s_host_name, dst_k8s_host_name;

-- @tier-1h
CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.mv_rollup_zone_1h${on_cluster}
TO ${db}.${table:rollup_zone_1h}
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
FROM ${db}.${table:flows}
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip'
GROUP BY minute, k8s_cluster_name, src_k8s_zone, dst_k8s_zone;

-- @tier-1h
CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.mv_rollup_external_1h${on_cluster}
TO ${db}.${table:rollup_external_1h}
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
FROM ${db}.${table:flows}
WHERE record_type = 'flowLog' AND NOT duplicate AND scope IN ('to_external', 'from_external')
GROUP BY minute, k8s_cluster_name, scope, k8s_namespace, k8s_owner_type, k8s_owner_name,
         external_addr, external_subnet_label;

-- @tier-1h
CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.mv_rollup_dns_1h${on_cluster}
TO ${db}.${table:rollup_dns_1h}
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
FROM ${db}.${table:flows}
WHERE record_type = 'flowLog' AND NOT duplicate AND dns_is_response AND dns_latency_ms IS NOT NULL
GROUP BY minute, k8s_cluster_name, client_k8s_namespace, dns_name, dns_flags_response_code;

-- @tier-1h
CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.mv_rollup_rtt_1h${on_cluster}
TO ${db}.${table:rollup_rtt_1h}
AS SELECT
    toStartOfHour(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
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

-- @tier-1h
CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.mv_rollup_drops_1h${on_cluster}
TO ${db}.${table:rollup_drops_1h}
AS SELECT
    toStartOfHour(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace,
    pkt_drop_latest_drop_cause, pkt_drop_latest_state,
    count() AS flows,
    sum(pkt_drop_bytes) AS drop_bytes,
    sum(pkt_drop_packets) AS drop_packets
FROM ${db}.${table:flows}
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip' AND pkt_drop_packets > 0
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace,
         pkt_drop_latest_drop_cause, pkt_drop_latest_state;

-- @tier-5m
CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.mv_rollup_namespace_5m${on_cluster}
TO ${db}.${table:rollup_namespace_5m}
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
FROM ${db}.${table:flows}
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip'
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace, direction, k8s_flow_layer;

-- @tier-5m
CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.mv_rollup_workload_5m${on_cluster}
TO ${db}.${table:rollup_workload_5m}
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
FROM ${db}.${table:flows}
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip'
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name,
         dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name;

-- @tier-5m
CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.mv_rollup_node_5m${on_cluster}
TO ${db}.${table:rollup_node_5m}
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
FROM ${db}.${table:flows}
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip'
GROUP BY minute, k8s_cluster_name, src_k8s_host_name, dst_k8s_host_name;

-- @tier-5m
CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.mv_rollup_zone_5m${on_cluster}
TO ${db}.${table:rollup_zone_5m}
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
FROM ${db}.${table:flows}
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip'
GROUP BY minute, k8s_cluster_name, src_k8s_zone, dst_k8s_zone;

-- @tier-5m
CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.mv_rollup_external_5m${on_cluster}
TO ${db}.${table:rollup_external_5m}
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
FROM ${db}.${table:flows}
WHERE record_type = 'flowLog' AND NOT duplicate AND scope IN ('to_external', 'from_external')
GROUP BY minute, k8s_cluster_name, scope, k8s_namespace, k8s_owner_type, k8s_owner_name,
         external_addr, external_subnet_label;

-- @tier-5m
CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.mv_rollup_dns_5m${on_cluster}
TO ${db}.${table:rollup_dns_5m}
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
FROM ${db}.${table:flows}
WHERE record_type = 'flowLog' AND NOT duplicate AND dns_is_response AND dns_latency_ms IS NOT NULL
GROUP BY minute, k8s_cluster_name, client_k8s_namespace, dns_name, dns_flags_response_code;

-- @tier-5m
CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.mv_rollup_rtt_5m${on_cluster}
TO ${db}.${table:rollup_rtt_5m}
AS SELECT
    toStartOfFiveMinutes(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
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

-- @tier-5m
CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.mv_rollup_drops_5m${on_cluster}
TO ${db}.${table:rollup_drops_5m}
AS SELECT
    toStartOfFiveMinutes(toDateTime(time_flow_end_ms, 'UTC')) AS minute,
    k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace,
    pkt_drop_latest_drop_cause, pkt_drop_latest_state,
    count() AS flows,
    sum(pkt_drop_bytes) AS drop_bytes,
    sum(pkt_drop_packets) AS drop_packets
FROM ${db}.${table:flows}
WHERE record_type = 'flowLog' AND NOT duplicate AND scope != 'non_ip' AND pkt_drop_packets > 0
GROUP BY minute, k8s_cluster_name, src_k8s_namespace, dst_k8s_namespace,
         pkt_drop_latest_drop_cause, pkt_drop_latest_state;
