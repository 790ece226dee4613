-- Network-policy denies: which NetworkPolicy / AdminNetworkPolicy / EgressFirewall dropped traffic, and for whom (reads the raw table flows, NetworkEvents).
-- Params: from, to (UTC), limit. One flow can carry up to 4 events; each drop event is counted once per flow.
SELECT
    ev['Type'] AS policy_type,
    ev['Namespace'] AS policy_namespace,
    ev['Name'] AS policy_name,
    ev['Direction'] AS policy_direction,
    src_k8s_namespace,
    src_k8s_name,
    dst_k8s_namespace,
    dst_k8s_name,
    count() AS flows,
    sum(packets) AS packets
FROM flows
ARRAY JOIN network_events AS ev
WHERE (SELECT throwIf({to:DateTime64(3, 'UTC')} <= {from:DateTime64(3, 'UTC')}, 'the range is empty or inverted: to must be after from')) = 0
  AND (SELECT throwIf(dateDiff('day', {from:DateTime64(3, 'UTC')}, {to:DateTime64(3, 'UTC')}) > 31, 'this query reads the raw table: give at most 31 days (the rollup queries take longer ranges)')) = 0
  AND time_flow_end_ms >= {from:DateTime64(3, 'UTC')} AND time_flow_end_ms < {to:DateTime64(3, 'UTC')}
  AND notEmpty(network_events) -- reads only the arrays' sizes for the many flows without events
  AND record_type = 'flowLog' AND NOT duplicate
  AND ev['Feature'] = 'acl' AND ev['Action'] = 'drop'
GROUP BY policy_type, policy_namespace, policy_name, policy_direction,
         src_k8s_namespace, src_k8s_name, dst_k8s_namespace, dst_k8s_name
ORDER BY flows DESC, policy_type, policy_namespace, policy_name, src_k8s_namespace, src_k8s_name, dst_k8s_name
LIMIT {limit:UInt32}
