-- Top talkers by pod: the source pods that sent the most bytes, optionally within one namespace (reads the raw table flows).
-- Params: from, to (UTC), namespace ('' = all namespaces), limit.
SELECT
    src_k8s_namespace,
    src_k8s_name,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    count() AS flows,
    uniqExact(dst_addr) AS peers
FROM flows
WHERE (SELECT throwIf({to:DateTime64(3, 'UTC')} <= {from:DateTime64(3, 'UTC')}, 'the range is empty or inverted: to must be after from')) = 0
  AND (SELECT throwIf(dateDiff('day', {from:DateTime64(3, 'UTC')}, {to:DateTime64(3, 'UTC')}) > 31, 'this query reads the raw table: give at most 31 days (the rollup queries take longer ranges)')) = 0
  AND time_flow_end_ms >= {from:DateTime64(3, 'UTC')} AND time_flow_end_ms < {to:DateTime64(3, 'UTC')}
  AND record_type = 'flowLog' AND NOT duplicate
  AND src_k8s_type = 'Pod'
  AND ({namespace:String} = '' OR src_k8s_namespace = {namespace:String})
GROUP BY src_k8s_namespace, src_k8s_name
ORDER BY bytes DESC, src_k8s_namespace, src_k8s_name
LIMIT {limit:UInt32}
