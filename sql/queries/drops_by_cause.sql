-- Packet drops by cause and TCP state: dropped packets and bytes per kernel/OVS drop reason and connection state (reads the rollup rollup_drops_1m; scripts/query reads its 5m/1h tiers where they answer exactly).
-- Params: from, to (UTC, minute-aligned). Cause/state are those of the latest drop in each flow.
SELECT
    pkt_drop_latest_drop_cause,
    pkt_drop_latest_state,
    sum(drop_packets) AS drop_packets,
    sum(drop_bytes) AS drop_bytes,
    sum(flows) AS flows
FROM rollup_drops_1m
WHERE (SELECT throwIf({to:DateTime64(3, 'UTC')} <= {from:DateTime64(3, 'UTC')}, 'the range is empty or inverted: to must be after from')) = 0
  AND minute >= {from:DateTime64(3, 'UTC')} AND minute < {to:DateTime64(3, 'UTC')}
GROUP BY pkt_drop_latest_drop_cause, pkt_drop_latest_state
ORDER BY drop_packets DESC, pkt_drop_latest_drop_cause, pkt_drop_latest_state
