package io.github.netobservch.loki.query;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which record fields are stream labels, as the NetObserv operator configures flowlogs-pipeline's
 * Loki writer and the console plugin ({@code loki.labels}): the static {@code app} label plus a
 * list of record fields. A labelled field is not part of the served line. The list must equal the
 * FlowCollector's, because the plugin filters a labelled field only in the selector.
 *
 * <p>Values come from the flows table: a field with a verbatim string column reads that column,
 * {@code FlowDirection} its nullable number, anything else the record's JSON ({@code record}).
 */
public record StreamLabels(String staticName, String staticValue, List<String> fields) {

    /** The operator's default group (always on): operator internal/pkg/helper/loki/labels.go. */
    public static final List<String> DEFAULT_FIELDS = List.of(
            "SrcK8S_Namespace",
            "SrcK8S_OwnerName",
            "SrcK8S_Type",
            "DstK8S_Namespace",
            "DstK8S_OwnerName",
            "DstK8S_Type",
            "K8S_FlowLayer",
            "FlowDirection");

    /** Optional groups, enabled by FlowCollector settings (see docs/loki-api.md). */
    public static final Map<String, List<String>> OPTIONAL_GROUPS = Map.of(
            "conntrack", List.of("_RecordType"),
            "multiCluster", List.of("K8S_ClusterName"),
            "zones", List.of("SrcK8S_Zone", "DstK8S_Zone"),
            "udn", List.of("UdnId"));

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** Record fields whose flows column holds the field's string verbatim ('' when absent). */
    static final Map<String, String> VERBATIM_STRING_COLUMNS = Map.ofEntries(
            Map.entry("SrcK8S_Namespace", "src_k8s_namespace"),
            Map.entry("SrcK8S_OwnerName", "src_k8s_owner_name"),
            Map.entry("SrcK8S_OwnerType", "src_k8s_owner_type"),
            Map.entry("SrcK8S_Type", "src_k8s_type"),
            Map.entry("SrcK8S_Name", "src_k8s_name"),
            Map.entry("SrcK8S_HostName", "src_k8s_host_name"),
            Map.entry("SrcK8S_Zone", "src_k8s_zone"),
            Map.entry("DstK8S_Namespace", "dst_k8s_namespace"),
            Map.entry("DstK8S_OwnerName", "dst_k8s_owner_name"),
            Map.entry("DstK8S_OwnerType", "dst_k8s_owner_type"),
            Map.entry("DstK8S_Type", "dst_k8s_type"),
            Map.entry("DstK8S_Name", "dst_k8s_name"),
            Map.entry("DstK8S_HostName", "dst_k8s_host_name"),
            Map.entry("DstK8S_Zone", "dst_k8s_zone"),
            Map.entry("K8S_FlowLayer", "k8s_flow_layer"),
            Map.entry("K8S_ClusterName", "k8s_cluster_name"));

    public StreamLabels {
        fields = List.copyOf(fields);
        for (String f : fields) {
            if (!NAME.matcher(f).matches()) {
                throw new IllegalArgumentException("invalid label field name: " + f);
            }
        }
        if (!NAME.matcher(staticName).matches()) {
            throw new IllegalArgumentException("invalid static label name: " + staticName);
        }
        if (Set.copyOf(fields).size() != fields.size() || fields.contains(staticName)) {
            throw new IllegalArgumentException("label fields repeat: " + fields);
        }
    }

    /** The operator's defaults: {@code app="netobserv-flowcollector"} and the default group. */
    public static StreamLabels defaults() {
        return new StreamLabels("app", "netobserv-flowcollector", DEFAULT_FIELDS);
    }

    /** True when {@code name} is a stream label (the static one or a field). */
    public boolean isLabel(String name) {
        return name.equals(staticName) || fields.contains(name);
    }
}
