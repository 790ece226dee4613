package io.github.netobservch.parse;

import com.fasterxml.jackson.core.JsonToken;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * A strict JSON (RFC 8259) pull tokenizer over one message's bytes. Not thread-safe; one per {@link
 * FlowParser}, reused for every message.
 *
 * <p>Hand-rolled rather than Jackson's streaming parser, which the parser used until 2026-12: in the
 * job's source thread Jackson was ~28 % of the CPU (a parser, its buffers and symbol-table child per
 * message, every key canonicalised, every string scanned twice: once by Jackson, once by the parser
 * to read it from the input bytes). This one keeps token positions only: a string is scanned once
 * and read from the input, a number is converted while it is checked, a key is compared with the
 * expected key's bytes. The parser's results did not change ({@code ParserOutcomesTest}: outcomes of
 * 20,000 mutated messages and the hostile corpus under every raw policy, against those of the
 * Jackson-based parser; whether a message is one well-formed JSON document is checked live against
 * Jackson's parser).
 *
 * <p>What it accepts is what Jackson 2.18's defaults accept, with the parser's limits: whitespace
 * is space, tab, CR, LF; a UTF-8 byte-order mark at the start is skipped; no comments, single
 * quotes, unquoted keys, trailing commas, leading zeros, leading {@code +} or {@code .}, {@code NaN}
 * or {@code Infinity}; no control character inside a string; escapes {@code \" \\ \/ \b \f \n \r \t
 * \\uXXXX} only; a byte ≥ 0x80 only inside a string, as well-formed UTF-8 (so a document read to its
 * end is UTF-8: the parser checks the whole message only when it rejects it, to give {@link
 * DeadLetterReason#NOT_UTF8} precedence). After the root value only whitespace may follow. Limits,
 * each with Jackson's reason: nesting deeper than {@code maxDepth} ({@link
 * DeadLetterReason#NESTING_TOO_DEEP}), a number of more than {@value #MAX_NUMBER_LENGTH} digits
 * ({@link DeadLetterReason#OUT_OF_RANGE}), a key of more than {@value #MAX_NAME_BYTES} bytes ({@link
 * DeadLetterReason#OVERSIZED}). Every other fault is {@link DeadLetterReason#MALFORMED_JSON} with
 * the byte offset. One difference, on purpose: a message of exactly a byte-order mark is empty (for
 * Jackson 2.18, whose encoding detection wants 4 bytes, it is invalid UTF-8).
 *
 * <p>Faults are found in document order: {@link #next} throws at the first one, and {@link
 * #failed()} tells the caller that the exception came from here (the document is not JSON), not
 * from a field check.
 */
final class JsonCursor {

    /** Longest number, in digits (integer, fraction and exponent digits together), as the parser's Jackson factory had it. */
    static final int MAX_NUMBER_LENGTH = 64;
    /** Longest key in UTF-8 bytes: Jackson's default. */
    static final int MAX_NAME_BYTES = 50_000;

    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};
    /** Any integer of at most this many digits fits a long (one of 19 may not). */
    private static final int SAFE_DIGITS = 18;

    private final int maxDepth;
    /** Per open container (index = depth, 1-based): whether it is an object. */
    private final boolean[] inObject;

    private byte[] in;
    private int pos;
    private int depth;
    /** At the current depth: a value was read, so a comma or the end of the container comes next. */
    private boolean afterValue;
    /** A key was read: its value comes next. */
    private boolean expectValue;

    private JsonToken token;
    /** The current token's first byte (the opening quote of a string or key). */
    private int start;
    /** Just past the current token (past the closing quote of a string; a key's ':' is not part of it). */
    private int end;
    /** String or key: whether it has an escape. */
    private boolean escaped;
    /** String or key: whether it has a byte ≥ 0x80. */
    private boolean nonAscii;
    /** Integer: whether it is outside the range of a long. */
    private boolean big;

    private long longValue;
    /** Numbers read since {@link #reset} that ClickHouse's JSON functions cannot read (see {@link #unreadableNumbers}). */
    private int unreadable;

    private boolean failed;
    /** The current key is the one {@link #next(byte[])} expected. */
    private boolean matched;

    private char[] chars = new char[64];

    JsonCursor(int maxDepth) {
        this.maxDepth = maxDepth;
        this.inObject = new boolean[maxDepth + 2];
    }

    /** Starts reading {@code message} (valid UTF-8), skipping a UTF-8 byte-order mark. */
    void reset(byte[] message) {
        in = message;
        pos = message.length >= 3 && message[0] == (byte) 0xEF && message[1] == (byte) 0xBB && message[2] == (byte) 0xBF
                ? 3
                : 0;
        depth = 0;
        afterValue = false;
        expectValue = false;
        token = null;
        failed = false;
        unreadable = 0;
    }

    /** Drops the reference to the message. */
    void release() {
        in = null;
    }

    /** Whether the last exception came from here: the message is not one well-formed JSON document within the limits. */
    boolean failed() {
        return failed;
    }

    /**
     * The next token: {@code START_OBJECT}, {@code END_OBJECT}, {@code START_ARRAY}, {@code
     * END_ARRAY}, {@code FIELD_NAME} (its {@code ':'} read too), a value, or {@code null} at the end
     * of the input after the root value (or of an input that is only whitespace).
     */
    JsonToken next() throws FlowParseException {
        return next(null);
    }

    /**
     * {@link #next()}, where a key is first compared with {@code expectedKey} (bytes of a key without
     * quotes, backslashes or control characters): if it is that key, it is taken without being
     * scanned ({@link #matched()}).
     */
    JsonToken next(byte[] expectedKey) throws FlowParseException {
        int b = skipWhitespace();
        if (depth == 0) {
            if (afterValue) {
                if (b >= 0) {
                    throw fault(DeadLetterReason.MALFORMED_JSON, "trailing content after the JSON value");
                }
                return token = null;
            }
            if (b < 0) {
                return token = null;
            }
            return value(b);
        }
        if (expectValue) {
            if (b < 0) {
                throw endOfInput();
            }
            expectValue = false;
            return value(b);
        }
        boolean object = inObject[depth];
        if (b == (object ? '}' : ']')) {
            start = pos;
            end = ++pos;
            depth--;
            afterValue = true;
            return token = object ? JsonToken.END_OBJECT : JsonToken.END_ARRAY;
        }
        if (afterValue) {
            if (b != ',') {
                throw b < 0
                        ? endOfInput()
                        : unexpected(b, "was expecting a comma or the end of the " + (object ? "object" : "array"));
            }
            pos++;
            b = skipWhitespace();
        }
        if (b < 0) {
            throw endOfInput();
        }
        if (!object) {
            return value(b);
        }
        if (b != '"') {
            throw unexpected(b, "was expecting a double-quoted key");
        }
        matched = expectedKey != null && isKeyAt(expectedKey, pos);
        if (matched) {
            start = pos;
            end = pos = pos + expectedKey.length + 2;
            escaped = false;
            nonAscii = false;
        } else {
            string();
        }
        if (end - start - 2 > MAX_NAME_BYTES && nameBytes() > MAX_NAME_BYTES) {
            throw fault(DeadLetterReason.OVERSIZED, "key of " + nameBytes() + " bytes > limit " + MAX_NAME_BYTES);
        }
        int colon = skipWhitespace();
        if (colon != ':') {
            throw colon < 0 ? endOfInput() : unexpected(colon, "was expecting a colon after the key");
        }
        pos++;
        expectValue = true;
        return token = JsonToken.FIELD_NAME;
    }

    /** Skips the current container (if the current token starts one) to its end, checking it. */
    void skipChildren() throws FlowParseException {
        if (token != JsonToken.START_OBJECT && token != JsonToken.START_ARRAY) {
            return;
        }
        int target = depth - 1;
        while (depth > target) {
            next();
        }
    }

    /** Reads (and checks) everything up to the end of the input. */
    void skipToEnd() throws FlowParseException {
        while (depth > 0 || !afterValue) {
            if (next() == null) {
                return;
            }
        }
        next(); // the end of the input, or trailing content
    }

    JsonToken token() {
        return token;
    }

    /** Open containers around the position (the root object's keys and values are at depth 1). */
    int depth() {
        return depth;
    }

    /** Offset of the current token's first byte. */
    int start() {
        return start;
    }

    /** Offset just past the current token (a string's closing quote, a number's last digit, a container's end after {@link #skipChildren}). */
    int end() {
        return end;
    }

    /** String or key: whether its content is its text as is (ASCII, no escapes). */
    boolean plain() {
        return !escaped && !nonAscii;
    }

    /** String or key: offset of the content (past the opening quote). */
    int contentStart() {
        return start + 1;
    }

    /** String or key: length of the content in bytes (before the closing quote). */
    int contentLength() {
        return end - start - 2;
    }

    byte[] input() {
        return in;
    }

    /** Whether the current key is the one {@link #next(byte[])} expected. */
    boolean matched() {
        return matched;
    }

    /** Whether the current key's bytes (as written, without escapes) are {@code name}'s. */
    boolean nameIs(byte[] name) {
        return end - start - 2 == name.length && !escaped && Utf8.sameBytes(in, start + 1, name, name.length);
    }

    /** Whether {@code "key"} is written at {@code at}. */
    private boolean isKeyAt(byte[] key, int at) {
        int close = at + 1 + key.length;
        return close < in.length && in[close] == '"' && Utf8.sameBytes(in, at + 1, key, key.length);
    }

    /**
     * The current string or key decoded into {@link #chars()} (escapes resolved, UTF-8 decoded to
     * UTF-16; an escaped lone surrogate stays a lone surrogate, as Jackson decodes it); returns the
     * length.
     */
    int decode() {
        int from = start + 1;
        int to = end - 1;
        if (chars.length < to - from) {
            chars = new char[Math.max(to - from, chars.length * 2)];
        }
        char[] out = chars;
        int n = 0;
        int i = from;
        while (i < to) {
            int b = in[i];
            if (b == '\\') {
                byte e = in[i + 1];
                i += 2;
                switch (e) {
                    case 'b':
                        out[n++] = '\b';
                        break;
                    case 'f':
                        out[n++] = '\f';
                        break;
                    case 'n':
                        out[n++] = '\n';
                        break;
                    case 'r':
                        out[n++] = '\r';
                        break;
                    case 't':
                        out[n++] = '\t';
                        break;
                    case 'u':
                        out[n++] = (char)
                                ((hex(in[i]) << 12) | (hex(in[i + 1]) << 8) | (hex(in[i + 2]) << 4) | hex(in[i + 3]));
                        i += 4;
                        break;
                    default: // '"', '\\', '/'
                        out[n++] = (char) e;
                }
            } else if (b >= 0) {
                out[n++] = (char) b;
                i++;
            } else if ((b & 0xE0) == 0xC0) {
                out[n++] = (char) (((b & 0x1F) << 6) | (in[i + 1] & 0x3F));
                i += 2;
            } else if ((b & 0xF0) == 0xE0) {
                out[n++] = (char) (((b & 0x0F) << 12) | ((in[i + 1] & 0x3F) << 6) | (in[i + 2] & 0x3F));
                i += 3;
            } else {
                int cp = ((b & 0x07) << 18)
                        | ((in[i + 1] & 0x3F) << 12)
                        | ((in[i + 2] & 0x3F) << 6)
                        | (in[i + 3] & 0x3F);
                out[n++] = Character.highSurrogate(cp);
                out[n++] = Character.lowSurrogate(cp);
                i += 4;
            }
        }
        return n;
    }

    /** The buffer {@link #decode} fills. */
    char[] chars() {
        return chars;
    }

    /** The current string or key as a {@code String}. */
    String text() {
        if (token == JsonToken.VALUE_STRING || token == JsonToken.FIELD_NAME) {
            if (plain()) {
                return new String(in, start + 1, end - start - 2, StandardCharsets.ISO_8859_1);
            }
            return new String(chars, 0, decode());
        }
        return new String(in, start, end - start, StandardCharsets.ISO_8859_1); // numbers and literals: as written
    }

    /**
     * How many numbers read since {@link #reset} ClickHouse's JSON functions cannot read: an integer
     * outside [0, 2^64) beyond the range of a long, or a fraction beyond a double's range. The parser
     * keeps a record whole rather than put such a number in its residue.
     */
    int unreadableNumbers() {
        return unreadable;
    }

    /** Integer: whether it lies outside the range of a long ({@link #bigValue} then). */
    boolean big() {
        return big;
    }

    /** Integer within the range of a long. */
    long longValue() {
        return longValue;
    }

    BigInteger bigValue() {
        return new BigInteger(new String(in, start, end - start, StandardCharsets.ISO_8859_1));
    }

    /** Fractional number (or integer) as a double, as {@link Double#parseDouble} reads it. */
    double doubleValue() {
        return Double.parseDouble(new String(in, start, end - start, StandardCharsets.ISO_8859_1));
    }

    // ------------------------------------------------------------------ reading

    private JsonToken value(int b) throws FlowParseException {
        start = pos;
        switch (b) {
            case '"':
                string();
                afterValue = true;
                return token = JsonToken.VALUE_STRING;
            case '{':
            case '[':
                if (depth + 1 > maxDepth) {
                    throw fault(
                            DeadLetterReason.NESTING_TOO_DEEP,
                            "nesting depth " + (depth + 1) + " exceeds the maximum allowed (" + maxDepth + ")");
                }
                end = ++pos;
                depth++;
                inObject[depth] = b == '{';
                afterValue = false;
                return token = b == '{' ? JsonToken.START_OBJECT : JsonToken.START_ARRAY;
            case 't':
                literal(TRUE);
                return token = JsonToken.VALUE_TRUE;
            case 'f':
                literal(FALSE);
                return token = JsonToken.VALUE_FALSE;
            case 'n':
                literal(NULL);
                return token = JsonToken.VALUE_NULL;
            default:
                if (b == '-' || (b >= '0' && b <= '9')) {
                    return token = number();
                }
                throw unexpected(b, "was expecting a JSON value");
        }
    }

    private void literal(byte[] word) throws FlowParseException {
        if (pos + word.length > in.length
                || !java.util.Arrays.equals(in, pos, pos + word.length, word, 0, word.length)) {
            throw fault(DeadLetterReason.MALFORMED_JSON, "unrecognized token at offset " + pos);
        }
        pos += word.length;
        end = pos;
        afterValue = true;
    }

    /** Scans the string or key at {@link #pos} (an opening quote): sets {@link #start}, {@link #end}, the flags. */
    private void string() throws FlowParseException {
        start = pos;
        escaped = false;
        nonAscii = false;
        int close = Utf8.plainStringEnd(in, pos + 1);
        if (close >= 0) {
            end = pos = close + 1;
            return;
        }
        byte[] b = in;
        int i = pos + 1;
        while (true) {
            if (i >= b.length) {
                throw fault(DeadLetterReason.MALFORMED_JSON, "unterminated string starting at offset " + start);
            }
            int c = b[i];
            if (c == '"') {
                break;
            }
            if (c == '\\') {
                escaped = true;
                if (i + 1 >= b.length) {
                    throw fault(DeadLetterReason.MALFORMED_JSON, "unterminated string starting at offset " + start);
                }
                switch (b[i + 1]) {
                    case '"':
                    case '\\':
                    case '/':
                    case 'b':
                    case 'f':
                    case 'n':
                    case 'r':
                    case 't':
                        i += 2;
                        break;
                    case 'u':
                        for (int k = 2; k < 6; k++) {
                            if (i + k >= b.length || hex(b[i + k]) < 0) {
                                throw fault(DeadLetterReason.MALFORMED_JSON, "invalid \\u escape at offset " + i);
                            }
                        }
                        i += 6;
                        break;
                    default:
                        throw fault(DeadLetterReason.MALFORMED_JSON, "invalid escape at offset " + i);
                }
            } else if (c < 0) {
                nonAscii = true;
                i++;
            } else if (c < 0x20) {
                throw fault(
                        DeadLetterReason.MALFORMED_JSON,
                        "control character 0x" + Integer.toHexString(c) + " in a string at offset " + i
                                + " (must be escaped)");
            } else {
                i++;
            }
        }
        if (nonAscii && !Utf8.isValid(b, start + 1, i - start - 1)) {
            throw fault(DeadLetterReason.NOT_UTF8, "a string that is not well-formed UTF-8 at offset " + start);
        }
        end = pos = i + 1;
    }

    /** The key's length in UTF-8 bytes once unescaped (an escaped character counts its own UTF-8 length, as Jackson counts it). */
    private int nameBytes() {
        if (!escaped) {
            return end - start - 2;
        }
        int n = 0;
        int len = decode();
        for (int i = 0; i < len; i++) {
            char c = chars[i];
            n += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        }
        return n;
    }

    private JsonToken number() throws FlowParseException {
        byte[] b = in;
        int i = pos;
        boolean negative = b[i] == '-';
        if (negative) {
            i++;
        }
        int intStart = i;
        if (i >= b.length || b[i] < '0' || b[i] > '9') {
            throw fault(DeadLetterReason.MALFORMED_JSON, "a '-' not followed by a digit at offset " + pos);
        }
        if (b[i] == '0' && i + 1 < b.length && b[i + 1] >= '0' && b[i + 1] <= '9') {
            throw fault(DeadLetterReason.MALFORMED_JSON, "leading zeroes are not allowed at offset " + i);
        }
        long v = 0;
        while (i < b.length && b[i] >= '0' && b[i] <= '9') {
            v = v * 10 + (b[i] - '0');
            i++;
        }
        int intLen = i - intStart;
        int fractLen = 0;
        int expLen = 0;
        boolean fraction = false;
        if (i < b.length && b[i] == '.') {
            fraction = true;
            int f = ++i;
            while (i < b.length && b[i] >= '0' && b[i] <= '9') {
                i++;
            }
            fractLen = i - f;
            if (fractLen == 0) {
                throw fault(DeadLetterReason.MALFORMED_JSON, "decimal point not followed by a digit at offset " + f);
            }
        }
        if (i < b.length && (b[i] == 'e' || b[i] == 'E')) {
            fraction = true;
            i++;
            if (i < b.length && (b[i] == '+' || b[i] == '-')) {
                i++;
            }
            int e = i;
            while (i < b.length && b[i] >= '0' && b[i] <= '9') {
                i++;
            }
            expLen = i - e;
            if (expLen == 0) {
                throw fault(DeadLetterReason.MALFORMED_JSON, "exponent not followed by a digit at offset " + e);
            }
        }
        end = pos = i;
        afterValue = true;
        if (depth == 0 && i < b.length && !isWhitespace(b[i])) {
            // Jackson checks the space after a root number before its length
            throw unexpected(b[i], "was expecting whitespace after the root value");
        }
        int length = intLen + fractLen + expLen;
        if (length > MAX_NUMBER_LENGTH) {
            throw fault(
                    DeadLetterReason.OUT_OF_RANGE,
                    "number of " + length + " digits exceeds the maximum allowed (" + MAX_NUMBER_LENGTH + ")");
        }
        if (fraction) {
            if (!Double.isFinite(doubleValue())) {
                unreadable++;
            }
            return JsonToken.VALUE_NUMBER_FLOAT;
        }
        if (intLen <= SAFE_DIGITS) {
            big = false;
            longValue = negative ? -v : v;
        } else {
            BigInteger value = bigValue();
            big = value.bitLength() > 63;
            longValue = value.longValue();
            if (big && (value.bitLength() > 64 || value.signum() <= 0)) {
                unreadable++;
            }
        }
        return JsonToken.VALUE_NUMBER_INT;
    }

    /** The next non-whitespace byte (unsigned) at {@link #pos}, not consumed; -1 at the end of the input. */
    private int skipWhitespace() {
        byte[] b = in;
        int i = pos;
        while (i < b.length) {
            byte c = b[i];
            if (c > ' ' || !isWhitespace(c)) {
                pos = i;
                return c & 0xFF;
            }
            i++;
        }
        pos = i;
        return -1;
    }

    private static boolean isWhitespace(byte c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }

    /** A hex digit's value, -1 for any other byte (no Unicode digit lies in 0x00–0xFF besides ASCII's). */
    private static int hex(byte c) {
        return Character.digit((char) (c & 0xFF), 16);
    }

    private FlowParseException endOfInput() {
        return fault(DeadLetterReason.MALFORMED_JSON, "unexpected end of input (inside " + depth + " open containers)");
    }

    private FlowParseException unexpected(int b, String expected) {
        String shown = b >= 0x20 && b < 0x7F ? "'" + (char) b + "'" : String.format("0x%02x", b & 0xFF);
        return fault(
                DeadLetterReason.MALFORMED_JSON,
                "unexpected character " + shown + " at offset " + pos + ": " + expected);
    }

    private FlowParseException fault(DeadLetterReason reason, String message) {
        failed = true;
        return new FlowParseException(reason, null, message);
    }
}
