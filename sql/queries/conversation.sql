-- Conversation totals: what each conversation (_HashId) carried in each direction, from conversation tracking (reads the raw table flows).
-- Params: from, to (UTC), hash_id ('' = every conversation that has records in the range), limit.
-- Needs FlowCollector spec.processor.logTypes Conversations, EndedConversations or All. FLP's
-- newConnection / heartbeat / endConnection records are cumulative: each repeats the running totals
-- of its conversation (Bytes_AB/BA, Packets_AB/BA, numFlowLogs), so summing them counts every byte
-- once per heartbeat. The totals are those of the latest record: the one with the most flow logs,
-- then the latest end, then endConnection. One row per conversation and tracker: each FLP instance
-- tracks conversations on its own (the tracker is named by the AgentIP of the first flow log it saw;
-- in the Direct deployment model that is its node), and two nodes' trackers of one cross-node
-- conversation each saw all of it, so do not add their rows up. The job never drops a conversation
-- record for its reporter, only exact re-sends. A = the initiator.
SELECT
    hash_id,
    replaceRegexpOne(toString(agent_ip), '^::ffff:', '') AS tracker,
    if(countIf(record_type = 'endConnection') > 0, 'ended', 'open') AS status,
    min(time_flow_start_ms) AS first_seen,
    max(time_flow_end_ms) AS last_seen,
    argMax(concat(src_k8s_namespace, '/', src_k8s_name, ':', toString(src_port)), latest) AS a,
    argMax(concat(dst_k8s_namespace, '/', dst_k8s_name, ':', toString(dst_port)), latest) AS b,
    argMax(proto_name, latest) AS proto,
    max(num_flow_logs) AS flow_logs,
    argMax(bytes_ab, latest) AS bytes_a_to_b,
    argMax(bytes_ba, latest) AS bytes_b_to_a,
    argMax(packets_ab, latest) AS packets_a_to_b,
    argMax(packets_ba, latest) AS packets_b_to_a
FROM
(
    SELECT *, (num_flow_logs, time_flow_end_ms, record_type = 'endConnection') AS latest
    FROM flows
    WHERE (SELECT throwIf({to:DateTime64(3, 'UTC')} <= {from:DateTime64(3, 'UTC')}, 'the range is empty or inverted: to must be after from')) = 0
      AND (SELECT throwIf(dateDiff('day', {from:DateTime64(3, 'UTC')}, {to:DateTime64(3, 'UTC')}) > 31, 'this query reads the raw table: give at most 31 days (the rollup queries take longer ranges)')) = 0
      AND time_flow_end_ms >= {from:DateTime64(3, 'UTC')} AND time_flow_end_ms < {to:DateTime64(3, 'UTC')}
      AND record_type IN ('newConnection', 'heartbeat', 'endConnection')
      AND ({hash_id:String} = '' OR hash_id = {hash_id:String})
)
GROUP BY hash_id, agent_ip
ORDER BY last_seen DESC, hash_id, tracker
LIMIT {limit:UInt32}
