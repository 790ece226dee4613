package io.github.netobservch.enrich;

import io.github.netobservch.format.Utf8Text;

/**
 * Coarse class of a flow from its Kubernetes enrichment and subnet labels (the console's quick
 * filters, docs/netobserv-format.md §5). An endpoint is <em>external</em> when FLP resolved no
 * Kubernetes object for it ({@code *K8S_Type} absent) and its subnet label is absent or starts
 * with {@code EXT:}. Rules, first match wins:
 *
 * <ol>
 *   <li>no L3 addresses (a non-IP frame such as ARP) → {@link #NON_IP}
 *   <li>both endpoints external → {@link #EXTERNAL}
 *   <li>destination external → {@link #TO_EXTERNAL}; source external → {@link #FROM_EXTERNAL}
 *   <li>either endpoint a {@code Service} (ClusterIP, before DNAT, or its reply) → {@link #SERVICE}
 *   <li>either endpoint a {@code Node} (host network; host-network pods are reported as their
 *       node) → {@link #HOST_NETWORK}
 *   <li>both host IPs known: equal → {@link #SAME_NODE}, different → {@link #CROSS_NODE}
 *   <li>otherwise (e.g. a {@code Pods} subnet label without a resolved pod) → {@link #UNKNOWN}
 * </ol>
 */
public enum TrafficScope {
    SAME_NODE("same_node"),
    CROSS_NODE("cross_node"),
    SERVICE("service"),
    HOST_NETWORK("host_network"),
    TO_EXTERNAL("to_external"),
    FROM_EXTERNAL("from_external"),
    EXTERNAL("external"),
    UNKNOWN("unknown"),
    NON_IP("non_ip");

    private final String code;
    private final Utf8Text codeText;

    TrafficScope(String code) {
        this.code = code;
        this.codeText = Utf8Text.of(code);
    }

    /** Stable value of the {@code scope} column. */
    public String code() {
        return code;
    }

    /** {@link #code} with its UTF-8 form, for the column (every record shares it). */
    public Utf8Text codeText() {
        return codeText;
    }
}
