-- V006: per-pod rollups in three tiers, for the pack's pod questions (top_talkers_pod,
-- pod_flows_over_time), which read every pod row of their range from flows before: 3.0 s and 1.5 s
-- over 30 days at 100M flows on 2 cores (docs/performance.md).
--
-- One row per pod, role and bucket: role 'src' sums the flows the pod sent (src_k8s_type = 'Pod'),
-- 'dst' those it received (dst_k8s_type = 'Pod'); a flow between two pods counts once for each.
-- self_flows counts, in the 'src' row only, flows whose destination is the same pod, so "flows
-- of the pod" = sum(flows) - sum(self_flows). peers holds the distinct addresses at the other end
-- (dst_addr for 'src', src_addr for 'dst') as an exact set (uniqExact), so distinct counts over
-- any range merge exactly. Counted like the traffic rollups: flow logs that are not legacy
-- Duplicate copies.
--
-- Same rules as V005: each tier's view reads the INSERT into flows, each target keeps its own
-- deduplication window, retention per tier (the 1m/5m/1h rollup retention options). Upgrade: the
-- tiers are backfilled once from the rows already in flows (only into empty tables); stop the job
-- while V006 applies, as for V005.

-- ---- tables ----

-- @pods
CREATE TABLE IF NOT EXISTS ${db}.${table:rollup_pod_1m}${on_cluster}
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
ENGINE = ${engine:AggregatingMergeTree}
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, k8s_namespace, k8s_name, role)
TTL toDate(minute) + toIntervalDay(${rollup_retention_days})
SETTINGS ${dedup_settings};

-- @pods
-- @tier-5m
CREATE TABLE IF NOT EXISTS ${db}.${table:rollup_pod_5m}${on_cluster}
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
ENGINE = ${engine:AggregatingMergeTree}
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, k8s_namespace, k8s_name, role)
TTL toDate(minute) + toIntervalDay(${rollup_5m_retention_days})
SETTINGS ${dedup_settings};

-- @pods
-- @tier-1h
CREATE TABLE IF NOT EXISTS ${db}.${table:rollup_pod_1h}${on_cluster}
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
ENGINE = ${engine:AggregatingMergeTree}
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, k8s_cluster_name, k8s_namespace, k8s_name, role)
TTL toDate(minute) + toIntervalDay(${rollup_1h_retention_days})
SETTINGS ${dedup_settings};

-- ---- backfill from the rows already in flows ----

-- @pods
INSERT INTO ${db}.rollup_pod_1m
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
FROM ${db}.flows
ARRAY JOIN arrayFilter(x -> tupleElement(x, 5) = 'Pod', [
    tuple('src', src_k8s_namespace, src_k8s_name, dst_addr, src_k8s_type),
    tuple('dst', dst_k8s_namespace, dst_k8s_name, src_addr, dst_k8s_type)]) AS e
WHERE record_type = 'flowLog' AND NOT duplicate
GROUP BY minute, k8s_cluster_name, role, k8s_namespace, k8s_name
HAVING (SELECT count() FROM ${db}.rollup_pod_1m) = 0;

-- @pods
-- @tier-5m
INSERT INTO ${db}.rollup_pod_5m
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
FROM ${db}.flows
ARRAY JOIN arrayFilter(x -> tupleElement(x, 5) = 'Pod', [
    tuple('src', src_k8s_namespace, src_k8s_name, dst_addr, src_k8s_type),
    tuple('dst', dst_k8s_namespace, dst_k8s_name, src_addr, dst_k8s_type)]) AS e
WHERE record_type = 'flowLog' AND NOT duplicate
GROUP BY minute, k8s_cluster_name, role, k8s_namespace, k8s_name
HAVING (SELECT count() FROM ${db}.rollup_pod_5m) = 0;

-- @pods
-- @tier-1h
INSERT INTO ${db}.rollup_pod_1h
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
FROM ${db}.flows
ARRAY JOIN arrayFilter(x -> tupleElement(x, 5) = 'Pod', [
    tuple('src', src_k8s_namespace, src_k8s_name, dst_addr, src_k8s_type),
    tuple('dst', dst_k8s_namespace, dst_k8s_name, src_addr, dst_k8s_type)]) AS e
WHERE record_type = 'flowLog' AND NOT duplicate
GROUP BY minute, k8s_cluster_name, role, k8s_namespace, k8s_name
HAVING (SELECT count() FROM ${db}.rollup_pod_1h) = 0;

-- ---- views on flows ----

-- @pods
CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.mv_rollup_pod_1m${on_cluster}
TO ${db}.${table:rollup_pod_1m}
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
FROM ${db}.${table:flows}
ARRAY JOIN arrayFilter(x -> tupleElement(x, 5) = 'Pod', [
    tuple('src', src_k8s_namespace, src_k8s_name, dst_addr, src_k8s_type),
    tuple('dst', dst_k8s_namespace, dst_k8s_name, src_addr, dst_k8s_type)]) AS e
WHERE record_type = 'flowLog' AND NOT duplicate
GROUP BY minute, k8s_cluster_name, role, k8s_namespace, k8s_name;

-- @pods
-- @tier-5m
CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.mv_rollup_pod_5m${on_cluster}
TO ${db}.${table:rollup_pod_5m}
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
FROM ${db}.${table:flows}
ARRAY JOIN arrayFilter(x -> tupleElement(x, 5) = 'Pod', [
    tuple('src', src_k8s_namespace, src_k8s_name, dst_addr, src_k8s_type),
    tuple('dst', dst_k8s_namespace, dst_k8s_name, src_addr, dst_k8s_type)]) AS e
WHERE record_type = 'flowLog' AND NOT duplicate
GROUP BY minute, k8s_cluster_name, role, k8s_namespace, k8s_name;

-- @pods
-- @tier-1h
CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.mv_rollup_pod_1h${on_cluster}
TO ${db}.${table:rollup_pod_1h}
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
FROM ${db}.${table:flows}
ARRAY JOIN arrayFilter(x -> tupleElement(x, 5) = 'Pod', [
    tuple('src', src_k8s_namespace, src_k8s_name, dst_addr, src_k8s_type),
    tuple('dst', dst_k8s_namespace, dst_k8s_name, src_addr, dst_k8s_type)]) AS e
WHERE record_type = 'flowLog' AND NOT duplicate
GROUP BY minute, k8s_cluster_name, role, k8s_namespace, k8s_name;
