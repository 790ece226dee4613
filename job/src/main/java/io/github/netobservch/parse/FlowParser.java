package io.github.netobservch.parse;

import com.fasterxml.jackson.core.JsonToken;
import io.github.netobservch.format.Column;
import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.format.IpAddresses;
import io.github.netobservch.format.LegacyField;
import io.github.netobservch.format.TcpFlags;
import io.github.netobservch.format.Utf8Text;
import io.github.netobservch.format.ValueKind;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Bytes → {@link FlowRecord}, strictly, with a pull tokenizer of its own ({@link JsonCursor}; no
 * tree, no databind). Not thread-safe: one instance per operator subtask.
 *
 * <p>Order of checks: empty → oversized → UTF-8 → JSON syntax, root type and depth → per field:
 * duplicate, JSON type, range, IP/MAC syntax → required fields → {@code end ≥ start}. The first
 * failure wins and becomes the dead-letter reason; a message that is not one well-formed JSON
 * document (within the limits) is rejected for that even where a field before the fault is wrong.
 *
 * <p><b>Required</b>: {@code TimeFlowStartMs}, {@code TimeFlowEndMs}, and on IP flows ({@code Etype}
 * 2048/34525, or no {@code Etype} at all, as on conversation records) {@code SrcAddr}/{@code DstAddr}. A flow of any other ethertype (ARP from agents up to
 * 1.6) is a flow: its L3/L4 fields, absent or the 2022 agents' {@code 0.0.0.0}/{@code Proto 0}
 * placeholders, are dropped ({@link #L3_L4}; they stay in {@code raw}).
 *
 * <p><b>Field drift</b>: an optional field whose value does not fit its column ({@code WRONG_TYPE}
 * or {@code OUT_OF_RANGE}: a string where a number was, a sum above the column's range, an array
 * of strings for an array of numbers) does not cost the flow: the column stays empty, {@code
 * parse_warnings} gets {@code Field:REASON}, and the value stays in {@code raw}. Required fields and
 * every other check (syntax, duplicate keys, invalid addresses and MACs, …) still reject.
 *
 * <p>Unknown keys and drifted values are hashed (name and raw value bytes, independent of key
 * order) into {@code _untyped_fields_hash}, so that the dedup's re-send fingerprint, which hashes
 * the typed columns, still covers every field of the record.
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
 * <p>Speed (~1 KB records, one thread): each key is first compared with the key that followed the
 * previous one last time ({@link #predictedNext}), else looked up by its bytes; plain-ASCII strings
 * are read from the input bytes through the string cache ({@link #text}), others decoded. Neither
 * changes a result or a check: a wrong guess or any other string takes the general path.
 */
public final class FlowParser {

    static final String RECORD_TYPE_FLOW_LOG = "flowLog";
    private static final Utf8Text RECORD_TYPE_FLOW_LOG_TEXT = Utf8Text.of(RECORD_TYPE_FLOW_LOG);

    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final Column[] REQUIRED =
            ColumnRegistry.columns().stream().filter(Column::required).toArray(Column[]::new);
    /** Required on IP flows only. */
    private static final Column[] REQUIRED_IF_IP = {ColumnRegistry.SRC_ADDR, ColumnRegistry.DST_ADDR};
    /** Fields that only exist on IP flows; cleared on a flow whose {@code Etype} is not IP. */
    static final Column[] L3_L4 = {
        ColumnRegistry.SRC_ADDR, ColumnRegistry.DST_ADDR, ColumnRegistry.PROTO, ColumnRegistry.DSCP,
        ColumnRegistry.SRC_PORT, ColumnRegistry.DST_PORT, ColumnRegistry.ICMP_TYPE, ColumnRegistry.ICMP_CODE,
        ColumnRegistry.FLAGS
    };

    static final int ETYPE_IPV4 = 0x0800;
    static final int ETYPE_IPV6 = 0x86DD;
    /** JSON key of each column (by column index) as bytes, matched against a key's bytes as written. */
    private static final byte[][] KEYS = new byte[ColumnRegistry.size()][];
    /** Columns by their key's bytes: open addressing, {@link #KEY_TABLE_MASK} + 1 slots. */
    private static final Column[] KEY_TABLE;

    private static final int KEY_TABLE_MASK;
    /** {@link #predictedNext} slot for "at the start of the object"; slot {@code i + 1} is "after column i's key". */
    private static final int AT_START = 0;

    private static final int AFTER_OTHER_KEY = ColumnRegistry.size() + 1;

    static {
        int size = Integer.highestOneBit(ColumnRegistry.size() * 4);
        KEY_TABLE = new Column[size];
        KEY_TABLE_MASK = size - 1;
        for (Column c : ColumnRegistry.columns()) {
            if (c.jsonName() != null) {
                KEYS[c.index()] = c.jsonName().getBytes(StandardCharsets.UTF_8);
                int slot = keyHash(KEYS[c.index()], 0, KEYS[c.index()].length) & KEY_TABLE_MASK;
                while (KEY_TABLE[slot] != null) {
                    slot = (slot + 1) & KEY_TABLE_MASK;
                }
                KEY_TABLE[slot] = c;
            }
        }
    }

    private static int keyHash(byte[] b, int from, int len) {
        int h = len;
        for (int i = from; i < from + len; i++) {
            h = 31 * h + b[i];
        }
        return h ^ (h >>> 15);
    }

    private final ParserConfig config;
    private final JsonCursor json;
    private final Map<String, Column> jsonIndex;
    private final StringCache strings = new StringCache(4096);
    /** The last Kafka topic seen, with its UTF-8 form (a subtask reads one or a few topics). */
    private Utf8Text topic;

    private final long[] ip = new long[2];
    private final List<String> stringList = new ArrayList<>(8);
    /**
     * Key-order prediction: the column whose key followed the slot's key last time, or {@code null}.
     * NetObserv's producers (Go maps) write keys in sorted order, so a record's keys mostly follow each
     * other as in the previous record; a correct guess is taken by comparing the key's bytes (the
     * cursor need not scan it) instead of hashing and looking it up. Only speed depends on it.
     */
    private final Column[] predictedNext = new Column[ColumnRegistry.size() + 2];
    /** The message being parsed (strings are read from it directly, see {@link #text}). */
    private byte[] input;
    /** Set by {@link #loadShortText}. */
    private char[] textChars;

    private int textOffset;
    private int textLength;
    private final char[] shortText = new char[64];
    /** Per record: warnings ({@code Field:REASON}) and the rejected values' exceptions, in input order. */
    private final List<String> warnings = new ArrayList<>(2);

    private final List<FlowParseException> warningCauses = new ArrayList<>(2);
    /** Per record: sum of the hashes of unknown keys and drifted values (0 = none). */
    private long untypedHash;

    private boolean untypedSeen;
    /** The message's keys and its residue, under {@link RawPolicy#UNMAPPED} and {@link RawPolicy#NONE}. */
    private final RawResidue raw = new RawResidue();

    private final boolean trackKeys;
    /**
     * Set by {@link #readValue} when the column keeps the value only in a normalised form (an
     * upper-case MAC, numeric flags, …), so that the key goes to the residue.
     */
    private boolean lossy;
    /** Per record: the columns whose key was read (duplicate keys are rejected, a null one included). */
    private final long[] seenKeys = new long[(ColumnRegistry.size() + 63) >>> 6];

    public FlowParser(ParserConfig config) {
        this.config = config;
        this.json = new JsonCursor(config.maxNestingDepth());
        this.jsonIndex = new HashMap<>(ColumnRegistry.jsonIndex());
        this.trackKeys = config.rawPolicy() != RawPolicy.WHOLE;
    }

    public ParserConfig config() {
        return config;
    }

    /** Parses a Kafka message; the record carries the message's Kafka coordinates. */
    public FlowRecord parse(KafkaMessage message) throws FlowParseException {
        FlowRecord r = parse(message.value);
        if (message.topic != null) {
            if (topic == null || !topic.text().equals(message.topic)) {
                topic = Utf8Text.of(message.topic);
            }
            r.setString(ColumnRegistry.KAFKA_TOPIC, topic);
        }
        r.setLong(ColumnRegistry.KAFKA_PARTITION, message.partition);
        r.setLong(ColumnRegistry.KAFKA_OFFSET, message.offset);
        r.setLong(ColumnRegistry.KAFKA_TIMESTAMP, Math.max(0L, message.timestamp));
        return r;
    }

    /** Parses one message value (without Kafka coordinates). */
    public FlowRecord parse(byte[] value) throws FlowParseException {
        if (value == null || value.length == 0) {
            throw new FlowParseException(
                    DeadLetterReason.EMPTY, null, value == null ? "null value (tombstone)" : "zero-length value");
        }
        if (value.length > config.maxMessageBytes()) {
            throw new FlowParseException(
                    DeadLetterReason.OVERSIZED, null, value.length + " bytes > limit " + config.maxMessageBytes());
        }
        FlowRecord r = new FlowRecord();
        input = value;
        warnings.clear();
        warningCauses.clear();
        untypedHash = 0;
        untypedSeen = false;
        if (trackKeys) {
            raw.start();
        }
        JsonCursor p = json;
        p.reset(value);
        try {
            JsonToken t = p.next();
            if (t == null) {
                throw new FlowParseException(DeadLetterReason.EMPTY, null, "whitespace-only value");
            }
            if (t != JsonToken.START_OBJECT) {
                // make sure it is valid JSON before calling it "not an object"
                p.skipChildren();
                p.next(); // the end, or trailing content (rejected)
                throw new FlowParseException(
                        DeadLetterReason.NOT_AN_OBJECT, null, "root is " + describe(t) + ", not an object");
            }
            readObject(p, r);
            p.next(); // the end, or trailing content (rejected)
        } catch (FlowParseException e) {
            // A rejected message is checked in the order of checks: UTF-8 first (the cursor checks the
            // UTF-8 of what it reads, so an accepted message needs no separate pass), then the JSON
            // text to its end (a fault there comes before a field's fault).
            if (!Utf8.isValid(value, 0, value.length)) {
                throw new FlowParseException(DeadLetterReason.NOT_UTF8, null, "value is not well-formed UTF-8");
            }
            if (startsWithNul(value)) {
                // Jackson and others would take the zero bytes for UTF-16/UTF-32; NUL is never valid in JSON text
                throw new FlowParseException(
                        DeadLetterReason.MALFORMED_JSON, null, "NUL byte at the start (UTF-16/UTF-32 text?)");
            }
            if (!p.failed()) {
                // a field's fault: the rest of the message is read first, since a JSON fault there comes first
                p.skipToEnd();
            }
            throw e;
        } finally {
            input = null;
            p.release();
        }
        for (Column c : REQUIRED) {
            if (!r.has(c)) {
                throw new FlowParseException(
                        DeadLetterReason.MISSING_FIELD, c.jsonName(), "required field " + c.jsonName() + " is missing");
            }
        }
        if (r.has(ColumnRegistry.ETYPE) && !isIp(r.getLong(ColumnRegistry.ETYPE))) {
            for (Column c : L3_L4) {
                r.clear(c);
                if (trackKeys) {
                    raw.markResidue(c); // kept with the other fields the columns do not hold
                }
            }
        } else {
            // IPv4/IPv6, or no Etype (conversation records have none): the addresses are required
            for (Column c : REQUIRED_IF_IP) {
                if (!r.has(c)) {
                    FlowParseException rejected = warningFor(c);
                    if (rejected != null) {
                        throw rejected;
                    }
                    throw new FlowParseException(
                            DeadLetterReason.MISSING_FIELD,
                            c.jsonName(),
                            "required field " + c.jsonName() + " is missing");
                }
            }
        }
        if (!warnings.isEmpty()) {
            r.setStrings(ColumnRegistry.PARSE_WARNINGS, warnings.toArray(new String[0]));
        }
        if (untypedSeen) {
            r.setLong(ColumnRegistry.UNTYPED_FIELDS_HASH, untypedHash);
        }
        long start = r.getLong(ColumnRegistry.TIME_FLOW_START_MS);
        long end = r.getLong(ColumnRegistry.TIME_FLOW_END_MS);
        if (end < start) {
            throw new FlowParseException(
                    DeadLetterReason.END_BEFORE_START,
                    "TimeFlowEndMs",
                    "TimeFlowEndMs " + end + " < TimeFlowStartMs " + start);
        }
        if (!r.has(ColumnRegistry.RECORD_TYPE)) {
            r.setString(ColumnRegistry.RECORD_TYPE, RECORD_TYPE_FLOW_LOG_TEXT);
        }
        if (r.has(ColumnRegistry.FLAGS)) {
            r.setLong(ColumnRegistry.TCP_FLAGS_MASK, TcpFlags.mask(r.getStrings(ColumnRegistry.FLAGS)));
        }
        keepRaw(r, value);
        return r;
    }

    /** Fills {@code raw} (and {@code raw_key_bits}) as the {@link RawPolicy} says. */
    private void keepRaw(FlowRecord r, byte[] value) throws FlowParseException {
        switch (config.rawPolicy()) {
            case WHOLE:
                r.setBytes(ColumnRegistry.RAW, value);
                return;
            case UNMAPPED:
                if (raw.hasResidue()) {
                    byte[] residue = raw.encodable() ? raw.residue(value) : null;
                    if (residue == null || RawResidue.hasSurrogateEscape(residue)) {
                        // ClickHouse's JSON functions cannot give such a value back: keep the record whole
                        r.setBytes(ColumnRegistry.RAW, value);
                        return;
                    }
                    r.setBytes(ColumnRegistry.RAW, residue);
                }
                raw.keyBits(r);
                return;
            case NONE:
                raw.keyBits(r);
                return;
            default:
                throw new IllegalStateException(config.rawPolicy().name());
        }
    }

    private void readObject(JsonCursor p, FlowRecord r) throws FlowParseException {
        java.util.Arrays.fill(seenKeys, 0L);
        int legacySeen = 0;
        Set<String> unknownSeen = null;
        String[] legacyInterface = null;
        byte[] legacyIfDirection = null;
        byte[] legacyFlowDirections = null;
        int slot = AT_START;
        int valuePosition = -1;
        int valueFrom = 0;
        int unreadableBefore = 0;
        while (true) {
            if (valuePosition >= 0) {
                // the previous key's value as written, in case it goes to the residue
                raw.value(valuePosition, valueFrom, p.end(), p.unreadableNumbers() != unreadableBefore);
                valuePosition = -1;
            }
            Column c = predictedNext[slot];
            if (p.next(c == null ? null : KEYS[c.index()]) != JsonToken.FIELD_NAME) {
                break;
            }
            if (c == null || !p.matched()) {
                // no guess, or a wrong one: the key is looked up
                c = column(p);
                predictedNext[slot] = c;
            }
            String name = c != null ? c.jsonName() : p.text();
            slot = c == null ? AFTER_OTHER_KEY : c.index() + 1;
            int unreadable = p.unreadableNumbers();
            JsonToken t = p.next();
            int position = -1;
            if (trackKeys) {
                position = raw.add(c, name);
                valuePosition = position;
                valueFrom = p.start();
                unreadableBefore = unreadable;
            }
            if (c == null) {
                if (trackKeys) {
                    raw.markResidue(position); // unknown and legacy keys have no column of their own
                }
                LegacyField legacy = LegacyField.of(name);
                if (legacy == null) {
                    if (unknownSeen == null) {
                        unknownSeen = new HashSet<>();
                    }
                    if (!unknownSeen.add(name)) {
                        throw duplicate(name);
                    }
                    int from = valueStart(p);
                    p.skipChildren();
                    addUntyped(name, from, p);
                    continue;
                }
                int bit = 1 << legacy.ordinal();
                if ((legacySeen & bit) != 0) {
                    throw duplicate(name); // also after a null or a drifted value
                }
                legacySeen |= bit;
                if (t == JsonToken.VALUE_NULL) {
                    continue;
                }
                int legacyDepth = fieldDepth(p, t);
                int legacyFrom = valueStart(p);
                try {
                    switch (legacy) {
                        case INTERFACE:
                            expect(t, JsonToken.VALUE_STRING, name, "a string");
                            legacyInterface = new String[] {text(p)};
                            break;
                        case IF_DIRECTION:
                            expect(t, JsonToken.VALUE_NUMBER_INT, name, "an integer");
                            legacyIfDirection = new byte[] {(byte) integer(p, name, ValueKind.UINT8, 0xFF)};
                            break;
                        case FLOW_DIRECTIONS:
                            legacyFlowDirections = uint8Array(p, t, name);
                            break;
                        default:
                            throw new IllegalStateException(legacy.name());
                    }
                } catch (FlowParseException e) {
                    drifted(e, name, legacyFrom, legacyDepth, p);
                }
                continue;
            }
            int word = c.index() >>> 6;
            long mask = 1L << c.index();
            if ((seenKeys[word] & mask) != 0) {
                throw duplicate(name); // also after a null or a drifted value, which leave the column empty
            }
            seenKeys[word] |= mask;
            if (t == JsonToken.VALUE_NULL) {
                if (trackKeys) {
                    raw.markResidue(position); // null: the column cannot tell it from absent
                }
                if (c.kind() == ValueKind.TCP_FLAGS) {
                    r.setStrings(c, TcpFlags.decode(0)); // FLP writes null when the bitmask is 0
                }
                continue;
            }
            lossy = false;
            if (c.required()) {
                readValue(p, t, c, r);
            } else {
                int depth = fieldDepth(p, t);
                int from = valueStart(p);
                try {
                    readValue(p, t, c, r);
                } catch (FlowParseException e) {
                    r.clear(c);
                    drifted(e, name, from, depth, p);
                    lossy = true;
                }
            }
            if (lossy && trackKeys) {
                raw.markResidue(position);
            }
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

    static boolean isIp(long etype) {
        return etype == ETYPE_IPV4 || etype == ETYPE_IPV6;
    }

    /**
     * An optional field's value did not fit: a type or range change between agent versions becomes
     * a parse warning (the rest of the value is skipped), anything else still rejects the record.
     */
    private void drifted(FlowParseException e, String name, int from, int fieldDepth, JsonCursor p)
            throws FlowParseException {
        if (p.failed() || (e.reason() != DeadLetterReason.WRONG_TYPE && e.reason() != DeadLetterReason.OUT_OF_RANGE)) {
            throw e;
        }
        while (p.depth() > fieldDepth) {
            p.next(); // the rest of the value (the end of the input inside it is a JSON fault)
        }
        warnings.add(name + ":" + e.reason().code());
        warningCauses.add(e);
        addUntyped(name, from, p);
    }

    /** The rejected value's exception of a drifted field, or {@code null}. */
    private FlowParseException warningFor(Column c) {
        for (FlowParseException e : warningCauses) {
            if (c.jsonName().equals(e.field())) {
                return e;
            }
        }
        return null;
    }

    /** The depth a field's value ends at: the enclosing object's. */
    private static int fieldDepth(JsonCursor p, JsonToken valueToken) {
        return valueToken == JsonToken.START_ARRAY || valueToken == JsonToken.START_OBJECT ? p.depth() - 1 : p.depth();
    }

    /**
     * Where the bytes of a field's value that {@link #addUntyped} hashes begin: one past the value's
     * first byte. That is where the Jackson-based parser before 2026-12 took them from (its token
     * offset after a key), and the hash goes into the dedup fingerprint of the record, so it stays
     * the same across the upgrade.
     */
    private static int valueStart(JsonCursor p) {
        return p.start() + 1;
    }

    /** The current key's column, or {@code null} for a key no column has. */
    private Column column(JsonCursor p) {
        if (!p.plain()) {
            return jsonIndex.get(p.text()); // escapes or non-ASCII: by the decoded name
        }
        byte[] in = p.input();
        int from = p.contentStart();
        int len = p.contentLength();
        for (int slot = keyHash(in, from, len) & KEY_TABLE_MASK; ; slot = (slot + 1) & KEY_TABLE_MASK) {
            Column c = KEY_TABLE[slot];
            if (c == null || p.nameIs(KEYS[c.index()])) {
                return c;
            }
        }
    }

    /**
     * Adds an untyped field (unknown key, or a drifted value) to {@link #untypedHash}: its name and
     * the raw bytes of its value from {@code from} to the parser's position, i.e. the value as it
     * was written ({@link #valueStart}). Summed, so key order does not matter.
     */
    private void addUntyped(String name, int from, JsonCursor p) {
        int to = p.end();
        long h = 0xcbf29ce484222325L ^ name.hashCode();
        if (from >= 0 && to > from && to <= input.length) {
            for (int i = from; i < to; i++) {
                h = (h ^ (input[i] & 0xFF)) * 0x100000001b3L;
            }
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        untypedHash += h;
        untypedSeen = true;
    }

    private void readValue(JsonCursor p, JsonToken t, Column c, FlowRecord r) throws FlowParseException {
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
                Utf8Text ascii = asciiText(p);
                if (ascii != null) {
                    r.setString(c, ascii); // the cache's entry: its UTF-8 form is shared with every record
                } else {
                    r.setString(c, decodedText(p));
                }
                return;
            case IP:
                expect(t, JsonToken.VALUE_STRING, name, "an IP address string");
                loadShortText(p);
                if (textLength == 0) {
                    lossy = true;
                    if (c == ColumnRegistry.SRC_ADDR || c == ColumnRegistry.DST_ADDR) {
                        // absent, but an IP flow needs it: remembered for the check at the end
                        warningCauses.add(
                                new FlowParseException(DeadLetterReason.INVALID_IP, name, name + ": empty address"));
                    }
                    return; // "" = absent
                }
                if (!IpAddresses.parse(textChars, textOffset, textLength, ip)) {
                    throw new FlowParseException(
                            DeadLetterReason.INVALID_IP,
                            name,
                            name + ": not an IPv4/IPv6 address: '" + abbreviate(p.text()) + "'");
                }
                r.setIp(c, ip[0], ip[1]);
                if (trackKeys && !IpAddresses.isCanonical(textChars, textOffset, textLength, ip[0], ip[1])) {
                    lossy = true;
                }
                return;
            case MAC:
                expect(t, JsonToken.VALUE_STRING, name, "a MAC address string");
                loadShortText(p);
                if (textLength == 0) {
                    lossy = true;
                    return; // "" = absent
                }
                if (mac(p, name)) {
                    r.setString(c, lowerCaseMac()); // kept lower-cased
                } else {
                    Utf8Text plain = asciiText(p);
                    if (plain != null) {
                        r.setString(c, plain); // the cache's entry, its UTF-8 form shared (no per-record encoding)
                    } else {
                        r.setString(c, strings.get(textChars, textOffset, textLength));
                    }
                }
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
                    lossy = true; // the legacy number is kept as names
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

    private long integer(JsonCursor p, String name, ValueKind kind, long max) throws FlowParseException {
        if (p.big()) {
            BigInteger b = p.bigValue();
            if (kind == ValueKind.UINT64 && b.signum() > 0 && b.compareTo(UINT64_MAX) <= 0) {
                return b.longValue(); // stored as the unsigned bit pattern
            }
            throw new FlowParseException(
                    DeadLetterReason.OUT_OF_RANGE,
                    name,
                    name + "=" + abbreviate(b.toString()) + " is out of range for " + kind);
        }
        long v = p.longValue();
        boolean ok;
        if (kind == ValueKind.UINT64) {
            ok = v >= 0; // above 2^63-1 arrives as BIG_INTEGER
        } else {
            ok = v >= kind.min() && v <= max;
        }
        if (!ok) {
            throw new FlowParseException(
                    DeadLetterReason.OUT_OF_RANGE,
                    name,
                    name + "=" + v + " is out of range for " + kind + (max != kind.max() ? " (max " + max + ")" : ""));
        }
        return v;
    }

    /** The current string's (or key's) text, through {@link #strings}. */
    private String text(JsonCursor p) {
        Utf8Text ascii = asciiText(p);
        return ascii != null ? ascii.text() : decodedText(p);
    }

    /**
     * The current string's text if it is plain ASCII (no escapes), from the cache, else {@code null}.
     * Most values are: those are looked up by their input bytes, without being decoded.
     */
    private Utf8Text asciiText(JsonCursor p) {
        return p.plain() ? strings.asciiText(input, p.contentStart(), p.contentLength()) : null;
    }

    /** The current string's text decoded (escapes, non-ASCII), through the cache. */
    private String decodedText(JsonCursor p) {
        char[] chars = p.chars();
        int length = p.decode();
        if (trackKeys && Utf8.hasLoneSurrogate(java.nio.CharBuffer.wrap(chars, 0, length))) {
            lossy = true; // an escaped lone surrogate has no UTF-8 form: the column keeps a replacement
        }
        return strings.get(chars, 0, length);
    }

    /**
     * Points {@link #textChars}/{@link #textOffset}/{@link #textLength} at the current string's text:
     * for short plain ASCII (addresses) a copy of the input bytes; otherwise the decoded chars.
     */
    private void loadShortText(JsonCursor p) {
        int from = p.contentStart();
        int len = p.contentLength();
        if (p.plain() && len <= shortText.length) {
            for (int i = 0; i < len; i++) {
                shortText[i] = (char) input[from + i];
            }
            textChars = shortText;
            textOffset = 0;
            textLength = len;
        } else {
            textChars = p.chars();
            textOffset = 0;
            textLength = p.decode();
        }
    }

    /**
     * Checks the current string (after {@link #loadShortText}) is a MAC address; returns whether it has
     * upper-case digits ({@link #lowerCaseMac} gives the column's form then).
     */
    private boolean mac(JsonCursor p, String name) throws FlowParseException {
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
            throw new FlowParseException(
                    DeadLetterReason.INVALID_MAC, name, name + ": not a MAC address: '" + abbreviate(p.text()) + "'");
        }
        return upper;
    }

    /** The current MAC address (checked by {@link #mac}) lower-cased. */
    private String lowerCaseMac() {
        lossy = true; // kept lower-cased
        char[] lower = new char[17];
        for (int i = 0; i < 17; i++) {
            char ch = textChars[textOffset + i];
            lower[i] = ch >= 'A' && ch <= 'F' ? (char) (ch + ('a' - 'A')) : ch;
        }
        return strings.get(lower, 0, 17);
    }

    private String[] stringArray(JsonCursor p, JsonToken t, String name) throws FlowParseException {
        expect(t, JsonToken.START_ARRAY, name, "an array of strings");
        stringList.clear();
        JsonToken e;
        while ((e = p.next()) != JsonToken.END_ARRAY) {
            if (e != JsonToken.VALUE_STRING) {
                throw wrongType(name, e, "a string element");
            }
            stringList.add(text(p));
        }
        return stringList.toArray(new String[0]);
    }

    private byte[] uint8Array(JsonCursor p, JsonToken t, String name) throws FlowParseException {
        expect(t, JsonToken.START_ARRAY, name, "an array of integers");
        byte[] buf = new byte[8];
        int n = 0;
        JsonToken e;
        while ((e = p.next()) != JsonToken.END_ARRAY) {
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

    private String[][] events(JsonCursor p, JsonToken t, String name) throws FlowParseException {
        expect(t, JsonToken.START_ARRAY, name, "an array of objects");
        List<String[]> events = new ArrayList<>(4);
        JsonToken e;
        while ((e = p.next()) != JsonToken.END_ARRAY) {
            if (e != JsonToken.START_OBJECT) {
                throw wrongType(name, e, "an object element");
            }
            List<String> kv = new ArrayList<>(12);
            while (p.next() == JsonToken.FIELD_NAME) {
                String key = p.plain()
                        ? strings.asciiText(input, p.contentStart(), p.contentLength())
                                .text()
                        : strings.get(p.chars(), 0, p.decode());
                for (int i = 0; i < kv.size(); i += 2) {
                    if (kv.get(i).equals(key)) {
                        throw duplicate(name + "[]." + key);
                    }
                }
                JsonToken v = p.next();
                String value;
                switch (v) {
                    case VALUE_STRING:
                        value = text(p);
                        break;
                    case VALUE_NUMBER_INT:
                    case VALUE_NUMBER_FLOAT:
                    case VALUE_TRUE:
                    case VALUE_FALSE:
                        value = p.text(); // scalar kept as its JSON text
                        lossy = true; // ... as a string
                        break;
                    case VALUE_NULL:
                        lossy = true;
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

    private static void expect(JsonToken actual, JsonToken expected, String name, String what)
            throws FlowParseException {
        if (actual != expected) {
            throw wrongType(name, actual, what);
        }
    }

    private static FlowParseException wrongType(String name, JsonToken actual, String what) {
        return new FlowParseException(
                DeadLetterReason.WRONG_TYPE, name, name + ": expected " + what + ", got " + describe(actual));
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

    /** Whether one of the first four bytes is 0x00 (what JSON decoders' encoding detection keys on). */
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
