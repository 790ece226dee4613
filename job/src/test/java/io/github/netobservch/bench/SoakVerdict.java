package io.github.netobservch.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Whether a soak run stayed bounded: for heap, checkpoint size, dedup keys and ClickHouse parts, the
 * maximum over the steady samples of the run's second half against the first half's. Excluded from
 * both halves: the warm-up (the dedup state fills), the slow ClickHouse phase and the catch-up after
 * it (reported on their own), so both halves see the same load.
 *
 * <p>A figure is unbounded when its second-half maximum exceeds the first half's by more than its
 * tolerance — a share of the first-half maximum, and at least an absolute floor, since a few MB or
 * parts are noise. It is not compared when a half has no steady sample with a value for it (a run
 * too short, or a figure never reported): then the run proves nothing about it. Checkpoint size and parts get a wider share:
 * a checkpoint carries the rows of one checkpoint cycle (longer cycles, bigger checkpoints) and parts
 * come and go with merges. Heap is also unbounded when it came within {@link #HEAP_LIMIT} of the
 * maximum heap at any time, slow phase included. Lag is unbounded when it had not come back after
 * the slow phase by the end of production.
 */
final class SoakVerdict {

    /** Live heap above this share of the maximum heap is too close to an OutOfMemoryError. */
    static final double HEAP_LIMIT = 0.85;

    enum Phase {
        WARM_UP("warm-up"),
        STEADY("steady"),
        SLOW("slow-ch"),
        RECOVERING("catch-up"),
        DRAINING("drain");

        final String label;

        Phase(String label) {
            this.label = label;
        }
    }

    /** One row of the table; -1 where a figure was not available. */
    record Sample(
            long elapsedMs,
            Phase phase,
            long produced,
            long loaded,
            long lag,
            long heapBytes,
            long checkpointBytes,
            long checkpointMs,
            long dedupKeys,
            long parts,
            double backPressure) {

        Sample withPhase(Phase p) {
            return new Sample(
                    elapsedMs,
                    p,
                    produced,
                    loaded,
                    lag,
                    heapBytes,
                    checkpointBytes,
                    checkpointMs,
                    dedupKeys,
                    parts,
                    backPressure);
        }
    }

    /** A compared figure: tolerated growth is {@code max(share × first-half max, floor)}. */
    record Figure(String name, String unit, ToLongFunction<Sample> value, double share, long floor, double scale) {}

    static final List<Figure> FIGURES = List.of(
            new Figure("heap", "MB", Sample::heapBytes, 0.25, 64L << 20, 1 << 20),
            new Figure("checkpoint size", "MB", Sample::checkpointBytes, 0.5, 4L << 20, 1 << 20),
            new Figure("dedup keys", "", Sample::dedupKeys, 0.25, 1_000, 1),
            new Figure("parts", "", Sample::parts, 0.5, 50, 1));

    /** The comparison of one figure: maxima per half, -1 when a half had no value. */
    record Comparison(Figure figure, long firstMax, long secondMax, boolean unbounded) {
        boolean compared() {
            return firstMax >= 0 && secondMax >= 0;
        }

        String status() {
            return unbounded ? "UNBOUNDED" : compared() ? "bounded" : "not compared";
        }
    }

    record Result(List<Comparison> comparisons, List<String> unbounded, List<String> notCompared, List<String> notes) {
        boolean ok() {
            return unbounded.isEmpty() && notCompared.isEmpty();
        }
    }

    private SoakVerdict() {}

    /**
     * @param samples the table rows of the production period (not the final drain)
     * @param halfMs where the second half begins (elapsed time)
     * @param maxHeapBytes the JVM's maximum heap
     * @param lagRecovered false when the lag had not come back after the slow phase
     */
    static Result judge(List<Sample> samples, long halfMs, long maxHeapBytes, boolean lagRecovered) {
        List<Sample> first = new ArrayList<>();
        List<Sample> second = new ArrayList<>();
        for (Sample s : samples) {
            if (s.phase() == Phase.STEADY) {
                (s.elapsedMs() < halfMs ? first : second).add(s);
            }
        }
        List<Comparison> comparisons = new ArrayList<>();
        List<String> unbounded = new ArrayList<>();
        List<String> notCompared = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (Figure f : FIGURES) {
            long a = max(first, f.value());
            long b = max(second, f.value());
            boolean missing = a < 0 || b < 0;
            boolean grew = !missing && b > a + Math.max((long) (a * f.share()), f.floor());
            boolean nearLimit =
                    f.name().equals("heap") && maxHeapBytes > 0 && max(samples, f.value()) > HEAP_LIMIT * maxHeapBytes;
            if (missing) {
                notCompared.add(f.name());
                notes.add(
                        f.name() + ": no steady sample with a value in the " + (a < 0 ? "first" : "second") + " half");
            }
            if (nearLimit) {
                notes.add("heap: live heap above " + Math.round(HEAP_LIMIT * 100) + " % of the maximum heap");
            }
            boolean bad = grew || nearLimit;
            comparisons.add(new Comparison(f, a, b, bad));
            if (bad) {
                unbounded.add(f.name());
            }
        }
        if (!lagRecovered) {
            unbounded.add("lag");
            notes.add("lag: had not come back to its steady level after the slow phase when production ended");
        }
        return new Result(comparisons, unbounded, notCompared, notes);
    }

    private static long max(List<Sample> samples, ToLongFunction<Sample> value) {
        long max = -1;
        for (Sample s : samples) {
            max = Math.max(max, value.applyAsLong(s));
        }
        return max;
    }
}
