-- Flows of one pod over time: bytes sent and received per time bucket (reads the rollup rollup_pod_1m; scripts/query reads its 5m/1h tiers where they answer exactly).
-- Params: from, to (UTC, minute-aligned), namespace, pod, step_seconds (bucket width, a multiple of 60). flows counts a flow from the pod to itself once; peers = distinct addresses at the other end, sent or received.
SELECT
    toStartOfInterval(minute, toIntervalSecond({step_seconds:UInt32})) AS bucket,
    sumIf(bytes, role = 'src') AS bytes_sent,
    sumIf(bytes, role = 'dst') AS bytes_received,
    sum(flows) - sum(self_flows) AS flows,
    uniqExactMerge(peers) AS peers
FROM rollup_pod_1m
WHERE (SELECT throwIf({to:DateTime64(3, 'UTC')} <= {from:DateTime64(3, 'UTC')}, 'the range is empty or inverted: to must be after from')) = 0
  AND (SELECT throwIf({step_seconds:UInt32} = 0 OR {step_seconds:UInt32} % 60 != 0, 'step_seconds must be a positive multiple of 60')) = 0
  AND minute >= {from:DateTime64(3, 'UTC')} AND minute < {to:DateTime64(3, 'UTC')}
  AND k8s_namespace = {namespace:String} AND k8s_name = {pod:String}
GROUP BY bucket
ORDER BY bucket
