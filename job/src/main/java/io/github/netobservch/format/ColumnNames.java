package io.github.netobservch.format;

import java.util.Map;

/**
 * The naming rule from NetObserv JSON keys to ClickHouse column names.
 *
 * <p>Rule: drop leading underscores ({@code _HashId} → {@code hash_id}); treat {@code _} as a word
 * break; start a new word at an upper-case letter that follows a lower-case letter
 * ({@code FlowLayer} → {@code flow_layer}) or that ends an acronym and is followed by a lower-case
 * letter ({@code TLSVersion} → {@code tls_version}); digits stick to the word they are in
 * ({@code K8S} → {@code k8s}); lower-case everything. So {@code SrcK8S_Namespace} →
 * {@code src_k8s_namespace}, {@code TimeFlowRttNs} → {@code time_flow_rtt_ns}, {@code AgentIP} →
 * {@code agent_ip}, {@code Bytes_AB} → {@code bytes_ab}, {@code numFlowLogs} → {@code
 * num_flow_logs}.
 *
 * <p>Exceptions ({@link #EXCEPTIONS}): {@code IPSec*} becomes {@code ipsec_*} (the rule would give
 * {@code ip_sec_*}; the console's filter id is {@code ipsec_status}).
 */
public final class ColumnNames {

    /** Whole-key overrides of the rule. */
    public static final Map<String, String> EXCEPTIONS =
            Map.of("IPSecStatus", "ipsec_status", "IPSecRetCode", "ipsec_ret_code");

    private ColumnNames() {}

    /** Column name for a NetObserv JSON key. */
    public static String columnName(String jsonName) {
        String exception = EXCEPTIONS.get(jsonName);
        if (exception != null) {
            return exception;
        }
        return snakeCase(jsonName);
    }

    /** The plain rule, without exceptions. */
    static String snakeCase(String s) {
        StringBuilder out = new StringBuilder(s.length() + 8);
        int i = 0;
        while (i < s.length() && s.charAt(i) == '_') {
            i++;
        }
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '_') {
                if (out.length() > 0 && out.charAt(out.length() - 1) != '_') {
                    out.append('_');
                }
                continue;
            }
            if (Character.isUpperCase(c) && out.length() > 0 && out.charAt(out.length() - 1) != '_') {
                char prev = s.charAt(i - 1);
                boolean afterLower = Character.isLowerCase(prev);
                boolean endsAcronym = (Character.isUpperCase(prev) || Character.isDigit(prev))
                        && i + 1 < s.length()
                        && Character.isLowerCase(s.charAt(i + 1));
                if (afterLower || endsAcronym) {
                    out.append('_');
                }
            }
            out.append(Character.toLowerCase(c));
        }
        return out.toString();
    }
}
