package io.github.netobservch.loki.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The service's own counters in Prometheus' text format. Written by hand: a dozen counters do not
 * need a metrics library, and the format is fixed (version 0.0.4).
 */
public final class ServerMetrics {

    private final Map<String, LongAdder> requests = new ConcurrentSkipListMap<>();
    private final Map<String, LongAdder> queryMicros = new ConcurrentHashMap<>();
    private final LongAdder pushRequests = new LongAdder();
    private final LongAdder pushBytes = new LongAdder();
    private final LongAdder rejected = new LongAdder();

    void request(String route, int status) {
        requests.computeIfAbsent("route=\"" + route + "\",status_code=\"" + status + "\"", k -> new LongAdder())
                .increment();
    }

    void queryTime(String route, long micros) {
        queryMicros.computeIfAbsent(route, k -> new LongAdder()).add(micros);
    }

    void push(long bytes) {
        pushRequests.increment();
        pushBytes.add(bytes);
    }

    void rejected() {
        rejected.increment();
    }

    public long pushRequests() {
        return pushRequests.sum();
    }

    public long pushBytes() {
        return pushBytes.sum();
    }

    String exposition() {
        StringBuilder sb = new StringBuilder();
        sb.append("# HELP netobserv_loki_api_requests_total HTTP requests by route and status.\n");
        sb.append("# TYPE netobserv_loki_api_requests_total counter\n");
        requests.forEach((k, v) -> sb.append("netobserv_loki_api_requests_total{")
                .append(k)
                .append("} ")
                .append(v.sum())
                .append('\n'));
        sb.append("# HELP netobserv_loki_api_query_seconds_total Time spent answering queries, by route.\n");
        sb.append("# TYPE netobserv_loki_api_query_seconds_total counter\n");
        queryMicros.forEach((k, v) -> sb.append("netobserv_loki_api_query_seconds_total{route=\"")
                .append(k)
                .append("\"} ")
                .append(v.sum() / 1e6)
                .append('\n'));
        sb.append("# HELP netobserv_loki_api_push_requests_total Push requests accepted and discarded.\n");
        sb.append("# TYPE netobserv_loki_api_push_requests_total counter\n");
        sb.append("netobserv_loki_api_push_requests_total ")
                .append(pushRequests.sum())
                .append('\n');
        sb.append("# HELP netobserv_loki_api_push_bytes_total Push body bytes discarded.\n");
        sb.append("# TYPE netobserv_loki_api_push_bytes_total counter\n");
        sb.append("netobserv_loki_api_push_bytes_total ")
                .append(pushBytes.sum())
                .append('\n');
        sb.append("# HELP netobserv_loki_api_rejected_total Queries refused because too many were outstanding.\n");
        sb.append("# TYPE netobserv_loki_api_rejected_total counter\n");
        sb.append("netobserv_loki_api_rejected_total ").append(rejected.sum()).append('\n');
        return sb.toString();
    }
}
