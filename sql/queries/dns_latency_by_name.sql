-- DNS latency and NXDOMAIN/SERVFAIL by queried name: responses, latency percentiles and error counts per DnsName (reads the rollup rollup_dns_1m; scripts/query reads its 5m/1h tiers where they answer exactly).
-- Params: from, to (UTC, minute-aligned), limit. Responses only; latency in ms; names are cut to 32 bytes by the agent.
SELECT
    dns_name,
    sum(responses) AS responses_total,
    sumIf(responses, dns_flags_response_code = 'NXDomain') AS nxdomain,
    sumIf(responses, dns_flags_response_code = 'ServFail') AS servfail,
    round(sum(latency_ms_sum) / sum(responses), 3) AS latency_ms_avg,
    arrayMap(x -> round(x, 3), quantilesMerge(0.5, 0.9, 0.99)(latency_ms_quantiles)) AS latency_ms_p50_p90_p99,
    max(latency_ms_max) AS latency_ms_max
FROM rollup_dns_1m
WHERE (SELECT throwIf({to:DateTime64(3, 'UTC')} <= {from:DateTime64(3, 'UTC')}, 'the range is empty or inverted: to must be after from')) = 0
  AND minute >= {from:DateTime64(3, 'UTC')} AND minute < {to:DateTime64(3, 'UTC')}
GROUP BY dns_name
ORDER BY nxdomain + servfail DESC, responses_total DESC, dns_name
LIMIT {limit:UInt32}
