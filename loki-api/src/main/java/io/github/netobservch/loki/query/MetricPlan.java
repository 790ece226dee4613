package io.github.netobservch.loki.query;

import io.github.netobservch.loki.logql.LogQL.ArithOp;
import io.github.netobservch.loki.logql.LogQL.MetricExpr;
import io.github.netobservch.loki.logql.LogQL.RangeAggregation;
import io.github.netobservch.loki.logql.LogQL.RangeFunction;
import io.github.netobservch.loki.logql.LogQL.ScalarOperation;
import io.github.netobservch.loki.logql.LogQL.VectorAggregation;
import io.github.netobservch.loki.logql.LogQL.VectorOp;
import io.github.netobservch.loki.logql.LogQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A metric query in the shape the plugin sends, flattened for evaluation: one range aggregation
 * whose samples are grouped by {@link #groupBy} (its own {@code by(...)}, or an enclosing
 * {@code sum by(...)} over an additive function), then constant arithmetic, then at most one
 * {@code topk}/{@code bottomk} per step, then more constant arithmetic.
 *
 * <p>Shapes outside this (a range aggregation without any grouping, {@code sum} over
 * {@code avg_over_time}, two {@code topk}s) are refused: their series would be every distinct
 * label set after {@code | json}, i.e. nearly every record, which Loki's series limit refuses too.
 */
public record MetricPlan(
        RangeAggregation range, List<String> groupBy, List<Op> beforeRank, VectorOp rank, int k, List<Op> afterRank) {

    /** Constant arithmetic, applied in list order. */
    public record Op(ArithOp op, double constant) {
        public double apply(double v) {
            return op.apply(v, constant);
        }
    }

    public MetricPlan {
        groupBy = List.copyOf(groupBy);
        beforeRank = List.copyOf(beforeRank);
        afterRank = List.copyOf(afterRank);
    }

    /** Flattens {@code e} or throws a {@link LogQLException} naming what is not supported. */
    public static MetricPlan of(MetricExpr e) {
        List<Op> outer = new ArrayList<>(); // outermost first
        List<Op> inner = new ArrayList<>();
        VectorOp rank = null;
        int k = 0;
        List<String> sumBy = null;
        MetricExpr cur = e;
        while (true) {
            if (cur instanceof ScalarOperation s) {
                (rank == null ? outer : inner).add(new Op(s.op(), s.constant()));
                cur = s.inner();
            } else if (cur instanceof VectorAggregation v && v.op() != VectorOp.SUM) {
                if (rank != null) {
                    throw new LogQLException("only one topk/bottomk per query is supported");
                }
                if (sumBy != null) {
                    throw new LogQLException("topk/bottomk inside sum is not supported");
                }
                rank = v.op();
                k = v.k();
                cur = v.inner();
            } else if (cur instanceof VectorAggregation v) {
                if (sumBy != null) {
                    throw new LogQLException("nested sum is not supported");
                }
                sumBy = v.grouping() == null ? List.of() : v.grouping().labels();
                cur = v.inner();
                if (!(cur instanceof RangeAggregation)) {
                    throw new LogQLException("sum must directly enclose a range aggregation such as rate(...)");
                }
            } else if (cur instanceof RangeAggregation r) {
                List<String> groupBy;
                if (sumBy != null) {
                    if (r.grouping() != null) {
                        throw new LogQLException("sum by(...) over a grouped range aggregation is not supported");
                    }
                    RangeFunction f = r.function();
                    if (f != RangeFunction.RATE
                            && f != RangeFunction.COUNT_OVER_TIME
                            && f != RangeFunction.SUM_OVER_TIME) {
                        throw new LogQLException("sum over " + f.text()
                                + " is not supported: group the range aggregation itself, e.g. " + f.text()
                                + "(...) by(label)");
                    }
                    groupBy = sumBy;
                } else if (r.grouping() != null) {
                    groupBy = r.grouping().labels();
                } else {
                    throw new LogQLException("a range aggregation without by(...) or an enclosing sum by(...) "
                            + "is not supported: its series would be every distinct record");
                }
                List<Op> before = new ArrayList<>(rank == null ? outer : inner);
                Collections.reverse(before);
                List<Op> after = new ArrayList<>(rank == null ? List.of() : outer);
                Collections.reverse(after);
                return new MetricPlan(r, groupBy, before, rank, k, after);
            } else {
                throw new LogQLException("unsupported metric expression");
            }
        }
    }

    /** Applies {@link #beforeRank}. */
    public double applyBefore(double v) {
        for (Op op : beforeRank) {
            v = op.apply(v);
        }
        return v;
    }

    /** Applies {@link #afterRank}. */
    public double applyAfter(double v) {
        for (Op op : afterRank) {
            v = op.apply(v);
        }
        return v;
    }
}
