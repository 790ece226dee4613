-- Conversation view: every record of one conversation (_HashId) in time order, when conversation tracking is on (reads the raw table flows).
-- Params: from, to (UTC), hash_id. Conversation records carry A->B / B->A totals; flowLog rows with the same hash_id are its slices.
SELECT
    time_flow_end_ms,
    record_type,
    is_first,
    src_k8s_name,
    src_port,
    dst_k8s_name,
    dst_port,
    proto_name,
    bytes,
    bytes_ab,
    bytes_ba,
    packets_ab,
    packets_ba,
    num_flow_logs
FROM flows
WHERE time_flow_end_ms >= {from:DateTime64(3, 'UTC')} AND time_flow_end_ms < {to:DateTime64(3, 'UTC')}
  AND hash_id = {hash_id:String}
ORDER BY time_flow_end_ms, record_type
