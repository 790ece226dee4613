-- Flows of one pod over time: bytes sent and received per time bucket (reads the raw table flows).
-- Params: from, to (UTC), namespace, pod, step_seconds (bucket width, e.g. 60).
SELECT
    toStartOfInterval(time_flow_end_ms, toIntervalSecond({step_seconds:UInt32})) AS bucket,
    sumIf(bytes, src_k8s_namespace = {namespace:String} AND src_k8s_name = {pod:String}) AS bytes_sent,
    sumIf(bytes, dst_k8s_namespace = {namespace:String} AND dst_k8s_name = {pod:String}) AS bytes_received,
    count() AS flows,
    uniqExact(if(src_k8s_name = {pod:String}, dst_addr, src_addr)) AS peers
FROM flows
WHERE time_flow_end_ms >= {from:DateTime64(3, 'UTC')} AND time_flow_end_ms < {to:DateTime64(3, 'UTC')}
  AND record_type = 'flowLog' AND NOT duplicate
  AND ((src_k8s_namespace = {namespace:String} AND src_k8s_name = {pod:String})
    OR (dst_k8s_namespace = {namespace:String} AND dst_k8s_name = {pod:String}))
GROUP BY bucket
ORDER BY bucket
