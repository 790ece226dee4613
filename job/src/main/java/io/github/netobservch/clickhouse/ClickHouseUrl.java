package io.github.netobservch.clickhouse;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * The one parser of ClickHouse addresses, for the job's options, the sink, the schema migrator and
 * the tools: an HTTP(S) URL ({@code http://clickhouse:8123}, {@code https://…:8443}) or a JDBC one
 * ({@code jdbc:clickhouse:http://…}, {@code jdbc:ch://host:8123/db}). Credentials in the URL are
 * refused (they would end up in logs and configuration dumps); error messages show the URL with any
 * {@code user:password@} part hidden.
 *
 * @param scheme {@code http} or {@code https}
 * @param port the given port, else 8123 for http and 8443 for https
 * @param database the path's database ({@code /netobserv}), if any
 */
public record ClickHouseUrl(String scheme, String host, int port, Optional<String> database) {

    /** Parses {@code url}; {@code option} names the setting in error messages (e.g. {@code clickhouse.url}). */
    public static ClickHouseUrl parse(String url, String option) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException(option + " is required");
        }
        String u = url.trim();
        if (u.toLowerCase(Locale.ROOT).startsWith("jdbc:")) {
            u = u.replaceFirst("(?i)^jdbc:(clickhouse:|ch:)?", "");
            if (u.startsWith("//")) {
                u = "http:" + u;
            }
        }
        URI uri;
        try {
            uri = URI.create(u);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": '" + redact(url) + "' is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException(
                    option + ": '" + redact(url) + "' must start with http:// or https://" + " (or jdbc:clickhouse:)");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException(option + " must not contain credentials; use the user and password"
                    + " settings (clickhouse.user, clickhouse.password-file)");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException(option + ": '" + redact(url) + "' names no host");
        }
        int port = uri.getPort() > 0 ? uri.getPort() : scheme.equals("https") ? 8443 : 8123;
        String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("^/+|/+$", "");
        return new ClickHouseUrl(scheme, uri.getHost(), port, path.isEmpty() ? Optional.empty() : Optional.of(path));
    }

    public boolean tls() {
        return scheme.equals("https");
    }

    /** {@code scheme://host:port}: what the HTTP clients connect to. */
    public String endpoint() {
        return scheme + "://" + host + ":" + port;
    }

    /** {@code url} with any {@code user:password@} part and any {@code password=} parameter hidden. */
    public static String redact(String url) {
        return url == null
                ? null
                : url.replaceAll("//[^/@]*@", "//<credentials>@").replaceAll("(?i)password=[^&]*", "password=<hidden>");
    }
}
