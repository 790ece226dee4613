-- Top talkers by workload: the owner (Deployment, DaemonSet, …) pairs that moved the most bytes (reads the rollup rollup_workload_1m; scripts/query reads its 5m/1h tiers where they answer exactly).
-- Params: from, to (UTC, minute-aligned), limit.
SELECT
    src_k8s_namespace,
    src_k8s_owner_type,
    src_k8s_owner_name,
    dst_k8s_namespace,
    dst_k8s_owner_type,
    dst_k8s_owner_name,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    sum(flows) AS flows
FROM rollup_workload_1m
WHERE (SELECT throwIf({to:DateTime64(3, 'UTC')} <= {from:DateTime64(3, 'UTC')}, 'the range is empty or inverted: to must be after from')) = 0
  AND minute >= {from:DateTime64(3, 'UTC')} AND minute < {to:DateTime64(3, 'UTC')}
GROUP BY src_k8s_namespace, src_k8s_owner_type, src_k8s_owner_name,
         dst_k8s_namespace, dst_k8s_owner_type, dst_k8s_owner_name
ORDER BY bytes DESC, src_k8s_namespace, src_k8s_owner_name, dst_k8s_namespace, dst_k8s_owner_name
LIMIT {limit:UInt32}
