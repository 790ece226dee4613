package io.github.netobservch.query;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which rollup tier answers which part of a query's range {@code [from, to)}, so that the answer is
 * exactly the 1-minute tier's while reading as few rows as possible: the whole hours inside the
 * range from the 1-hour tier, the whole 5-minute buckets left at either edge from the 5-minute tier,
 * the minutes left from the 1-minute tier. A row of a tier covers {@code [minute, minute + width)}, so
 * a segment aligned to its tier's width holds exactly the flows the finer tiers hold for it.
 *
 * <p>A tier serves a segment only if it still keeps every day of it (its retention, {@link
 * Tier#horizon}): rows past a TTL disappear part by part, and a half-expired tier would answer
 * short without saying so. A range that needs a finer tier than its start date still has fails
 * with the alignment that would work. With a bucket width ({@code step_seconds}) only tiers whose
 * width divides it are used, so that every row falls into one bucket.
 */
public record TierPlan(List<Segment> segments) {

    /** The rollup tiers, finest first. */
    public enum Tier {
        M1("1m", 60, "1-minute"),
        M5("5m", 300, "5-minute"),
        H1("1h", 3600, "1-hour");

        private final String suffix;
        private final long seconds;
        private final String words;

        Tier(String suffix, long seconds, String words) {
            this.suffix = suffix;
            this.seconds = seconds;
            this.words = words;
        }

        /** Table-name suffix: {@code 1m}, {@code 5m}, {@code 1h}. */
        public String suffix() {
            return suffix;
        }

        public long seconds() {
            return seconds;
        }

        /**
         * The first instant a tier with this retention still holds completely at {@code now}: rows expire
         * once {@code toDate(minute) + days} is reached, so the oldest whole day kept is {@code today − days + 1}.
         */
        public static Instant horizon(Instant now, int retentionDays) {
            return now.atZone(ZoneOffset.UTC)
                    .toLocalDate()
                    .minusDays(retentionDays - 1L)
                    .atStartOfDay(ZoneOffset.UTC)
                    .toInstant();
        }

        public static Tier ofSuffix(String s) {
            for (Tier t : values()) {
                if (t.suffix.equals(s)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("no rollup tier " + s);
        }
    }

    /** {@code [from, to)} read from {@code tier}. */
    public record Segment(Tier tier, Instant from, Instant to) {}

    private static final DateTimeFormatter SHOW =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

    public TierPlan {
        segments = List.copyOf(segments);
    }

    /**
     * @param from inclusive, a whole minute
     * @param to exclusive, a whole minute after {@code from}
     * @param stepSeconds bucket width of a time-series query, or 0
     * @param horizons per tier, the first instant it still holds completely (tiers missing from the map are
     *     not used)
     * @throws IllegalArgumentException with what to change when no tier combination answers exactly
     */
    public static TierPlan plan(Instant from, Instant to, long stepSeconds, Map<Tier, Instant> horizons) {
        if (!to.isAfter(from)) {
            throw new IllegalArgumentException("the range is empty or inverted: to must be after from");
        }
        requireMinute("from", from);
        requireMinute("to", to);
        if (stepSeconds < 0 || (stepSeconds > 0 && stepSeconds % 60 != 0)) {
            throw new IllegalArgumentException(
                    "step_seconds must be a multiple of 60 for a rollup query (its finest rows are minutes), got "
                            + stepSeconds);
        }
        List<Tier> usable = new ArrayList<>();
        for (Tier t : Tier.values()) {
            if (horizons.containsKey(t) && (stepSeconds == 0 || stepSeconds % t.seconds == 0)) {
                usable.add(t);
            }
        }
        if (usable.isEmpty() || usable.get(0) != Tier.M1) {
            throw new IllegalArgumentException("the 1-minute rollup tier is missing; apply the schema first");
        }
        List<Segment> out = new ArrayList<>();
        split(from, to, usable.size() - 1, usable, horizons, out);
        out.sort(java.util.Comparator.comparing(Segment::from));
        return new TierPlan(merge(out));
    }

    private static void split(
            Instant from, Instant to, int level, List<Tier> tiers, Map<Tier, Instant> horizons, List<Segment> out) {
        if (!from.isBefore(to)) {
            return;
        }
        Tier t = tiers.get(level);
        if (level == 0) {
            requireKept(t, from, horizons, tiers);
            out.add(new Segment(t, from, to));
            return;
        }
        Instant a = ceil(from, t.seconds);
        Instant b = floor(to, t.seconds);
        if (!a.isBefore(b)) {
            split(from, to, level - 1, tiers, horizons, out);
            return;
        }
        requireKept(t, a, horizons, tiers);
        split(from, a, level - 1, tiers, horizons, out);
        out.add(new Segment(t, a, b));
        split(b, to, level - 1, tiers, horizons, out);
    }

    private static void requireKept(Tier t, Instant start, Map<Tier, Instant> horizons, List<Tier> tiers) {
        Instant h = horizons.get(t);
        if (start.isBefore(h)) {
            Tier coarser = null;
            for (Tier c : tiers) {
                if (c.seconds > t.seconds && !start.isBefore(horizons.get(c))) {
                    coarser = c;
                    break;
                }
            }
            throw new IllegalArgumentException("the range needs the " + t.words + " tier at " + SHOW.format(start)
                    + ", but it keeps only what is newer than " + SHOW.format(h) + " (its retention)"
                    + (coarser == null
                            ? "; no tier keeps that date"
                            : "; give from and to aligned to " + coarser.words + " buckets there (e.g. from "
                                    + SHOW.format(floor(start, coarser.seconds)) + ")"));
        }
    }

    /** Adjacent segments of one tier as one. */
    private static List<Segment> merge(List<Segment> in) {
        List<Segment> out = new ArrayList<>();
        for (Segment s : in) {
            Segment last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.tier == s.tier && last.to.equals(s.from)) {
                out.set(out.size() - 1, new Segment(s.tier, last.from, s.to));
            } else {
                out.add(s);
            }
        }
        return out;
    }

    private static void requireMinute(String what, Instant t) {
        if (t.getEpochSecond() % 60 != 0 || t.getNano() != 0) {
            throw new IllegalArgumentException(
                    what + " must be a whole minute for a rollup query (its finest rows are" + " minutes), got " + t);
        }
    }

    static Instant ceil(Instant t, long seconds) {
        long s = Math.floorDiv(t.getEpochSecond() + seconds - 1, seconds) * seconds;
        return Instant.ofEpochSecond(s);
    }

    static Instant floor(Instant t, long seconds) {
        return Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), seconds) * seconds);
    }

    /** Minutes of the range read from each tier, e.g. {@code 1h: 1380 min, 5m: 50 min, 1m: 8 min}. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (Segment s : segments) {
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            sb.append(s.tier.suffix)
                    .append(' ')
                    .append(SHOW.format(s.from))
                    .append("–")
                    .append(SHOW.format(s.to))
                    .append(" (")
                    .append(Duration.between(s.from, s.to).toMinutes())
                    .append(" min)");
        }
        return sb.toString();
    }
}
