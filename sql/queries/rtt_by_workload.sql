-- TCP RTT percentiles by workload pair: smoothed RTT samples, p50/p90/p99 and max in ms (reads the rollup rollup_rtt_1m; scripts/query reads its 5m/1h tiers where they answer exactly).
-- Params: from, to (UTC, minute-aligned), limit. Only flows whose reporting node hosts the TCP socket carry an RTT.
SELECT
    src_k8s_namespace,
    src_k8s_owner_name,
    dst_k8s_namespace,
    dst_k8s_owner_name,
    sum(samples) AS samples,
    arrayMap(x -> round(x / 1e6, 3), quantilesMerge(0.5, 0.9, 0.99)(rtt_ns_quantiles)) AS rtt_ms_p50_p90_p99,
    round(max(rtt_ns_max) / 1e6, 3) AS rtt_ms_max
FROM rollup_rtt_1m
WHERE (SELECT throwIf({to:DateTime64(3, 'UTC')} <= {from:DateTime64(3, 'UTC')}, 'the range is empty or inverted: to must be after from')) = 0
  AND minute >= {from:DateTime64(3, 'UTC')} AND minute < {to:DateTime64(3, 'UTC')}
GROUP BY src_k8s_namespace, src_k8s_owner_name, dst_k8s_namespace, dst_k8s_owner_name
ORDER BY rtt_ms_p50_p90_p99[2] DESC, src_k8s_namespace, src_k8s_owner_name, dst_k8s_namespace, dst_k8s_owner_name
LIMIT {limit:UInt32}
