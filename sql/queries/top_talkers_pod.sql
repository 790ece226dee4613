-- Top talkers by pod: the source pods that sent the most bytes, optionally within one namespace (reads the rollup rollup_pod_1m; scripts/query reads its 5m/1h tiers where they answer exactly).
-- Params: from, to (UTC, minute-aligned), namespace ('' = all namespaces), limit. peers = distinct destination addresses.
SELECT
    k8s_namespace AS src_k8s_namespace,
    k8s_name AS src_k8s_name,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    sum(flows) AS flows,
    uniqExactMerge(peers) AS peers
FROM rollup_pod_1m
WHERE (SELECT throwIf({to:DateTime64(3, 'UTC')} <= {from:DateTime64(3, 'UTC')}, 'the range is empty or inverted: to must be after from')) = 0
  AND minute >= {from:DateTime64(3, 'UTC')} AND minute < {to:DateTime64(3, 'UTC')}
  AND role = 'src'
  AND ({namespace:String} = '' OR k8s_namespace = {namespace:String})
GROUP BY k8s_namespace, k8s_name
ORDER BY bytes DESC, src_k8s_namespace, src_k8s_name
LIMIT {limit:UInt32}
