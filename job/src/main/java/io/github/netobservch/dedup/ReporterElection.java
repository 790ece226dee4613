package io.github.netobservch.dedup;

import io.github.netobservch.enrich.FlowKeyHashSelector;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.format.FlowRecordTypeInfo;
import java.io.Serializable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Cross-reporter dedup by flow key ({@code keyBy(new FlowKeyHashSelector())}): within a window of
 * activity, the records of <b>one</b> reporter ({@code AgentIP}) per flow key pass, the other
 * reporter's copies are dropped; successive slices of the elected reporter all pass (they are not
 * duplicates). Exact re-sends and legacy {@code Duplicate=true} copies are dropped too.
 *
 * <p>Generic in the record type: it reads a record only through {@link DedupFacts} and emits or
 * holds it as it came. {@link FlowDeduplicator} is the form for {@link FlowRecord}s ({@link
 * DedupStage#apply}); the job runs it on encoded rows, whose facts were computed before the
 * shuffle ({@code io.github.netobservch.rows.FlowRowStage}). Both keep the same state and timers, so
 * the one restores the other's savepoints (held records aside: see the constructor).
 *
 * <h2>Rules</h2>
 *
 * <ul>
 *   <li><b>Same-node copy</b> ({@code Duplicate=true}): dropped before touching state.
 *   <li><b>Preferred reporter</b> = the one the NetObserv console counts ({@code is_canonical}:
 *       ingress, inner, or egress to a Service / outside the cluster). Its record opens the key
 *       and passes at once; the key elects its {@code AgentIP}.
 *   <li><b>Non-preferred first</b>: a record of another reporter on a fresh key is <em>held</em>
 *       (in state) until the event-time deadline {@code max(eventTime, watermark) + maxWait}. If
 *       the preferred reporter shows up before, it is elected and the held copies are dropped;
 *       otherwise the candidate is elected (counted in {@code electedFallback}) and its held
 *       records are emitted, with the deadline as their timestamp. Further records of the
 *       candidate while waiting are held with the first.
 *   <li><b>Once elected</b>, the key follows its reporter until it expires: copies from any other
 *       reporter are dropped at once, <em>including a preferred reporter that appears after a
 *       fallback election</em> (switching would double count the slices both sides cover; the
 *       invariant is one reporter per key per window of activity). A quiet key expires, so the
 *       preferred reporter wins the next election.
 *   <li><b>Exact re-send</b>: a record of the elected (or candidate) reporter whose {@link
 *       DedupRules#fingerprint} (every field but {@code TimeReceived}) is among the key's last
 *       {@code maxFingerprints} records is dropped. For agents before 1.4 the fingerprint leaves
 *       the interface out, so their unmarked copies of a slice from another interface of the node
 *       are dropped the same way and counted as same-node copies ({@link DedupRules#isUnmarkedEra}).
 *       A re-send arriving after its key expired is not detected (the ClickHouse side's
 *       idempotency covers that).
 *   <li><b>Expiry</b>: the key's state is cleared when the watermark reaches {@code lastSeen +
 *       window}, where lastSeen is the max of {@code max(eventTime, watermark)} over the elected
 *       reporter's records (copies of other reporters do not keep a key alive, so a dead elected
 *       agent hands over after one window). The {@link ExpiryWheel} holds one entry per key, looked
 *       at again lazily when it comes due.
 *   <li><b>Conversation records</b> ({@code newConnection}/{@code heartbeat}/{@code
 *       endConnection}) are FLP's per-connection aggregates, not second reports: keyed apart from
 *       the flow logs ({@link FlowKeyHashSelector}), never held or dropped for their reporter; only
 *       an exact re-send of one is dropped.
 *   <li><b>Late records</b> (event time ≤ watermark) are processed like others while their key
 *       lives; after their key expired they open a new key. Times are taken as {@code
 *       max(eventTime, watermark)} so a late pair of copies still meets within one window/wait
 *       of watermark progress.
 * </ul>
 *
 * <h2>State (per key)</h2>
 *
 * One {@code long[]} ({@link KeyState}: reporter IP as two longs, time, meta, up to {@code
 * maxFingerprints} fingerprints), and during a wait only a list of the held records (under the
 * constructor's name, with its versioned serializer) and an event-time timer at the deadline.
 *
 * <p><b>Safety net for a stalled watermark</b> ({@code stateTtl}, processing time): every write
 * stamps the key's {@code long[]} with the current tick ({@code stateTtl / 4}, at least 1 s, of
 * processing time since the epoch); at every tick the operator sweeps its keys and clears those
 * last written {@code stateTtl} or more ago (at most one tick more), whatever the watermark does —
 * the contract of Flink's state TTL ({@code OnCreateAndWrite}) that this replaced, without its cost
 * on every state access (a timestamp read and a wrapper object per access, and an incremental
 * cleanup step: ~7 % of the dedup thread's CPU in the benchmark's profile) and its 8 bytes per key in
 * checkpoints. The held list is never swept (it is bounded by the wait and must not lose records): a
 * key cleared in the middle of a wait still has its timer, which emits the held records. Keys of a
 * checkpoint without stamps (state TTL era) are stamped when the operator restores them.
 *
 * <p>Expiry of live keys is not in state: the {@link ExpiryWheel} is derived from each key's
 * last-seen time and rebuilt from the keyed state on restore (and after rescaling, from the key
 * groups the subtask receives). State names and timers are those of the {@code
 * KeyedProcessFunction} this operator was before (a {@code KeyedProcessOperator}'s {@code
 * "user-timers"}), so its savepoints restore here: their expiry timers fire once and find the
 * key's state as before ({@code FlowDeduplicatorTest} restores a frozen one). A savepoint of this
 * version restored by an older one has no expiry timers: its keys would live until the TTL.
 *
 * <h2>Metrics</h2>
 *
 * {@link DedupMetrics} plus the gauge {@code flowDedup.liveKeys}: keys created minus keys expired
 * <em>in this subtask</em>. After a restore the restored keys are counted again as soon as they
 * see a record (an incarnation number in the state tells them apart); restored keys that expire
 * without being touched are not subtracted.
 */
public class ReporterElection<T> extends AbstractStreamOperator<T>
        implements OneInputStreamOperator<T, T>, Triggerable<Long, VoidNamespace> {

    private static final long serialVersionUID = 1L;

    /**
     * Turns a held record of the {@link FlowRecord} form, restored from a savepoint of a version
     * that held {@link FlowRecord}s under {@link #HELD_NAME}, into this operator's record type.
     */
    @FunctionalInterface
    public interface HeldConverter<T> extends Serializable {
        T convert(FlowRecord record);
    }

    static final String STATE_NAME = "dedup-key";
    static final String HELD_NAME = "dedup-held";
    /** The timer service name of Flink's {@code KeyedProcessOperator}: earlier savepoints' timers. */
    static final String TIMERS_NAME = "user-timers";

    private final DedupConfig config;
    private final DedupFacts<T> facts;
    private final TypeInformation<T> heldType;
    private final String heldName;
    /** Non-null when {@link #heldName} is not {@link #HELD_NAME}: reads what earlier versions held there. */
    private final HeldConverter<T> legacyHeldConverter;

    private final long windowMs;
    private final long maxWaitMs;
    private final int maxFingerprints;

    private transient ValueState<long[]> keyState;
    private transient ListState<T> held;
    /** The {@link FlowRecord}s of earlier versions' savepoints ({@link #legacyHeldConverter}), else null. */
    private transient ListState<FlowRecord> legacyHeld;

    private transient DedupMetrics metrics;
    private transient long liveKeys;
    private transient int incarnation;
    private transient InternalTimerService<VoidNamespace> timers;
    private transient ExpiryWheel wheel;
    private transient ExpiryWheel.Handler expire;
    private transient TimestampedCollector<T> out;
    /** Safety-net tick length in ms (0: off) and the current tick, stamped on every write. */
    private transient long tickMs;

    private transient long epoch;

    /**
     * @param facts what the rules read from a record
     * @param heldType the serializer of held records (in state: versioned)
     * @param heldName the name of the held-records state; another name than {@link #HELD_NAME} needs
     *     {@code legacyHeldConverter}, which converts the {@link FlowRecord}s a savepoint of an earlier
     *     version holds under {@link #HELD_NAME}
     */
    public ReporterElection(
            DedupConfig config,
            DedupFacts<T> facts,
            TypeInformation<T> heldType,
            String heldName,
            HeldConverter<T> legacyHeldConverter) {
        if (!HELD_NAME.equals(heldName) && legacyHeldConverter == null) {
            throw new IllegalArgumentException("held records under " + heldName + " need a converter for " + HELD_NAME);
        }
        this.config = config;
        this.facts = facts;
        this.heldType = heldType;
        this.heldName = heldName;
        this.legacyHeldConverter = HELD_NAME.equals(heldName) ? null : legacyHeldConverter;
        this.windowMs = config.window().toMillis();
        this.maxWaitMs = config.maxWait().toMillis();
        this.maxFingerprints = config.maxFingerprints();
    }

    @Override
    public void open() throws Exception {
        super.open();
        // No state TTL (the safety net is the sweep, see the class comment). Flink 2.2 restores state written
        // with a TTL by earlier versions into this descriptor (its "State TTL Migration Compatibility").
        ValueStateDescriptor<long[]> keyDescriptor =
                new ValueStateDescriptor<>(STATE_NAME, PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);
        keyState = getRuntimeContext().getState(keyDescriptor);
        held = getRuntimeContext().getListState(new ListStateDescriptor<>(heldName, heldType));
        legacyHeld = legacyHeldConverter == null
                ? null
                : getRuntimeContext().getListState(new ListStateDescriptor<>(HELD_NAME, FlowRecordTypeInfo.INSTANCE));
        metrics = new DedupMetrics(getRuntimeContext().getMetricGroup());
        metrics.group.gauge(DedupMetrics.LIVE_KEYS, (Gauge<Long>) () -> liveKeys);
        liveKeys = 0;
        incarnation = ThreadLocalRandom.current().nextInt(1, 1 << 16);
        out = new TimestampedCollector<>(output);
        timers = getInternalTimerService(TIMERS_NAME, VoidNamespaceSerializer.INSTANCE, this);
        wheel = new ExpiryWheel();
        expire = this::expireIfDue;
        long ttlMs = config.stateTtl().toMillis();
        tickMs = ttlMs == 0 ? 0 : Math.max(1_000, ttlMs / 4);
        epoch = currentEpoch();
        rebuildWheel(); // (nothing to enter on a fresh start)
        if (tickMs > 0) {
            scheduleTick();
        }
    }

    private long currentEpoch() {
        return tickMs == 0 ? 0 : getProcessingTimeService().getCurrentProcessingTime() / tickMs;
    }

    private void scheduleTick() {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        getProcessingTimeService().registerTimer((now / tickMs + 1) * tickMs, this::onTick);
    }

    /** Processing-time tick (in the task thread): a new epoch, and the sweep of keys written a TTL or more ago. */
    private void onTick(long time) throws Exception {
        epoch = currentEpoch();
        sweep();
        scheduleTick();
    }

    /**
     * Clears the keys last written {@code stateTtl} or more ago: four ticks or more before the
     * current one, i.e. between {@code stateTtl} and {@code stateTtl} + one tick ago. Reads every
     * key once (the keys are collected first: the backend's key iterator must not see the clears).
     */
    void sweep() throws Exception {
        long maxAge = config.stateTtl().toMillis() / tickMs; // 4, or fewer ticks of 1 s for a TTL under 4 s
        for (long key : keys()) {
            setCurrentKey(key);
            long[] s = keyState.value();
            if (s != null && KeyState.epochsSinceWrite(s, epoch) > maxAge) {
                clearKey(s);
                metrics.keysSwept.inc();
            }
        }
    }

    private long[] keys() throws Exception {
        try (Stream<Long> keys = this.<Long>getKeyedStateBackend().getKeys(STATE_NAME, VoidNamespace.INSTANCE)) {
            return keys.mapToLong(Long::longValue).toArray();
        }
    }

    /** Stores the key's state, stamped with the current safety-net tick. */
    private void write(long[] s) throws Exception {
        KeyState.stamp(s, epoch);
        keyState.update(s);
    }

    /**
     * Enters every restored live key in the wheel (keys waiting for their preferred reporter have
     * their deadline timer in the restored timers).
     */
    private void rebuildWheel() throws Exception {
        for (long key : keys()) {
            setCurrentKey(key);
            long[] s = keyState.value();
            if (s == null) {
                continue;
            }
            if (KeyState.epoch(s) == 0 && tickMs > 0) {
                write(s); // a key of the state-TTL era: its sweep age counts from this restore
            }
            if (KeyState.status(s) != KeyState.HOLDING) {
                wheel.add(key, expiry(s));
            }
        }
    }

    @Override
    public void processElement(StreamRecord<T> element) throws Exception {
        T r = element.getValue();
        if (facts.isSameNodeCopy(r)) {
            metrics.sameNodeCopy.inc();
            return;
        }
        out.setTimestamp(element);
        long watermark = timers.currentWatermark();
        long time = Math.max(
                DedupRules.eventTime(element.hasTimestamp(), element.getTimestamp(), facts.timeFlowEndMs(r)),
                watermark);
        long high = facts.agentHigh(r);
        long low = facts.agentLow(r);
        long fp = facts.fingerprint(r);
        long[] s = keyState.value();

        if (facts.isConversation(r)) {
            conversation(r, s, time, fp);
            return;
        }
        if (s == null) {
            liveKeys++;
            if (facts.isPreferred(r)) {
                write(KeyState.create(KeyState.ELECTED, high, low, time, incarnation, fp, maxFingerprints));
                wheel.add(currentKey(), plusWindow(time));
                keep(r);
            } else {
                long deadline = time + maxWaitMs;
                write(KeyState.create(KeyState.HOLDING, high, low, deadline, incarnation, fp, maxFingerprints));
                held.add(r);
                timers.registerEventTimeTimer(VoidNamespace.INSTANCE, deadline);
            }
            return;
        }

        boolean adopted = adopt(s);
        boolean sameReporter = KeyState.isReporter(s, high, low);
        if (KeyState.status(s) == KeyState.ELECTED) {
            if (!sameReporter) {
                metrics.crossReporter.inc();
                if (adopted) {
                    write(s);
                }
            } else if (KeyState.containsFingerprint(s, fp)) {
                countCopy(r);
                if (adopted) {
                    write(s);
                }
            } else {
                s = KeyState.addFingerprint(s, fp, maxFingerprints);
                s[KeyState.TIME] = Math.max(s[KeyState.TIME], time);
                write(s);
                keep(r);
            }
            return;
        }

        // HOLDING: a candidate reporter is waiting for the preferred one
        if (sameReporter) {
            if (KeyState.containsFingerprint(s, fp)) {
                countCopy(r);
                if (adopted) {
                    write(s);
                }
            } else {
                write(KeyState.addFingerprint(s, fp, maxFingerprints));
                held.add(r);
            }
        } else if (facts.isPreferred(r)) {
            // the preferred reporter arrived within the wait: it is elected, the held copies go
            long dropped = 0;
            for (T ignored : held.get()) {
                dropped++;
            }
            held.clear();
            if (legacyHeld != null) {
                for (FlowRecord ignored : legacyHeld.get()) {
                    dropped++;
                }
                legacyHeld.clear();
            }
            metrics.crossReporter.inc(dropped);
            timers.deleteEventTimeTimer(VoidNamespace.INSTANCE, s[KeyState.TIME]);
            int inc = KeyState.incarnation(s);
            write(KeyState.create(KeyState.ELECTED, high, low, time, inc, fp, maxFingerprints));
            wheel.add(currentKey(), plusWindow(time));
            keep(r);
        } else {
            // a third reporter, not preferred either: keep the first candidate
            metrics.crossReporter.inc();
            if (adopted) {
                write(s);
            }
        }
    }

    /**
     * Conversation records ({@link FlowKeyHashSelector} keys them apart from flow logs): every
     * record passes but an exact re-send; the key remembers the fingerprints and expires like an
     * elected key.
     */
    private void conversation(T r, long[] s, long time, long fp) throws Exception {
        if (s == null || KeyState.status(s) != KeyState.CONVERSATION) {
            // (a non-conversation state here would mean a keying that mixes them: keep the record, leave that state
            // alone)
            if (s == null) {
                liveKeys++;
                write(KeyState.create(KeyState.CONVERSATION, 0, 0, time, incarnation, fp, maxFingerprints));
                wheel.add(currentKey(), plusWindow(time));
            }
            keep(r);
            return;
        }
        boolean adopted = adopt(s);
        if (KeyState.containsFingerprint(s, fp)) {
            metrics.exactResend.inc();
            if (adopted) {
                write(s);
            }
            return;
        }
        s = KeyState.addFingerprint(s, fp, maxFingerprints);
        s[KeyState.TIME] = Math.max(s[KeyState.TIME], time);
        write(s);
        keep(r);
    }

    /**
     * Lets Flink fire the wait deadlines and forward the watermark, then expires the keys the
     * watermark reached — including those a deadline just elected, whose expiry the watermark may
     * already have passed (the end of input jumps to {@code Long.MAX_VALUE}: in the other order those
     * keys stayed in state, waiting for a watermark that never came). Expiry emits nothing, so the
     * order does not change the output.
     */
    @Override
    public void processWatermark(Watermark mark) throws Exception {
        super.processWatermark(mark);
        wheel.advance(mark.getTimestamp(), expire);
    }

    /** {@link ExpiryWheel.Handler}: clears the key if its last-seen time is a window behind the watermark. */
    private long expireIfDue(long key, long watermark) throws Exception {
        setCurrentKey(key);
        long[] s = keyState.value();
        if (s == null || KeyState.status(s) == KeyState.HOLDING) {
            return ExpiryWheel
                    .DONE; // cleared already (another entry, the sweep), or a new key waiting for its deadline
        }
        long expiry = expiry(s);
        if (expiry > watermark) {
            return expiry;
        }
        clearKey(s);
        return ExpiryWheel.DONE;
    }

    /** A wait deadline (or a timer restored from a savepoint of the {@code KeyedProcessFunction} era). */
    @Override
    public void onEventTime(InternalTimer<Long, VoidNamespace> timer) throws Exception {
        long timestamp = timer.getTimestamp();
        out.setAbsoluteTimestamp(timestamp);
        long[] s = keyState.value();
        if (s == null) {
            // only if the sweep cleared the key during a wait (stalled watermark): never lose held records
            emitHeld();
            return;
        }
        if (KeyState.status(s) == KeyState.HOLDING) {
            if (timestamp < s[KeyState.TIME]) {
                return; // stale timer
            }
            // the preferred reporter did not show up: elect the candidate, release its records
            emitHeld();
            metrics.electedFallback.inc();
            adopt(s);
            KeyState.electCandidate(s, timestamp);
            write(s);
            wheel.add(timer.getKey(), plusWindow(timestamp));
            return;
        }
        // an expiry timer of an earlier savepoint: the wheel has the key since the restore
        if (timestamp >= expiry(s)) {
            clearKey(s);
        }
    }

    @Override
    public void onProcessingTime(InternalTimer<Long, VoidNamespace> timer) {
        // no processing-time timers are registered
    }

    private void clearKey(long[] s) {
        keyState.clear();
        if (KeyState.incarnation(s) == incarnation) {
            liveKeys--;
        }
    }

    private long expiry(long[] s) {
        return plusWindow(s[KeyState.TIME]);
    }

    private long plusWindow(long time) {
        long expiry = time + windowMs;
        return expiry < time ? Long.MAX_VALUE : expiry; // (saturating)
    }

    private long currentKey() {
        return (Long) getCurrentKey();
    }

    private void emitHeld() throws Exception {
        long n = 0;
        if (legacyHeld != null) {
            Iterable<FlowRecord> legacy = legacyHeld.get();
            if (legacy != null) {
                for (FlowRecord h : legacy) {
                    keep(legacyHeldConverter.convert(h));
                    n++;
                }
                legacyHeld.clear();
            }
        }
        Iterable<T> records = held.get();
        if (records != null) {
            long before = n;
            for (T h : records) {
                keep(h);
                n++;
            }
            if (n > before) {
                held.clear();
            }
        }
        if (n > 0) {
            metrics.heldThenEmitted.inc(n);
        }
    }

    /** A record whose fingerprint the key has seen: a re-send, or (agents before 1.4) another interface's copy. */
    private void countCopy(T r) {
        if (facts.isUnmarkedEra(r)) {
            metrics.sameNodeCopy.inc();
        } else {
            metrics.exactResend.inc();
        }
    }

    private void keep(T r) {
        metrics.kept.inc();
        out.collect(r);
    }

    /** Counts a key restored from a snapshot (other incarnation) in this subtask's live keys. */
    private boolean adopt(long[] s) {
        if (KeyState.incarnation(s) == incarnation) {
            return false;
        }
        KeyState.setIncarnation(s, incarnation);
        liveKeys++;
        return true;
    }

    /** The configuration this function runs with. */
    public DedupConfig config() {
        return config;
    }

    /** Counters of this instance (tests, diagnostics). */
    public DedupMetrics metrics() {
        return metrics;
    }

    /** Live keys of this instance (the {@code liveKeys} gauge). */
    public long liveKeys() {
        return liveKeys;
    }

    /** Entries in the expiry wheel (tests, diagnostics): one per live key not waiting, plus stale ones. */
    public long expiryEntries() {
        return wheel.size();
    }
}
