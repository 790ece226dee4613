package io.github.netobservch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.bench.SoakVerdict.Phase;
import io.github.netobservch.bench.SoakVerdict.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

/** The soak verdict on made-up tables: what it calls bounded, and the growth it must catch. */
class SoakVerdictTest {

    private static final long MB = 1 << 20;
    private static final long MAX_HEAP = 1024 * MB;

    /**
     * A 10-minute run sampled every 10 s: warm-up to 90 s, slow phase 180–300 s, catch-up to 360 s;
     * live heap (MB) and dedup keys as functions of the sample's time (s).
     */
    private static List<Sample> run(LongUnaryOperator heapMb, LongUnaryOperator keys) {
        List<Sample> samples = new ArrayList<>();
        for (long t = 10; t <= 600; t += 10) {
            Phase p = t < 90
                    ? Phase.WARM_UP
                    : t < 180 ? Phase.STEADY : t < 300 ? Phase.SLOW : t < 360 ? Phase.RECOVERING : Phase.STEADY;
            long ckpt = (t % 30 == 0 ? 30 : 26) * MB; // bigger every third checkpoint, as cycles vary
            long parts = 40 + t % 20;
            samples.add(new Sample(
                    t * 1000,
                    p,
                    t * 8000,
                    t * 5500,
                    37_000,
                    heapMb.applyAsLong(t) * MB,
                    ckpt,
                    300,
                    keys.applyAsLong(t),
                    parts,
                    0.4));
        }
        return samples;
    }

    @Test
    void flatFiguresAreBoundedAndTheSlowPhasePeakDoesNotCount() {
        List<Sample> samples = run(t -> t >= 180 && t < 360 ? 600 : 240 + t % 3, t -> t < 90 ? t * 2_000 : 245_000);
        SoakVerdict.Result r = SoakVerdict.judge(samples, 300_000, MAX_HEAP, true);
        assertThat(r.unbounded()).isEmpty();
        assertThat(r.ok()).isTrue();
        assertThat(r.comparisons())
                .extracting(c -> c.figure().name())
                .containsExactly("heap", "checkpoint size", "dedup keys", "parts");
    }

    @Test
    void keysThatNeverExpireAreUnbounded() {
        List<Sample> samples = run(t -> 240, t -> t * 2_000); // grows all along, like state without expiry
        SoakVerdict.Result r = SoakVerdict.judge(samples, 300_000, MAX_HEAP, true);
        assertThat(r.unbounded()).containsExactly("dedup keys");
    }

    @Test
    void heapGrowingBeyondTheToleranceIsUnboundedButNoiseIsNot() {
        assertThat(SoakVerdict.judge(run(t -> 200 + t / 2, t -> 245_000), 300_000, MAX_HEAP, true)
                        .unbounded())
                .containsExactly("heap"); // 290 MB → 500 MB
        assertThat(SoakVerdict.judge(run(t -> 200 + t / 20, t -> 245_000), 300_000, MAX_HEAP, true)
                        .unbounded())
                .isEmpty(); // 209 MB → 230 MB: within 25 % and 64 MB
    }

    @Test
    void heapCloseToTheMaximumAtAnyTimeIsUnbounded() {
        List<Sample> samples = run(t -> t >= 180 && t < 300 ? 900 : 240, t -> 245_000);
        SoakVerdict.Result r = SoakVerdict.judge(samples, 300_000, MAX_HEAP, true);
        assertThat(r.unbounded()).containsExactly("heap");
        assertThat(r.notes()).anyMatch(n -> n.contains("85 %"));
    }

    @Test
    void lagThatNeverCameBackIsUnboundedAndLeavesNothingToCompare() {
        List<Sample> samples = new ArrayList<>(run(t -> 240, t -> 245_000));
        samples.replaceAll(s -> s.elapsedMs() >= 300_000 ? s.withPhase(Phase.RECOVERING) : s);
        SoakVerdict.Result r = SoakVerdict.judge(samples, 300_000, MAX_HEAP, false);
        assertThat(r.unbounded()).containsExactly("lag");
        assertThat(r.notCompared()).containsExactly("heap", "checkpoint size", "dedup keys", "parts");
        assertThat(r.notes()).anyMatch(n -> n.contains("no steady sample") && n.contains("second half"));
        assertThat(r.ok()).isFalse();
    }

    @Test
    void aFigureNeverReportedIsNotCalledBounded() {
        SoakVerdict.Result r = SoakVerdict.judge(run(t -> 240, t -> -1), 300_000, MAX_HEAP, true);
        assertThat(r.unbounded()).isEmpty();
        assertThat(r.notCompared()).containsExactly("dedup keys");
        assertThat(r.ok()).isFalse();
    }
}
