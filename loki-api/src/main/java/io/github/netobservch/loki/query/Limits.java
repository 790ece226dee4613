package io.github.netobservch.loki.query;

import java.time.Duration;

/**
 * Bounds on the work of one request, with Loki's defaults and error texts (the console recognises
 * them and shows hints): {@code max_query_length} 721h, {@code max_entries_limit_per_query} 5000,
 * {@code max_query_series} 500, 11,000 points per series.
 */
public record Limits(
        Duration maxQueryLength, int maxEntries, int maxSeries, int maxPoints, int labelValues, Duration queryTimeout) {

    public static Limits defaults() {
        return new Limits(Duration.ofHours(721), 5000, 500, 11_000, 1000, Duration.ofSeconds(25));
    }

    public Limits {
        if (maxQueryLength.isNegative() || maxQueryLength.isZero()) {
            throw new IllegalArgumentException("max query length must be positive");
        }
        if (maxEntries < 1 || maxSeries < 1 || maxPoints < 1 || labelValues < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        if (queryTimeout.toSeconds() < 1) {
            throw new IllegalArgumentException("query timeout must be at least 1 s");
        }
    }
}
