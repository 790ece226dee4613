package io.github.netobservch.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.netobservch.query.TierPlan.Segment;
import io.github.netobservch.query.TierPlan.Tier;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TierPlanTest {

    private static final Map<Tier, Instant> ALL =
            Map.of(Tier.M1, Instant.EPOCH, Tier.M5, Instant.EPOCH, Tier.H1, Instant.EPOCH);

    private static Instant t(String s) {
        return Instant.parse(s);
    }

    @Test
    void wholeHoursFromTheHourTierAndTheEdgesFromTheFinerOnes() {
        TierPlan p = TierPlan.plan(t("2026-03-10T10:03:00Z"), t("2026-03-11T09:58:00Z"), 0, ALL);
        assertThat(p.segments())
                .containsExactly(
                        new Segment(Tier.M1, t("2026-03-10T10:03:00Z"), t("2026-03-10T10:05:00Z")),
                        new Segment(Tier.M5, t("2026-03-10T10:05:00Z"), t("2026-03-10T11:00:00Z")),
                        new Segment(Tier.H1, t("2026-03-10T11:00:00Z"), t("2026-03-11T09:00:00Z")),
                        new Segment(Tier.M5, t("2026-03-11T09:00:00Z"), t("2026-03-11T09:55:00Z")),
                        new Segment(Tier.M1, t("2026-03-11T09:55:00Z"), t("2026-03-11T09:58:00Z")));
        // aligned ranges read one tier
        assertThat(TierPlan.plan(t("2026-03-10T00:00:00Z"), t("2026-03-17T00:00:00Z"), 0, ALL)
                        .segments())
                .containsExactly(new Segment(Tier.H1, t("2026-03-10T00:00:00Z"), t("2026-03-17T00:00:00Z")));
        assertThat(TierPlan.plan(t("2026-03-10T10:05:00Z"), t("2026-03-10T10:50:00Z"), 0, ALL)
                        .segments())
                .containsExactly(new Segment(Tier.M5, t("2026-03-10T10:05:00Z"), t("2026-03-10T10:50:00Z")));
        assertThat(TierPlan.plan(t("2026-03-10T10:01:00Z"), t("2026-03-10T10:04:00Z"), 0, ALL)
                        .segments())
                .containsExactly(new Segment(Tier.M1, t("2026-03-10T10:01:00Z"), t("2026-03-10T10:04:00Z")));
    }

    /** Every plan covers [from, to) exactly once, and every segment is aligned to its tier. */
    @Test
    void randomRangesAreCoveredExactlyOnceByAlignedSegments() {
        Random rnd = new Random(7);
        Instant base = t("2026-01-01T00:00:00Z");
        for (int i = 0; i < 5_000; i++) {
            Instant from = base.plusSeconds(60L * rnd.nextInt(200_000));
            Instant to = from.plusSeconds(60L * (1 + rnd.nextInt(rnd.nextBoolean() ? 200 : 60_000)));
            long step = List.of(0L, 60L, 300L, 600L, 3600L, 7200L, 120L).get(rnd.nextInt(7));
            TierPlan p = TierPlan.plan(from, to, step, ALL);
            Instant at = from;
            for (Segment s : p.segments()) {
                assertThat(s.from()).isEqualTo(at);
                assertThat(s.to()).isAfter(s.from());
                assertThat(s.from().getEpochSecond() % s.tier().seconds()).isZero();
                assertThat(s.to().getEpochSecond() % s.tier().seconds()).isZero();
                if (step > 0) {
                    assertThat(step % s.tier().seconds())
                            .as("a row falls into one bucket")
                            .isZero();
                }
                at = s.to();
            }
            assertThat(at).isEqualTo(to);
        }
    }

    @Test
    void aBucketWidthKeepsTiersThatDoNotDivideItOut() {
        // 10-minute buckets: the 5m tier, never the 1h tier
        assertThat(TierPlan.plan(t("2026-03-10T00:00:00Z"), t("2026-03-11T00:00:00Z"), 600, ALL)
                        .segments())
                .extracting(Segment::tier)
                .containsExactly(Tier.M5);
        // 2-minute buckets: minutes only
        assertThat(TierPlan.plan(t("2026-03-10T00:00:00Z"), t("2026-03-11T00:00:00Z"), 120, ALL)
                        .segments())
                .extracting(Segment::tier)
                .containsExactly(Tier.M1);
        assertThatThrownBy(() -> TierPlan.plan(t("2026-03-10T00:00:00Z"), t("2026-03-11T00:00:00Z"), 90, ALL))
                .hasMessageContaining("step_seconds must be a multiple of 60");
    }

    @Test
    void aTierIsUsedOnlyWhereItStillKeepsEveryDay() {
        Instant now = t("2026-12-06T15:00:00Z");
        Map<Tier, Instant> h = new EnumMap<>(Tier.class);
        h.put(Tier.M1, Tier.horizon(now, 35));
        h.put(Tier.M5, Tier.horizon(now, 186));
        h.put(Tier.H1, Tier.horizon(now, 762));
        assertThat(h.get(Tier.M1)).isEqualTo(t("2026-11-02T00:00:00Z"));

        // 90 days back, hour-aligned start: 1h tier, then finer edges near now
        TierPlan p = TierPlan.plan(t("2026-09-07T00:00:00Z"), t("2026-12-06T14:58:00Z"), 0, h);
        assertThat(p.segments()).extracting(Segment::tier).containsExactly(Tier.H1, Tier.M5, Tier.M1);

        // a start on an odd minute 90 days back: the 1m tier no longer has it, and the error says what works
        assertThatThrownBy(() -> TierPlan.plan(t("2026-09-07T10:03:00Z"), t("2026-12-06T14:00:00Z"), 0, h))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the range needs the 1-minute tier at 2026-09-07 10:03")
                .hasMessageContaining("newer than 2026-11-02 00:00")
                .hasMessageContaining("aligned to 5-minute buckets there (e.g. from 2026-09-07 10:00)");
        // ... and a start older than every tier
        assertThatThrownBy(() -> TierPlan.plan(t("2024-01-01T00:00:00Z"), t("2024-02-01T00:00:00Z"), 0, h))
                .hasMessageContaining("no tier keeps that date");
        // a schema without the coarse tiers: minutes only
        assertThat(TierPlan.plan(
                                t("2026-12-01T00:00:00Z"), t("2026-12-02T00:00:00Z"), 0, Map.of(Tier.M1, Instant.EPOCH))
                        .segments())
                .extracting(Segment::tier)
                .containsExactly(Tier.M1);
    }

    @Test
    void rangesMustBeWholeMinutesAndNotEmpty() {
        assertThatThrownBy(() -> TierPlan.plan(t("2026-03-10T10:00:30Z"), t("2026-03-10T11:00:00Z"), 0, ALL))
                .hasMessageContaining("from must be a whole minute");
        assertThatThrownBy(() -> TierPlan.plan(t("2026-03-10T10:00:00Z"), t("2026-03-10T10:00:00Z"), 0, ALL))
                .hasMessageContaining("the range is empty or inverted");
        assertThat(TierPlan.plan(
                                t("2026-03-10T10:00:00Z"),
                                t("2026-03-10T10:00:00Z").plus(Duration.ofMinutes(1)),
                                0,
                                ALL)
                        .describe())
                .isEqualTo("1m 2026-03-10 10:00–2026-03-10 10:01 (1 min)");
    }
}
