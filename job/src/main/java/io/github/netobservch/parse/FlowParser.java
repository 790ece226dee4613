package io.github.netobservch.parse;

import io.github.netobservch.format.Column;
import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.format.IpAddresses;
import io.github.netobservch.format.LegacyField;
import io.github.netobservch.format.TcpFlags;
import io.github.netobservch.format.ValueKind;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.base.ParserBase;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.SerializedString;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Bytes → {@link FlowRecord}, strictly, with Jackson's streaming parser (no tree, no databind).
 * Not thread-safe: one instance per operator subtask.
 *
 * <p>Order of checks: empty → oversized → UTF-8 → JSON syntax, root type and depth → per field:
 * duplicate, JSON type, range, IP/MAC syntax → required fields → {@code end ≥ start}. The first
 * failure wins and becomes the dead-letter reason.
 *
 * <p>Decisions: unknown keys are not errors (skipped, kept in {@code raw}); JSON {@code null} is
 * treated as absent for every field ({@code Flags: null} is an empty flag set); an empty string in
 * an optional IP or MAC field is absent; duplicate keys are rejected; integers must be JSON
 * integers (no fractions, exponents or quoted numbers); NaN/Infinity are not JSON.
 *
 * <p>Normalisation (see {@link ColumnRegistry} and {@link LegacyField}): legacy {@code
 * Interface}/{@code IfDirection}/{@code FlowDirections} fill the current arrays when those are
 * absent; numeric {@code Flags} are decoded to names; MACs are lower-cased; a missing {@code
 * _RecordType} becomes {@code flowLog}; {@code tcp_flags_mask} is set whenever {@code Flags} is.
 *
 * <p>Speed (~1 KB records, one thread): each key is first matched against the key that followed
 * the previous one last time ({@link #predictedNext}), and plain-ASCII strings are read from the
 * input bytes instead of being decoded by Jackson ({@link #text}). Neither changes a result or a
 * check: a wrong guess or any other string takes the general path.
 */
public final class FlowParser {

    static final String RECORD_TYPE_FLOW_LOG = "flowLog";

    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final Column[] REQUIRED = ColumnRegistry.columns().stream().filter(Column::required).toArray(Column[]::new);
    /** JSON key of each column (by column index) in the form Jackson matches against the input bytes. */
    private static final SerializableString[] KEYS = new SerializableString[ColumnRegistry.size()];
    /** {@link #predictedNext} slot for "at the start of the object"; slot {@code i + 1} is "after column i's key". */
    private static final int AT_START = 0;
    private static final int AFTER_OTHER_KEY = ColumnRegistry.size() + 1;

    static {
        for (Column c : ColumnRegistry.columns()) {
            if (c.jsonName() != null) {
                KEYS[c.index()] = new SerializedString(c.jsonName());
                KEYS[c.index()].asQuotedUTF8(); // computed once here, not on the first record
            }
        }
    }

    private final ParserConfig config;
    private final JsonFactory factory;
    private final Map<String, Column> jsonIndex;
    private final StringCache strings = new StringCache(4096);
    private final long[] ip = new long[2];
    private final List<String> stringList = new ArrayList<>(8);
    /**
     * Key-order prediction: the column whose key followed the slot's key last time, or {@code null}.
     * NetObserv's producers (Go maps) write keys in sorted order, so a record's keys mostly follow each
     * other as in the previous record; a correct guess lets Jackson match the key's bytes directly
     * instead of hashing, canonicalising and looking up the name. Only speed depends on it.
     */
    private final Column[] predictedNext = new Column[ColumnRegistry.size() + 2];
    /** The message being parsed (strings are read from it directly, see {@link #text}). */
    private byte[] input;
    /** Set by {@link #loadShortText}. */
    private char[] textChars;
    private int textOffset;
    private int textLength;
    private final char[] shortText = new char[64];

    public FlowParser(ParserConfig config) {
        this.config = config;
        this.factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(config.maxNestingDepth())
                        .maxNumberLength(64)
                        .build())
                .build();
        this.factory.disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
        this.jsonIndex = new HashMap<>(ColumnRegistry.jsonIndex());
    }

    public ParserConfig config() {
        return config;
    }

    /** Parses a Kafka message; the record carries the message's Kafka coordinates. */
    public FlowRecord parse(KafkaMessage message) throws FlowParseException {
        FlowRecord r = parse(message.value);
        if (message.topic != null) {
            r.setString(ColumnRegistry.KAFKA_TOPIC, message.topic);
        }
        r.setLong(ColumnRegistry.KAFKA_PARTITION, message.partition);
        r.setLong(ColumnRegistry.KAFKA_OFFSET, message.offset);
        r.setLong(ColumnRegistry.KAFKA_TIMESTAMP, Math.max(0L, message.timestamp));
        return r;
    }

    /** Parses one message value (without Kafka coordinates). */
    public FlowRecord parse(byte[] value) throws FlowParseException {
        if (value == null || value.length == 0) {
            throw new FlowParseException(DeadLetterReason.EMPTY, null, value == null ? "null value (tombstone)" : "zero-length value");
        }
        if (value.length > config.maxMessageBytes()) {
            throw new FlowParseException(DeadLetterReason.OVERSIZED, null, value.length + " bytes > limit " + config.maxMessageBytes());
        }
        if (!Utf8.isValid(value, 0, value.length)) {
            throw new FlowParseException(DeadLetterReason.NOT_UTF8, null, "value is not well-formed UTF-8");
        }
        if (startsWithNul(value)) {
            // Valid UTF-8, but Jackson would detect UTF-16/UTF-32 from the zero bytes and decode it as such;
            // a NUL byte is never valid in UTF-8 JSON text.
            throw new FlowParseException(DeadLetterReason.MALFORMED_JSON, null, "NUL byte at the start (UTF-16/UTF-32 text?)");
        }
        FlowRecord r = new FlowRecord();
        input = value;
        try (JsonParser p = factory.createParser(value)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new FlowParseException(DeadLetterReason.EMPTY, null, "whitespace-only value");
            }
            if (t != JsonToken.START_OBJECT) {
                // make sure it is valid JSON before calling it "not an object"
                p.skipChildren();
                if (p.nextToken() != null) {
                    throw new FlowParseException(DeadLetterReason.MALFORMED_JSON, null, "trailing content after the JSON value");
                }
                throw new FlowParseException(DeadLetterReason.NOT_AN_OBJECT, null, "root is " + describe(t) + ", not an object");
            }
            readObject(p, r);
            if (p.nextToken() != null) {
                throw new FlowParseException(DeadLetterReason.MALFORMED_JSON, null, "trailing content after the JSON object");
            }
        } catch (StreamConstraintsException e) {
            String m = String.valueOf(e.getOriginalMessage());
            if (m.contains("depth")) {
                throw new FlowParseException(DeadLetterReason.NESTING_TOO_DEEP, null, m);
            }
            if (m.contains("Number")) {
                throw new FlowParseException(DeadLetterReason.OUT_OF_RANGE, null, m);
            }
            throw new FlowParseException(DeadLetterReason.OVERSIZED, null, m);
        } catch (JsonParseException e) {
            throw new FlowParseException(DeadLetterReason.MALFORMED_JSON, null, e.getOriginalMessage());
        } catch (IOException e) {
            throw new FlowParseException(DeadLetterReason.MALFORMED_JSON, null, String.valueOf(e.getMessage()));
        } finally {
            input = null;
        }
        for (Column c : REQUIRED) {
            if (!r.has(c)) {
                throw new FlowParseException(DeadLetterReason.MISSING_FIELD, c.jsonName(), "required field " + c.jsonName() + " is missing");
            }
        }
        long start = r.getLong(ColumnRegistry.TIME_FLOW_START_MS);
        long end = r.getLong(ColumnRegistry.TIME_FLOW_END_MS);
        if (end < start) {
            throw new FlowParseException(DeadLetterReason.END_BEFORE_START, "TimeFlowEndMs", "TimeFlowEndMs " + end + " < TimeFlowStartMs " + start);
        }
        if (!r.has(ColumnRegistry.RECORD_TYPE)) {
            r.setString(ColumnRegistry.RECORD_TYPE, RECORD_TYPE_FLOW_LOG);
        }
        if (r.has(ColumnRegistry.FLAGS)) {
            r.setLong(ColumnRegistry.TCP_FLAGS_MASK, TcpFlags.mask(r.getStrings(ColumnRegistry.FLAGS)));
        }
        if (config.keepRaw()) {
            r.setBytes(ColumnRegistry.RAW, value);
        }
        return r;
    }

    private void readObject(JsonParser p, FlowRecord r) throws IOException, FlowParseException {
        Set<String> unknownSeen = null;
        String[] legacyInterface = null;
        byte[] legacyIfDirection = null;
        byte[] legacyFlowDirections = null;
        int slot = AT_START;
        while (true) {
            String name;
            Column c = predictedNext[slot];
            if (c != null && p.nextFieldName(KEYS[c.index()])) {
                name = c.jsonName();
            } else {
                // no guess, or a wrong one: then Jackson has read the key (or the end of the object) normally
                name = c == null ? p.nextFieldName() : p.currentToken() == JsonToken.FIELD_NAME ? p.currentName() : null;
                if (name == null) {
                    break;
                }
                c = jsonIndex.get(name);
                predictedNext[slot] = c;
            }
            slot = c == null ? AFTER_OTHER_KEY : c.index() + 1;
            JsonToken t = p.nextToken();
            if (c == null) {
                LegacyField legacy = LegacyField.of(name);
                if (legacy == null) {
                    if (unknownSeen == null) {
                        unknownSeen = new HashSet<>();
                    }
                    if (!unknownSeen.add(name)) {
                        throw duplicate(name);
                    }
                    p.skipChildren();
                    continue;
                }
                if (t == JsonToken.VALUE_NULL) {
                    continue;
                }
                switch (legacy) {
                    case INTERFACE:
                        if (legacyInterface != null) {
                            throw duplicate(name);
                        }
                        expect(t, JsonToken.VALUE_STRING, name, "a string");
                        legacyInterface = new String[] {text(p)};
                        break;
                    case IF_DIRECTION:
                        if (legacyIfDirection != null) {
                            throw duplicate(name);
                        }
                        expect(t, JsonToken.VALUE_NUMBER_INT, name, "an integer");
                        legacyIfDirection = new byte[] {(byte) integer(p, name, ValueKind.UINT8, 0xFF)};
                        break;
                    case FLOW_DIRECTIONS:
                        if (legacyFlowDirections != null) {
                            throw duplicate(name);
                        }
                        legacyFlowDirections = uint8Array(p, t, name);
                        break;
                    default:
                        throw new IllegalStateException(legacy.name());
                }
                continue;
            }
            if (r.has(c)) {
                throw duplicate(name);
            }
            if (t == JsonToken.VALUE_NULL) {
                if (c.kind() == ValueKind.TCP_FLAGS) {
                    r.setStrings(c, TcpFlags.decode(0)); // FLP writes null when the bitmask is 0
                }
                continue;
            }
            readValue(p, t, c, r);
        }
        if (!r.has(ColumnRegistry.INTERFACES) && legacyInterface != null) {
            r.setStrings(ColumnRegistry.INTERFACES, legacyInterface);
        }
        if (!r.has(ColumnRegistry.IF_DIRECTIONS)) {
            if (legacyIfDirection != null) {
                r.setBytes(ColumnRegistry.IF_DIRECTIONS, legacyIfDirection);
            } else if (legacyFlowDirections != null) {
                r.setBytes(ColumnRegistry.IF_DIRECTIONS, legacyFlowDirections);
            }
        }
    }

    private void readValue(JsonParser p, JsonToken t, Column c, FlowRecord r) throws IOException, FlowParseException {
        String name = c.jsonName();
        switch (c.kind()) {
            case UINT8:
            case UINT16:
            case UINT32:
            case UINT64:
            case INT32:
            case INT64:
            case TIMESTAMP_MS:
            case TIMESTAMP_S:
                expect(t, JsonToken.VALUE_NUMBER_INT, name, "an integer");
                r.setLong(c, integer(p, name, c.kind(), c.max()));
                return;
            case BOOL:
                if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
                    throw wrongType(name, t, "a boolean");
                }
                r.setBool(c, t == JsonToken.VALUE_TRUE);
                return;
            case STRING:
            case LOW_CARDINALITY_STRING:
                expect(t, JsonToken.VALUE_STRING, name, "a string");
                r.setString(c, text(p));
                return;
            case IP:
                expect(t, JsonToken.VALUE_STRING, name, "an IP address string");
                loadShortText(p);
                if (textLength == 0 && !c.required()) {
                    return; // "" = absent
                }
                if (!IpAddresses.parse(textChars, textOffset, textLength, ip)) {
                    throw new FlowParseException(DeadLetterReason.INVALID_IP, name, name + ": not an IPv4/IPv6 address: '" + abbreviate(p.getText()) + "'");
                }
                r.setIp(c, ip[0], ip[1]);
                return;
            case MAC:
                expect(t, JsonToken.VALUE_STRING, name, "a MAC address string");
                loadShortText(p);
                if (textLength == 0) {
                    return; // "" = absent
                }
                r.setString(c, mac(p, name));
                return;
            case STRING_ARRAY:
            case LOW_CARDINALITY_STRING_ARRAY:
                r.setStrings(c, stringArray(p, t, name));
                return;
            case UINT8_ARRAY:
                r.setBytes(c, uint8Array(p, t, name));
                return;
            case TCP_FLAGS:
                if (t == JsonToken.VALUE_NUMBER_INT) {
                    r.setStrings(c, TcpFlags.decode((int) integer(p, name, ValueKind.UINT16, c.max())));
                    return;
                }
                r.setStrings(c, stringArray(p, t, name));
                return;
            case NETWORK_EVENTS:
                r.setEvents(c, events(p, t, name));
                return;
            default:
                throw new IllegalStateException("kind " + c.kind() + " is not parsed from JSON (" + name + ")");
        }
    }

    private long integer(JsonParser p, String name, ValueKind kind, long max) throws IOException, FlowParseException {
        JsonParser.NumberType nt = p.getNumberType();
        if (nt == JsonParser.NumberType.BIG_INTEGER) {
            BigInteger b = p.getBigIntegerValue();
            if (kind == ValueKind.UINT64 && b.signum() > 0 && b.compareTo(UINT64_MAX) <= 0) {
                return b.longValue(); // stored as the unsigned bit pattern
            }
            throw new FlowParseException(DeadLetterReason.OUT_OF_RANGE, name, name + "=" + abbreviate(b.toString()) + " is out of range for " + kind);
        }
        long v = p.getLongValue();
        boolean ok;
        if (kind == ValueKind.UINT64) {
            ok = v >= 0; // above 2^63-1 arrives as BIG_INTEGER
        } else {
            ok = v >= kind.min() && v <= max;
        }
        if (!ok) {
            throw new FlowParseException(DeadLetterReason.OUT_OF_RANGE, name, name + "=" + v + " is out of range for " + kind + (max != kind.max() ? " (max " + max + ")" : ""));
        }
        return v;
    }

    /** The current VALUE_STRING token's text, through {@link #strings}. */
    private String text(JsonParser p) throws IOException {
        // Most values are plain ASCII: those are looked up by their input bytes, without Jackson
        // decoding them into chars first (it then only skips them).
        int from = stringStart(p);
        int end = from < 0 ? -1 : Utf8.plainStringEnd(input, from);
        if (end >= 0) {
            return strings.ascii(input, from, end - from);
        }
        return strings.get(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
    }

    /**
     * Points {@link #textChars}/{@link #textOffset}/{@link #textLength} at the current VALUE_STRING
     * token's text: for short plain ASCII (addresses) a copy of the input bytes, which is cheaper than
     * Jackson's decoding; otherwise Jackson's decoded chars.
     */
    private void loadShortText(JsonParser p) throws IOException {
        int from = stringStart(p);
        int end = from < 0 ? -1 : Utf8.plainStringEnd(input, from);
        if (end >= 0 && end - from <= shortText.length) {
            for (int i = from; i < end; i++) {
                shortText[i - from] = (char) input[i];
            }
            textChars = shortText;
            textOffset = 0;
            textLength = end - from;
        } else {
            textChars = p.getTextCharacters();
            textOffset = p.getTextOffset();
            textLength = p.getTextLength();
        }
    }

    /** Where the current VALUE_STRING token's content starts in {@link #input}, or -1 if unknown. */
    private int stringStart(JsonParser p) {
        if (p instanceof ParserBase) {
            // Jackson's byte-array parser puts a string token's offset just past its opening quote
            long at = ((ParserBase) p).getTokenCharacterOffset();
            if (at > 0 && at < input.length && input[(int) at - 1] == '"') {
                return (int) at;
            }
        }
        return -1;
    }

    /** The current string (after {@link #loadShortText}) as a lower-case MAC address. */
    private String mac(JsonParser p, String name) throws IOException, FlowParseException {
        char[] buf = textChars;
        int off = textOffset;
        int len = textLength;
        boolean upper = false;
        boolean ok = len == 17;
        for (int i = 0; ok && i < 17; i++) {
            char ch = buf[off + i];
            if (i % 3 == 2) {
                ok = ch == ':';
            } else if (ch >= 'A' && ch <= 'F') {
                upper = true;
            } else {
                ok = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
            }
        }
        if (!ok) {
            throw new FlowParseException(DeadLetterReason.INVALID_MAC, name, name + ": not a MAC address: '" + abbreviate(p.getText()) + "'");
        }
        if (!upper) {
            return strings.get(buf, off, len);
        }
        char[] lower = new char[17];
        for (int i = 0; i < 17; i++) {
            char ch = buf[off + i];
            lower[i] = ch >= 'A' && ch <= 'F' ? (char) (ch + ('a' - 'A')) : ch;
        }
        return strings.get(lower, 0, 17);
    }

    private String[] stringArray(JsonParser p, JsonToken t, String name) throws IOException, FlowParseException {
        expect(t, JsonToken.START_ARRAY, name, "an array of strings");
        stringList.clear();
        JsonToken e;
        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
            if (e != JsonToken.VALUE_STRING) {
                throw wrongType(name, e, "a string element");
            }
            stringList.add(text(p));
        }
        return stringList.toArray(new String[0]);
    }

    private byte[] uint8Array(JsonParser p, JsonToken t, String name) throws IOException, FlowParseException {
        expect(t, JsonToken.START_ARRAY, name, "an array of integers");
        byte[] buf = new byte[8];
        int n = 0;
        JsonToken e;
        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
            if (e != JsonToken.VALUE_NUMBER_INT) {
                throw wrongType(name, e, "an integer element");
            }
            long v = integer(p, name, ValueKind.UINT8, 0xFF);
            if (n == buf.length) {
                buf = java.util.Arrays.copyOf(buf, n * 2);
            }
            buf[n++] = (byte) v;
        }
        return n == buf.length ? buf : java.util.Arrays.copyOf(buf, n);
    }

    private String[][] events(JsonParser p, JsonToken t, String name) throws IOException, FlowParseException {
        expect(t, JsonToken.START_ARRAY, name, "an array of objects");
        List<String[]> events = new ArrayList<>(4);
        JsonToken e;
        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
            if (e != JsonToken.START_OBJECT) {
                throw wrongType(name, e, "an object element");
            }
            List<String> kv = new ArrayList<>(12);
            String key;
            while ((key = p.nextFieldName()) != null) {
                for (int i = 0; i < kv.size(); i += 2) {
                    if (kv.get(i).equals(key)) {
                        throw duplicate(name + "[]." + key);
                    }
                }
                JsonToken v = p.nextToken();
                String value;
                switch (v) {
                    case VALUE_STRING:
                        value = text(p);
                        break;
                    case VALUE_NUMBER_INT:
                    case VALUE_NUMBER_FLOAT:
                    case VALUE_TRUE:
                    case VALUE_FALSE:
                        value = p.getText(); // scalar kept as its JSON text
                        break;
                    case VALUE_NULL:
                        continue;
                    default:
                        throw wrongType(name + "[]." + key, v, "a scalar value");
                }
                kv.add(key);
                kv.add(value);
            }
            events.add(kv.toArray(new String[0]));
        }
        return events.toArray(new String[0][]);
    }

    private static void expect(JsonToken actual, JsonToken expected, String name, String what) throws FlowParseException {
        if (actual != expected) {
            throw wrongType(name, actual, what);
        }
    }

    private static FlowParseException wrongType(String name, JsonToken actual, String what) {
        return new FlowParseException(DeadLetterReason.WRONG_TYPE, name, name + ": expected " + what + ", got " + describe(actual));
    }

    private static FlowParseException duplicate(String name) {
        return new FlowParseException(DeadLetterReason.DUPLICATE_FIELD, name, "duplicate key " + name);
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "end of input";
        }
        switch (t) {
            case START_ARRAY:
                return "an array";
            case START_OBJECT:
                return "an object";
            case VALUE_STRING:
                return "a string";
            case VALUE_NUMBER_INT:
                return "an integer";
            case VALUE_NUMBER_FLOAT:
                return "a fractional number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case VALUE_NULL:
                return "null";
            default:
                return t.toString();
        }
    }

    /** Whether one of the first four bytes is 0x00 (what Jackson's encoding detection keys on). */
    private static boolean startsWithNul(byte[] value) {
        for (int i = 0, n = Math.min(4, value.length); i < n; i++) {
            if (value[i] == 0) {
                return true;
            }
        }
        return false;
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}
