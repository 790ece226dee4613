package io.github.netobservch.sink;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link SinkFaultInjector} for MiniCluster tests: fires once, at the {@code fireAt}-th call of one
 * point, then never again (so the job recovers). State lives in a static map keyed by scenario id,
 * because the injector is serialized into the job and the MiniCluster runs in the test JVM.
 */
final class ScenarioFaults implements SinkFaultInjector {

    private static final long serialVersionUID = 1L;
    private static final Map<String, Plan> PLANS = new ConcurrentHashMap<>();

    /** What to do when the point is reached; throwing fails the task. */
    @FunctionalInterface
    interface Action {
        void run(Context context) throws Exception;
    }

    static final class Plan {
        final Point point;
        final long fireAt;
        final Action action;
        final AtomicLong calls = new AtomicLong();
        final AtomicBoolean fired = new AtomicBoolean();
        final AtomicLong recommits = new AtomicLong();
        final AtomicLong inserts = new AtomicLong();
        /** INSERT attempts (BEFORE_INSERT calls) per token: more than one means a retry or re-commit. */
        final Map<String, AtomicLong> attempts = new ConcurrentHashMap<>();

        Plan(Point point, long fireAt, Action action) {
            this.point = point;
            this.fireAt = fireAt;
            this.action = action;
        }
    }

    private final String id;

    private ScenarioFaults(String id) {
        this.id = id;
    }

    /** Registers a plan that throws at the {@code fireAt}-th call of {@code point} (null point: never). */
    static ScenarioFaults throwing(String id, Point point, long fireAt) {
        return with(id, point, fireAt, ctx -> {
            throw new RuntimeException("injected fault at " + point + " (" + ctx + ")");
        });
    }

    static ScenarioFaults with(String id, Point point, long fireAt, Action action) {
        PLANS.put(id, new Plan(point, fireAt, action));
        return new ScenarioFaults(id);
    }

    static Plan plan(String id) {
        return PLANS.get(id);
    }

    static void remove(String id) {
        PLANS.remove(id);
    }

    @Override
    public void at(Point point, Context context) throws Exception {
        Plan plan = PLANS.get(id);
        if (plan == null) {
            return;
        }
        if (point == Point.BEFORE_INSERT && context.token() != null) {
            plan.attempts
                    .computeIfAbsent(context.token(), t -> new AtomicLong())
                    .incrementAndGet();
        }
        if (point == Point.AFTER_INSERT) {
            plan.inserts.incrementAndGet();
            if (context.fromState()) {
                plan.recommits.incrementAndGet();
            }
        }
        if (point == plan.point
                && !plan.fired.get()
                && plan.calls.incrementAndGet() == plan.fireAt
                && plan.fired.compareAndSet(false, true)) {
            plan.action.run(context);
        }
    }
}
