package io.github.netobservch.config;

import io.github.netobservch.clickhouse.ClickHouseUrl;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Where and as whom the job writes. The password is a {@link SecretRef}, resolved on the TaskManager. */
public record ClickHouseConfig(
        String url,
        List<String> shardUrls,
        String database,
        String user,
        SecretRef password,
        String sslRootCert,
        Map<String, String> passthrough)
        implements Serializable {

    /** Identifiers are spliced into SQL, so only plain names are accepted. */
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

    public ClickHouseConfig {
        passthrough = Map.copyOf(passthrough);
        shardUrls = shardUrls == null ? List.of() : List.copyOf(shardUrls);
        for (String shard : shardUrls) {
            ClickHouseUrl u = ClickHouseUrl.parse(shard, "clickhouse.shard-urls");
            String scheme = url == null
                    ? u.scheme()
                    : ClickHouseUrl.parse(url, "clickhouse.url").scheme();
            if (!u.scheme().equals(scheme)) {
                throw new IllegalArgumentException("clickhouse.shard-urls: '" + redact(shard)
                        + "' does not use the scheme of clickhouse.url (http or https for all)");
            }
        }
        if (shardUrls.size() == 1) {
            throw new IllegalArgumentException("clickhouse.shard-urls names one shard: use clickhouse.url");
        }
        ClickHouseUrl parsed = ClickHouseUrl.parse(url, "clickhouse.url");
        if (url.trim().toLowerCase(java.util.Locale.ROOT).startsWith("jdbc:")) {
            throw new IllegalArgumentException(
                    "clickhouse.url: '" + redact(url) + "' must start with http:// or https://");
        }
        if (sslRootCert != null && !parsed.tls()) {
            // Trust material for a plain-http URL means the connection is not the TLS one the operator meant.
            throw new IllegalArgumentException(
                    "clickhouse.ssl.root-cert is set but clickhouse.url '" + redact(url) + "' is not https://");
        }
        if (!IDENTIFIER.matcher(database).matches()) {
            throw new IllegalArgumentException("clickhouse.database: '" + database + "' is not a plain identifier");
        }
    }

    /** The URL with any {@code user:password@} part hidden, for error messages. */
    static String redact(String url) {
        return ClickHouseUrl.redact(url);
    }

    public static boolean isIdentifier(String name) {
        return name != null && IDENTIFIER.matcher(name).matches();
    }

    public boolean isTls() {
        return url.startsWith("https:");
    }
}
