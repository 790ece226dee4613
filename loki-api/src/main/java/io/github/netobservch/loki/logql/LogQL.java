package io.github.netobservch.loki.logql;

import java.util.List;
import java.util.Objects;

/**
 * The syntax tree of the LogQL subset NetObserv's console plugin generates (see
 * docs/loki-api.md "LogQL subset"): a log query is a stream selector and a pipeline; a metric
 * query is a range aggregation over a log query, optionally under vector aggregations and an
 * arithmetic operation with a constant.
 */
public final class LogQL {

    private LogQL() {}

    /** Any parsed query. */
    public sealed interface Expr permits LogExpr, MetricExpr {}

    /** Label and line match operators: {@code = != =~ !~}. */
    public enum MatchOp {
        EQ("="),
        NEQ("!="),
        RE("=~"),
        NRE("!~");

        private final String text;

        MatchOp(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }

        public boolean negated() {
            return this == NEQ || this == NRE;
        }

        public boolean regex() {
            return this == RE || this == NRE;
        }
    }

    /** {@code name op "value"} in a stream selector or a label filter stage. */
    public record Matcher(String name, MatchOp op, String value) {
        public Matcher {
            Objects.requireNonNull(name);
            Objects.requireNonNull(op);
            Objects.requireNonNull(value);
        }
    }

    /** A stream selector followed by pipeline stages. */
    public record LogExpr(List<Matcher> selector, List<Stage> stages) implements Expr {
        public LogExpr {
            selector = List.copyOf(selector);
            stages = List.copyOf(stages);
        }

        /** True when the pipeline has a {@code | json} stage. */
        public boolean hasJson() {
            return stages.stream().anyMatch(s -> s instanceof JsonStage);
        }

        /** The unwrapped field, or null. */
        public String unwrap() {
            for (Stage s : stages) {
                if (s instanceof UnwrapStage u) {
                    return u.field();
                }
            }
            return null;
        }
    }

    /** One pipeline stage. */
    public sealed interface Stage permits LineFilter, JsonStage, LabelFilterStage, UnwrapStage, ErrorFilter {}

    /**
     * A line filter: {@code |~ `re`}, {@code !~ `re`} (RE2, unanchored), or the substring forms
     * {@code |= "s"}, {@code != "s"}.
     */
    public record LineFilter(boolean negated, boolean regex, String pattern) implements Stage {}

    /** {@code | json} without arguments: every top-level scalar field becomes a label. */
    public record JsonStage() implements Stage {}

    /** One {@code | a or b or c} stage: true when any alternative is true. */
    public record LabelFilterStage(List<LabelPredicate> anyOf) implements Stage {
        public LabelFilterStage {
            anyOf = List.copyOf(anyOf);
        }
    }

    /** {@code | unwrap Field}: the sample value is the field's number. */
    public record UnwrapStage(String field) implements Stage {}

    /** {@code | __error__=""}: drops lines whose unwrap failed (field missing or not a number). */
    public record ErrorFilter() implements Stage {}

    /** A predicate of a label filter stage. */
    public sealed interface LabelPredicate permits LabelMatch, IpMatch {}

    /** {@code k="v"}, {@code k!="v"}, {@code k=~"re"}, {@code k!~"re"} (regexes fully anchored). */
    public record LabelMatch(Matcher matcher) implements LabelPredicate {}

    /** {@code k=ip("addr|cidr|a-b")} or {@code k!=ip(...)}. */
    public record IpMatch(String name, boolean negated, String spec) implements LabelPredicate {}

    /** A metric query. */
    public sealed interface MetricExpr extends Expr permits RangeAggregation, VectorAggregation, ScalarOperation {}

    /** Range functions of the subset. */
    public enum RangeFunction {
        RATE("rate", false),
        COUNT_OVER_TIME("count_over_time", false),
        SUM_OVER_TIME("sum_over_time", true),
        AVG_OVER_TIME("avg_over_time", true),
        MIN_OVER_TIME("min_over_time", true),
        MAX_OVER_TIME("max_over_time", true),
        QUANTILE_OVER_TIME("quantile_over_time", true);

        private final String text;
        private final boolean needsUnwrap;

        RangeFunction(String text, boolean needsUnwrap) {
            this.text = text;
            this.needsUnwrap = needsUnwrap;
        }

        public String text() {
            return text;
        }

        /** True for the functions Loki allows only over unwrapped ranges. */
        public boolean needsUnwrap() {
            return needsUnwrap;
        }

        /** True for the functions that may carry their own {@code by(...)} grouping in Loki. */
        public boolean allowsGrouping() {
            return this == AVG_OVER_TIME
                    || this == MIN_OVER_TIME
                    || this == MAX_OVER_TIME
                    || this == QUANTILE_OVER_TIME;
        }

        static RangeFunction byName(String name) {
            for (RangeFunction f : values()) {
                if (f.text.equals(name)) {
                    return f;
                }
            }
            return null;
        }
    }

    /** {@code by(a,b)}; {@code without} is outside the subset. */
    public record Grouping(List<String> labels) {
        public Grouping {
            labels = List.copyOf(labels);
        }
    }

    /** {@code fn([phi,] <log expr> [W]) [by(...)]}; {@code phi} only for quantile_over_time. */
    public record RangeAggregation(RangeFunction function, Double phi, LogExpr log, long windowMs, Grouping grouping)
            implements MetricExpr {}

    /** Vector aggregation operators of the subset. */
    public enum VectorOp {
        SUM,
        TOPK,
        BOTTOMK
    }

    /** {@code sum by(L)(inner)}, {@code topk(k, inner)}, {@code bottomk(k, inner)}. */
    public record VectorAggregation(VectorOp op, int k, Grouping grouping, MetricExpr inner) implements MetricExpr {}

    /** Arithmetic operators with a constant. */
    public enum ArithOp {
        ADD('+'),
        SUB('-'),
        MUL('*'),
        DIV('/');

        private final char symbol;

        ArithOp(char symbol) {
            this.symbol = symbol;
        }

        public char symbol() {
            return symbol;
        }

        public double apply(double a, double b) {
            return switch (this) {
                case ADD -> a + b;
                case SUB -> a - b;
                case MUL -> a * b;
                case DIV -> a / b;
            };
        }
    }

    /** {@code inner op constant}, e.g. the plugin's {@code /1000000} for RTT in milliseconds. */
    public record ScalarOperation(MetricExpr inner, ArithOp op, double constant) implements MetricExpr {}
}
