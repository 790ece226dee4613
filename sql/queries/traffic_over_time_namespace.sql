-- Traffic over time by namespace pair: bytes, packets and flows per time bucket for the namespace pairs that moved the most bytes in the range (reads the rollup rollup_namespace_1m; scripts/query reads its 5m/1h tiers where they answer exactly).
-- Params: from, to (UTC, minute-aligned), step_seconds (bucket width, a multiple of 60; multiples of 300 or 3600 let the 5m or 1h tier answer), limit (namespace pairs), namespace ('' = all; else pairs with that namespace at either end). Buckets without traffic are absent.
SELECT
    toStartOfInterval(minute, toIntervalSecond({step_seconds:UInt32})) AS bucket,
    src_k8s_namespace,
    dst_k8s_namespace,
    sum(bytes) AS bytes,
    sum(packets) AS packets,
    sum(flows) AS flows
FROM rollup_namespace_1m
WHERE (SELECT throwIf({to:DateTime64(3, 'UTC')} <= {from:DateTime64(3, 'UTC')}, 'the range is empty or inverted: to must be after from')) = 0
  AND (SELECT throwIf({step_seconds:UInt32} = 0 OR {step_seconds:UInt32} % 60 != 0, 'step_seconds must be a positive multiple of 60')) = 0
  AND minute >= {from:DateTime64(3, 'UTC')} AND minute < {to:DateTime64(3, 'UTC')}
  AND (src_k8s_namespace, dst_k8s_namespace) IN (
      SELECT src_k8s_namespace, dst_k8s_namespace
      FROM rollup_namespace_1m
      WHERE minute >= {from:DateTime64(3, 'UTC')} AND minute < {to:DateTime64(3, 'UTC')}
        AND ({namespace:String} = '' OR src_k8s_namespace = {namespace:String} OR dst_k8s_namespace = {namespace:String})
      GROUP BY src_k8s_namespace, dst_k8s_namespace
      ORDER BY sum(bytes) DESC, src_k8s_namespace, dst_k8s_namespace
      LIMIT {limit:UInt32})
GROUP BY bucket, src_k8s_namespace, dst_k8s_namespace
ORDER BY bucket, bytes DESC, src_k8s_namespace, dst_k8s_namespace
