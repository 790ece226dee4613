package io.github.netobservch.loki.logql;

import io.github.netobservch.loki.logql.LogQL.ArithOp;
import io.github.netobservch.loki.logql.LogQL.ErrorFilter;
import io.github.netobservch.loki.logql.LogQL.Expr;
import io.github.netobservch.loki.logql.LogQL.Grouping;
import io.github.netobservch.loki.logql.LogQL.IpMatch;
import io.github.netobservch.loki.logql.LogQL.JsonStage;
import io.github.netobservch.loki.logql.LogQL.LabelFilterStage;
import io.github.netobservch.loki.logql.LogQL.LabelMatch;
import io.github.netobservch.loki.logql.LogQL.LabelPredicate;
import io.github.netobservch.loki.logql.LogQL.LineFilter;
import io.github.netobservch.loki.logql.LogQL.LogExpr;
import io.github.netobservch.loki.logql.LogQL.MatchOp;
import io.github.netobservch.loki.logql.LogQL.Matcher;
import io.github.netobservch.loki.logql.LogQL.MetricExpr;
import io.github.netobservch.loki.logql.LogQL.RangeAggregation;
import io.github.netobservch.loki.logql.LogQL.RangeFunction;
import io.github.netobservch.loki.logql.LogQL.ScalarOperation;
import io.github.netobservch.loki.logql.LogQL.Stage;
import io.github.netobservch.loki.logql.LogQL.UnwrapStage;
import io.github.netobservch.loki.logql.LogQL.VectorAggregation;
import io.github.netobservch.loki.logql.LogQL.VectorOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Parses the LogQL subset of {@link LogQL}. Hand-written recursive descent: no maintained Java
 * LogQL parser exists (Loki's own is Go and AGPL), and the subset is small enough that a parser
 * generator would add a build step and a runtime library for about 400 lines of grammar. Written
 * from Loki's documentation (docs/loki-api.md lists what is accepted); anything outside the subset
 * is refused with a {@link LogQLException} naming it, never guessed.
 */
public final class LogQLParser {

    /** Other LogQL keywords: recognised only to name them in the error. */
    private static final Set<String> OTHER_FUNCTIONS = Set.of(
            "bytes_over_time",
            "bytes_rate",
            "absent_over_time",
            "rate_counter",
            "stddev_over_time",
            "stdvar_over_time",
            "first_over_time",
            "last_over_time",
            "avg",
            "min",
            "max",
            "count",
            "stddev",
            "stdvar",
            "sort",
            "sort_desc",
            "label_replace",
            "vector");

    private static final Set<String> OTHER_STAGES = Set.of(
            "logfmt", "regexp", "pattern", "unpack", "line_format", "label_format", "drop", "keep", "decolorize");

    private static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d|w|y)");

    private final String text;
    private int pos;

    private LogQLParser(String text) {
        this.text = text;
    }

    /** Parses a whole query. */
    public static Expr parse(String query) {
        if (query == null || query.isBlank()) {
            throw new LogQLException("parse error : syntax error: unexpected end of input (empty query)");
        }
        LogQLParser p = new LogQLParser(query);
        Expr e = p.expr();
        p.skipSpace();
        if (p.pos < p.text.length()) {
            throw LogQLException.syntax(p.pos, "unexpected " + p.describeHere());
        }
        return e;
    }

    // ---- grammar -----------------------------------------------------------------------------

    private Expr expr() {
        skipSpace();
        if (peek() == '{') {
            return logExpr();
        }
        return metricExpr();
    }

    private MetricExpr metricExpr() {
        MetricExpr left = metricTerm();
        while (true) {
            skipSpace();
            ArithOp op = arithOp();
            if (op == null) {
                return left;
            }
            pos++;
            skipSpace();
            int at = pos;
            if (peek() == '(' || Character.isLetter(peek()) || peek() == '{') {
                throw LogQLException.unsupported(at, "a binary operation between two vectors");
            }
            double constant = number();
            left = new ScalarOperation(left, op, constant);
        }
    }

    private ArithOp arithOp() {
        char c = peek();
        for (ArithOp op : ArithOp.values()) {
            if (op.symbol() == c) {
                return op;
            }
        }
        return null;
    }

    private MetricExpr metricTerm() {
        skipSpace();
        int at = pos;
        if (peek() == '(') {
            pos++;
            MetricExpr inner = metricExpr();
            expect(')');
            return inner;
        }
        if (peek() == '{') {
            throw LogQLException.syntax(at, "a log query cannot be combined with a metric operation here");
        }
        String name = identifier("a function name");
        switch (name) {
            case "sum":
                return vectorAggregation(at, VectorOp.SUM);
            case "topk":
                return vectorAggregation(at, VectorOp.TOPK);
            case "bottomk":
                return vectorAggregation(at, VectorOp.BOTTOMK);
            default:
                break;
        }
        RangeFunction fn = RangeFunction.byName(name);
        if (fn != null) {
            return rangeAggregation(at, fn);
        }
        if (OTHER_FUNCTIONS.contains(name)) {
            throw LogQLException.unsupported(at, "the function " + name);
        }
        throw LogQLException.syntax(at, "unexpected IDENTIFIER " + name);
    }

    private VectorAggregation vectorAggregation(int at, VectorOp op) {
        skipSpace();
        Grouping grouping = grouping();
        expect('(');
        int k = 0;
        if (op != VectorOp.SUM) {
            skipSpace();
            int kAt = pos;
            double kv = number();
            if (kv != Math.rint(kv) || kv < 1 || kv > 100_000) {
                throw LogQLException.syntax(
                        kAt, "invalid parameter for " + op.name().toLowerCase() + ": " + kv);
            }
            k = (int) kv;
            expect(',');
        }
        MetricExpr inner = metricExpr();
        expect(')');
        skipSpace();
        Grouping after = grouping();
        if (grouping != null && after != null) {
            throw LogQLException.syntax(pos, "grouping given twice");
        }
        Grouping g = grouping != null ? grouping : after;
        if (op != VectorOp.SUM && g != null) {
            throw LogQLException.unsupported(at, op.name().toLowerCase() + " with a grouping");
        }
        return new VectorAggregation(op, k, g, inner);
    }

    private RangeAggregation rangeAggregation(int at, RangeFunction fn) {
        expect('(');
        Double phi = null;
        if (fn == RangeFunction.QUANTILE_OVER_TIME) {
            skipSpace();
            int phiAt = pos;
            phi = number();
            if (phi < 0 || phi > 1) {
                throw LogQLException.syntax(phiAt, "quantile must be between 0 and 1, got " + phi);
            }
            expect(',');
        }
        skipSpace();
        if (peek() != '{') {
            throw LogQLException.syntax(pos, "expected a log query in " + fn.text());
        }
        LogExpr log = logExpr();
        skipSpace();
        int wAt = pos;
        expect('[');
        int close = text.indexOf(']', pos);
        if (close < 0) {
            throw LogQLException.syntax(wAt, "unterminated range");
        }
        long windowMs = duration(text.substring(pos, close).trim(), wAt);
        pos = close + 1;
        skipSpace();
        if (startsWithWord("offset")) {
            throw LogQLException.unsupported(pos, "offset");
        }
        expect(')');
        skipSpace();
        Grouping grouping = grouping();
        if (grouping != null && !fn.allowsGrouping()) {
            throw LogQLException.syntax(at, "grouping not allowed for " + fn.text() + " aggregation");
        }
        String unwrap = log.unwrap();
        if (fn.needsUnwrap() && unwrap == null) {
            throw LogQLException.syntax(at, "invalid aggregation " + fn.text() + " without unwrap");
        }
        if (fn == RangeFunction.COUNT_OVER_TIME && unwrap != null) {
            throw LogQLException.syntax(at, "invalid aggregation count_over_time with unwrap");
        }
        return new RangeAggregation(fn, phi, log, windowMs, grouping);
    }

    private Grouping grouping() {
        skipSpace();
        int at = pos;
        if (startsWithWord("without")) {
            throw LogQLException.unsupported(at, "without(...)");
        }
        if (!startsWithWord("by")) {
            return null;
        }
        pos += 2;
        expect('(');
        List<String> labels = new ArrayList<>();
        skipSpace();
        if (peek() != ')') {
            do {
                skipSpace();
                labels.add(labelName());
                skipSpace();
            } while (accept(','));
        }
        expect(')');
        return new Grouping(labels);
    }

    private LogExpr logExpr() {
        List<Matcher> selector = selector();
        List<Stage> stages = new ArrayList<>();
        boolean unwrap = false;
        boolean errorFiltered = false;
        while (true) {
            skipSpace();
            int at = pos;
            if (text.startsWith("|~", pos) || text.startsWith("!~", pos)) {
                boolean negated = text.charAt(pos) == '!';
                pos += 2;
                stages.add(new LineFilter(negated, true, checkedRegex(string(), false, at)));
            } else if (text.startsWith("|=", pos) || text.startsWith("!=", pos)) {
                boolean negated = text.charAt(pos) == '!';
                pos += 2;
                stages.add(new LineFilter(negated, false, string()));
            } else if (peek() == '|') {
                pos++;
                skipSpace();
                int wordAt = pos;
                if (startsWithWord("json")) {
                    pos += 4;
                    skipSpace();
                    if (peek() != '|' && peek() != '[' && peek() != ')' && peek() != '!' && !atEnd()) {
                        throw LogQLException.unsupported(wordAt, "json with parameters");
                    }
                    if (unwrap) {
                        throw LogQLException.syntax(wordAt, "json after unwrap");
                    }
                    stages.add(new JsonStage());
                } else if (startsWithWord("unwrap")) {
                    pos += 6;
                    skipSpace();
                    if (unwrap) {
                        throw LogQLException.syntax(wordAt, "unwrap given twice");
                    }
                    int fieldAt = pos;
                    String field = identifier("a field to unwrap");
                    skipSpace();
                    if (peek() == '(') {
                        throw LogQLException.unsupported(fieldAt, "unwrap conversion " + field + "()");
                    }
                    stages.add(new UnwrapStage(field));
                    unwrap = true;
                } else {
                    String word = peekIdentifier();
                    if (word != null && OTHER_STAGES.contains(word)) {
                        throw LogQLException.unsupported(wordAt, "the " + word + " stage");
                    }
                    LabelFilterStage stage = labelFilterStage();
                    if (isErrorFilter(stage)) {
                        if (!unwrap) {
                            throw LogQLException.unsupported(wordAt, "__error__ outside unwrap");
                        }
                        stages.add(new ErrorFilter());
                        errorFiltered = true;
                    } else {
                        if (unwrap) {
                            throw LogQLException.unsupported(wordAt, "a label filter after unwrap");
                        }
                        stages.add(stage);
                    }
                }
            } else {
                break;
            }
        }
        if (unwrap && !errorFiltered) {
            throw LogQLException.unsupported(pos, "unwrap without | __error__=\"\"");
        }
        return new LogExpr(selector, stages);
    }

    private static boolean isErrorFilter(LabelFilterStage stage) {
        if (stage.anyOf().size() != 1 || !(stage.anyOf().get(0) instanceof LabelMatch m)) {
            for (LabelPredicate p : stage.anyOf()) {
                if (p instanceof LabelMatch lm && lm.matcher().name().equals("__error__")) {
                    throw new LogQLException("__error__ may only be filtered on its own: | __error__=\"\"");
                }
            }
            return false;
        }
        if (!m.matcher().name().equals("__error__")) {
            return false;
        }
        if (m.matcher().op() != MatchOp.EQ || !m.matcher().value().isEmpty()) {
            throw new LogQLException("only | __error__=\"\" is supported for __error__");
        }
        return true;
    }

    private LabelFilterStage labelFilterStage() {
        List<LabelPredicate> anyOf = new ArrayList<>();
        do {
            skipSpace();
            anyOf.add(labelPredicate());
            skipSpace();
            if (startsWithWord("and") || peek() == ',') {
                throw LogQLException.unsupported(pos, "'and' inside a label filter stage (use two stages)");
            }
        } while (acceptWord("or"));
        return new LabelFilterStage(anyOf);
    }

    private LabelPredicate labelPredicate() {
        int at = pos;
        String name = labelName();
        skipSpace();
        int opAt = pos;
        MatchOp op = matchOp();
        if (op == null) {
            if (peek() == '>' || peek() == '<' || text.startsWith("==", pos)) {
                throw LogQLException.unsupported(opAt, "a numeric label filter");
            }
            throw LogQLException.syntax(opAt, "unexpected " + describeHere() + ", expected a label operator");
        }
        skipSpace();
        if (startsWithWord("ip")) {
            pos += 2;
            if (op.regex()) {
                throw LogQLException.syntax(opAt, "ip() needs = or !=");
            }
            expect('(');
            String spec = string();
            expect(')');
            IpRange.parse(spec, at);
            return new IpMatch(name, op.negated(), spec);
        }
        if (Character.isDigit(peek()) || peek() == '-') {
            throw LogQLException.unsupported(pos, "a numeric or duration label filter");
        }
        String value = string();
        if (op.regex()) {
            checkedRegex(value, true, at);
        }
        return new LabelMatch(new Matcher(name, op, value));
    }

    private List<Matcher> selector() {
        expect('{');
        List<Matcher> matchers = new ArrayList<>();
        skipSpace();
        if (peek() == '}') {
            throw LogQLException.syntax(pos, "queries require at least one regexp or equality matcher");
        }
        do {
            skipSpace();
            int at = pos;
            String name = labelName();
            skipSpace();
            MatchOp op = matchOp();
            if (op == null) {
                throw LogQLException.syntax(pos, "unexpected " + describeHere() + ", expected a label matcher");
            }
            skipSpace();
            String value = string();
            if (op.regex()) {
                checkedRegex(value, true, at);
            }
            matchers.add(new Matcher(name, op, value));
            skipSpace();
        } while (accept(','));
        expect('}');
        return matchers;
    }

    private MatchOp matchOp() {
        if (text.startsWith("=~", pos)) {
            pos += 2;
            return MatchOp.RE;
        }
        if (text.startsWith("!~", pos)) {
            pos += 2;
            return MatchOp.NRE;
        }
        if (text.startsWith("!=", pos)) {
            pos += 2;
            return MatchOp.NEQ;
        }
        if (text.startsWith("==", pos)) {
            return null;
        }
        if (peek() == '=') {
            pos++;
            return MatchOp.EQ;
        }
        return null;
    }

    // ---- tokens ------------------------------------------------------------------------------

    /** A Go-syntax double-quoted string (escapes decoded) or a backtick raw string. */
    private String string() {
        skipSpace();
        int at = pos;
        char q = peek();
        if (q == '`') {
            int end = text.indexOf('`', pos + 1);
            if (end < 0) {
                throw LogQLException.syntax(at, "unterminated raw string");
            }
            String s = text.substring(pos + 1, end);
            pos = end + 1;
            return s;
        }
        if (q != '"') {
            throw LogQLException.syntax(at, "unexpected " + describeHere() + ", expected a string");
        }
        StringBuilder sb = new StringBuilder();
        pos++;
        while (true) {
            if (atEnd()) {
                throw LogQLException.syntax(at, "unterminated string");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return sb.toString();
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (atEnd()) {
                throw LogQLException.syntax(at, "unterminated string");
            }
            char e = text.charAt(pos++);
            switch (e) {
                case '"', '\\', '\'' -> sb.append(e);
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'a' -> sb.append('\u0007');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'v' -> sb.append('\u000b');
                case 'u' -> sb.append(hex(4, at));
                case 'U' -> sb.appendCodePoint(Integer.parseInt(hexDigits(8, at), 16));
                case 'x' -> sb.append((char) Integer.parseInt(hexDigits(2, at), 16));
                default -> throw LogQLException.syntax(pos - 2, "invalid escape \\" + e + " in string");
            }
        }
    }

    private char hex(int n, int at) {
        return (char) Integer.parseInt(hexDigits(n, at), 16);
    }

    private String hexDigits(int n, int at) {
        if (pos + n > text.length()) {
            throw LogQLException.syntax(at, "invalid escape in string");
        }
        String h = text.substring(pos, pos + n);
        if (!h.matches("[0-9a-fA-F]+")) {
            throw LogQLException.syntax(at, "invalid escape in string");
        }
        pos += n;
        return h;
    }

    private double number() {
        skipSpace();
        int start = pos;
        if (peek() == '-' || peek() == '+') {
            pos++;
        }
        while (!atEnd() && (Character.isDigit(peek()) || peek() == '.' || peek() == 'e' || peek() == 'E')) {
            if ((peek() == 'e' || peek() == 'E')
                    && pos + 1 < text.length()
                    && (text.charAt(pos + 1) == '-' || text.charAt(pos + 1) == '+')) {
                pos++;
            }
            pos++;
        }
        String s = text.substring(start, pos);
        try {
            if (s.isEmpty() || s.equals("-") || s.equals("+")) {
                throw new NumberFormatException();
            }
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            pos = start;
            throw LogQLException.syntax(start, "unexpected " + describeHere() + ", expected a number");
        }
    }

    private String identifier(String what) {
        skipSpace();
        String id = peekIdentifier();
        if (id == null) {
            throw LogQLException.syntax(pos, "unexpected " + describeHere() + ", expected " + what);
        }
        pos += id.length();
        return id;
    }

    private String labelName() {
        String name = identifier("a label name");
        if (!LABEL_NAME.matcher(name).matches()) {
            throw LogQLException.syntax(pos - name.length(), "invalid label name " + name);
        }
        return name;
    }

    private String peekIdentifier() {
        int i = pos;
        if (i >= text.length() || !(Character.isLetter(text.charAt(i)) || text.charAt(i) == '_')) {
            return null;
        }
        while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
            i++;
        }
        return text.substring(pos, i);
    }

    private boolean startsWithWord(String word) {
        if (!text.startsWith(word, pos)) {
            return false;
        }
        int end = pos + word.length();
        return end >= text.length() || !(Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_');
    }

    private boolean acceptWord(String word) {
        skipSpace();
        if (startsWithWord(word)) {
            pos += word.length();
            return true;
        }
        return false;
    }

    private static long duration(String s, int at) {
        if (s.isEmpty()) {
            throw LogQLException.syntax(at, "empty range");
        }
        java.util.regex.Matcher m = DURATION_PART.matcher(s);
        long total = 0;
        int end = 0;
        while (m.lookingAt()) {
            double v = Double.parseDouble(m.group(1));
            long unit =
                    switch (m.group(2)) {
                        case "ms" -> 1L;
                        case "s" -> 1_000L;
                        case "m" -> 60_000L;
                        case "h" -> 3_600_000L;
                        case "d" -> 86_400_000L;
                        case "w" -> 7 * 86_400_000L;
                        default -> 365 * 86_400_000L;
                    };
            total += Math.round(v * unit);
            end = m.end();
            m.region(end, s.length());
        }
        if (end != s.length() || total <= 0) {
            throw LogQLException.syntax(at, "invalid duration " + s);
        }
        return total;
    }

    /** Checks a regex compiles; Java's engine stands in for RE2 on the patterns the plugin writes. */
    private static String checkedRegex(String re, boolean anchored, int at) {
        try {
            Pattern.compile(anchored ? "^(?:" + re + ")$" : re);
        } catch (PatternSyntaxException e) {
            throw LogQLException.syntax(at, "invalid regex " + re + ": " + e.getDescription());
        }
        return re;
    }

    private void expect(char c) {
        skipSpace();
        if (peek() != c) {
            throw LogQLException.syntax(pos, "unexpected " + describeHere() + ", expected '" + c + "'");
        }
        pos++;
    }

    private boolean accept(char c) {
        skipSpace();
        if (peek() == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void skipSpace() {
        while (!atEnd() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private boolean atEnd() {
        return pos >= text.length();
    }

    private char peek() {
        return atEnd() ? '\0' : text.charAt(pos);
    }

    private String describeHere() {
        if (atEnd()) {
            return "end of input";
        }
        int end = Math.min(text.length(), pos + 12);
        return "'" + text.substring(pos, end) + (end < text.length() ? "…'" : "'");
    }
}
