-- Ingress vs egress vs inner: bytes by node direction (ingress, egress, inner, unknown), for all traffic or one namespace (reads the rollup rollup_namespace_1m; scripts/query reads its 5m/1h tiers where they answer exactly).
-- Params: from, to (UTC, minute-aligned), namespace ('' = all; else flows with that namespace at either end).
SELECT
    direction,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    sum(flows) AS flows
FROM rollup_namespace_1m
WHERE (SELECT throwIf({to:DateTime64(3, 'UTC')} <= {from:DateTime64(3, 'UTC')}, 'the range is empty or inverted: to must be after from')) = 0
  AND minute >= {from:DateTime64(3, 'UTC')} AND minute < {to:DateTime64(3, 'UTC')}
  AND ({namespace:String} = '' OR src_k8s_namespace = {namespace:String} OR dst_k8s_namespace = {namespace:String})
GROUP BY direction
ORDER BY direction
