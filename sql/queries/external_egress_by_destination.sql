-- External egress by destination: which addresses outside the cluster receive the most bytes, and from how many workloads (reads the rollup rollup_external_1m; scripts/query reads its 5m/1h tiers where they answer exactly).
-- Params: from, to (UTC, minute-aligned), limit. external_subnet_label is FLP's label (e.g. EXT:...) or ''.
SELECT
    external_addr,
    external_subnet_label,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    sum(flows) AS flows,
    uniqExact(k8s_namespace, k8s_owner_name) AS workloads
FROM rollup_external_1m
WHERE (SELECT throwIf({to:DateTime64(3, 'UTC')} <= {from:DateTime64(3, 'UTC')}, 'the range is empty or inverted: to must be after from')) = 0
  AND minute >= {from:DateTime64(3, 'UTC')} AND minute < {to:DateTime64(3, 'UTC')}
  AND scope = 'to_external'
GROUP BY external_addr, external_subnet_label
ORDER BY bytes DESC, external_addr
LIMIT {limit:UInt32}
