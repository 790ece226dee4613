-- Top talkers by namespace: the namespace pairs that moved the most bytes (reads the rollup rollup_namespace_1m; scripts/query reads its 5m/1h tiers where they answer exactly).
-- Params: from, to (UTC, minute-aligned: rollup rows are whole minutes of time_flow_end_ms), limit.
SELECT
    src_k8s_namespace,
    dst_k8s_namespace,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    sum(bytes_estimated) AS bytes_estimated,
    sum(flows) AS flows
FROM rollup_namespace_1m
WHERE (SELECT throwIf({to:DateTime64(3, 'UTC')} <= {from:DateTime64(3, 'UTC')}, 'the range is empty or inverted: to must be after from')) = 0
  AND minute >= {from:DateTime64(3, 'UTC')} AND minute < {to:DateTime64(3, 'UTC')}
GROUP BY src_k8s_namespace, dst_k8s_namespace
ORDER BY bytes DESC, src_k8s_namespace, dst_k8s_namespace
LIMIT {limit:UInt32}
