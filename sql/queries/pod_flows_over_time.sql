-- Flows of one pod over time: bytes sent and received per time bucket (reads the raw table flows).
-- Params: from, to (UTC), namespace, pod, step_seconds (bucket width, e.g. 60).
SELECT
    toStartOfInterval(time_flow_end_ms, toIntervalSecond({step_seconds:UInt32})) AS bucket,
    sumIf(bytes, src_k8s_namespace = {namespace:String} AND src_k8s_name = {pod:String}) AS bytes_sent,
    sumIf(bytes, dst_k8s_namespace = {namespace:String} AND dst_k8s_name = {pod:String}) AS bytes_received,
    count() AS flows,
    uniqExact(if(src_k8s_name = {pod:String}, dst_addr, src_addr)) AS peers
FROM flows
WHERE (SELECT throwIf({to:DateTime64(3, 'UTC')} <= {from:DateTime64(3, 'UTC')}, 'the range is empty or inverted: to must be after from')) = 0
  AND (SELECT throwIf(dateDiff('day', {from:DateTime64(3, 'UTC')}, {to:DateTime64(3, 'UTC')}) > 31, 'this query reads the raw table: give at most 31 days (the rollup queries take longer ranges)')) = 0
  AND time_flow_end_ms >= {from:DateTime64(3, 'UTC')} AND time_flow_end_ms < {to:DateTime64(3, 'UTC')}
  AND record_type = 'flowLog' AND NOT duplicate
  AND ((src_k8s_namespace = {namespace:String} AND src_k8s_name = {pod:String})
    OR (dst_k8s_namespace = {namespace:String} AND dst_k8s_name = {pod:String}))
GROUP BY bucket
ORDER BY bucket
