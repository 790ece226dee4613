package io.github.netobservch.loki.query;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Loki's HTTP time and duration parameters, in epoch milliseconds. */
public final class TimeParams {

    private static final Pattern INTEGER = Pattern.compile("-?\\d+");
    private static final Pattern DECIMAL = Pattern.compile("-?\\d+\\.\\d*");
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|us|µs|ns|s|m|h|d|w|y)");

    private TimeParams() {}

    /**
     * A timestamp: an integer of at most 10 digits is Unix seconds (what the plugin sends), a longer
     * one Unix nanoseconds, a decimal number seconds, anything else RFC 3339.
     */
    public static long timestampMs(String name, String value) {
        String v = value.trim();
        try {
            if (INTEGER.matcher(v).matches()) {
                String digits = v.startsWith("-") ? v.substring(1) : v;
                if (digits.length() <= 10) {
                    return Math.multiplyExact(Long.parseLong(v), 1000L);
                }
                return Math.floorDiv(Long.parseLong(v), 1_000_000L);
            }
            if (DECIMAL.matcher(v).matches()) {
                return new BigDecimal(v).movePointRight(3).longValue();
            }
            return OffsetDateTime.parse(v).toInstant().toEpochMilli();
        } catch (NumberFormatException | ArithmeticException | DateTimeParseException e) {
            throw new LokiQueryException(
                    400, "invalid parameter " + name + ": cannot parse \"" + clip(value) + "\" to a valid timestamp");
        }
    }

    /** A step or window: a Prometheus duration ({@code 15s}, {@code 1m30s}) or seconds ({@code 15}, {@code 0.5}). */
    public static long durationMs(String name, String value) {
        String v = value.trim();
        try {
            if (INTEGER.matcher(v).matches() || DECIMAL.matcher(v).matches()) {
                return new BigDecimal(v).movePointRight(3).longValue();
            }
            Matcher m = DURATION_PART.matcher(v);
            long total = 0;
            int end = 0;
            while (m.lookingAt()) {
                BigDecimal n = new BigDecimal(m.group(1));
                BigDecimal unitMs =
                        switch (m.group(2)) {
                            case "ns" -> new BigDecimal("0.000001");
                            case "us", "µs" -> new BigDecimal("0.001");
                            case "ms" -> BigDecimal.ONE;
                            case "s" -> BigDecimal.valueOf(1_000);
                            case "m" -> BigDecimal.valueOf(60_000);
                            case "h" -> BigDecimal.valueOf(3_600_000);
                            case "d" -> BigDecimal.valueOf(86_400_000);
                            case "w" -> BigDecimal.valueOf(604_800_000);
                            default -> BigDecimal.valueOf(31_536_000_000L);
                        };
                total += n.multiply(unitMs).longValue();
                end = m.end();
                m.region(end, v.length());
            }
            if (end != v.length() || v.isEmpty()) {
                throw new NumberFormatException();
            }
            return total;
        } catch (NumberFormatException | ArithmeticException e) {
            throw new LokiQueryException(
                    400, "invalid parameter " + name + ": cannot parse \"" + clip(value) + "\" to a valid duration");
        }
    }

    /** A duration as Go prints it ({@code 744h0m0s}), for Loki's error texts. */
    public static String goDuration(Duration d) {
        long s = d.toSeconds();
        long h = s / 3600;
        long m = (s % 3600) / 60;
        long sec = s % 60;
        if (h > 0) {
            return h + "h" + m + "m" + sec + "s";
        }
        if (m > 0) {
            return m + "m" + sec + "s";
        }
        return sec + "s";
    }

    private static String clip(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "…" : s;
    }
}
