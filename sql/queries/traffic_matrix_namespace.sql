-- Traffic matrix between namespaces: bytes, packets, flows and drops for every (source, destination) namespace pair (reads the rollup rollup_namespace_1m; scripts/query reads its 5m/1h tiers where they answer exactly).
-- Params: from, to (UTC, minute-aligned). '' = no namespace (external, node, Service without namespace).
SELECT
    src_k8s_namespace,
    dst_k8s_namespace,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    sum(flows) AS flows,
    sum(drop_packets) AS drop_packets
FROM rollup_namespace_1m
WHERE (SELECT throwIf({to:DateTime64(3, 'UTC')} <= {from:DateTime64(3, 'UTC')}, 'the range is empty or inverted: to must be after from')) = 0
  AND minute >= {from:DateTime64(3, 'UTC')} AND minute < {to:DateTime64(3, 'UTC')}
GROUP BY src_k8s_namespace, dst_k8s_namespace
ORDER BY src_k8s_namespace, dst_k8s_namespace
