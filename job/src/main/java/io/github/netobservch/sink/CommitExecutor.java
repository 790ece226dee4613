package io.github.netobservch.sink;

import io.github.netobservch.clickhouse.ClickHouseErrors;
import java.io.IOException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit protocol: sends one committable with bounded, exponentially backed-off retries of
 * transient errors, always with the committable's own token; checks INSERTs whose outcome was in
 * doubt and repairs lost ones. Shared by the committer (exactly-once) and the at-least-once writer.
 * Talks to ClickHouse only through {@link CommitTarget}s (one per shard), so every path is unit
 * tested against an in-memory fake ({@code CommitProtocolTest}) as well as the real engine.
 */
final class CommitExecutor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommitExecutor.class);

    /** How long an absent batch may take to become visible before it counts as lost. */
    static final Duration ABSENCE_RECHECK = Duration.ofSeconds(2);

    /**
     * Repairs of one committable within one call. A crash between token and part twice in a row is
     * already unlikely; more means the probe cannot see the batch for a reason no check caught, and
     * inserting it again would loop: the committer stops, counts it as uncheckable and says so.
     */
    static final int MAX_REPAIRS_PER_CALL = 3;

    private static final Pattern TTL_DAYS = Pattern.compile(
            "\\bTTL\\s+(?:toDate\\(\\s*[A-Za-z0-9_`]+\\s*\\)|[A-Za-z0-9_`]+)\\s*\\+\\s*toIntervalDay\\(\\s*(\\d+)\\s*\\)");

    private final ClickHouseSinkOptions options;
    private final SinkMetrics metrics;
    private final SinkFaultInjector faults;
    private final int subtask;
    private final int attempt;
    /** Opens the target of a shard ({@code -1}: the single endpoint). */
    private final IntFunction<CommitTarget> targets;
    /** How long an absent batch may take to become visible ({@link #ABSENCE_RECHECK} in production). */
    private final Duration absenceRecheck;
    /** One open target per shard. */
    private final Map<Integer, CommitTarget> inserters = new HashMap<>();
    /** The shard of the committable being committed. */
    private int shard = -1;
    /** The latest failure of the current call (the cause of a retry or a failure). */
    private Throwable lastFailure;
    /** By {@code database.table}: whether its engine keeps a local (non-replicated) deduplication log. */
    private final Map<String, Boolean> localDeduplicationLog = new HashMap<>();
    /** By {@code database.table}: its day-based TTL in days, or -1 for none (or one this class cannot read). */
    private final Map<String, Integer> ttlDays = new HashMap<>();

    CommitExecutor(
            ClickHouseSinkOptions options, SinkMetrics metrics, SinkFaultInjector faults, int subtask, int attempt) {
        this(
                options,
                metrics,
                faults,
                subtask,
                attempt,
                s -> new ClickHouseInserter(options.forShard(s)),
                ABSENCE_RECHECK);
    }

    /** With {@code targets} opening each shard's {@link CommitTarget} (tests: an in-memory fake). */
    CommitExecutor(
            ClickHouseSinkOptions options,
            SinkMetrics metrics,
            SinkFaultInjector faults,
            int subtask,
            int attempt,
            IntFunction<CommitTarget> targets,
            Duration absenceRecheck) {
        this.options = options;
        this.metrics = metrics;
        this.faults = faults;
        this.subtask = subtask;
        this.attempt = attempt;
        this.targets = targets;
        this.absenceRecheck = absenceRecheck;
    }

    /**
     * Inserts {@code c}, retrying transient errors up to {@code maxAttemptsPerCommit} times.
     *
     * <p>When the outcome was in doubt before the acknowledged attempt — an earlier attempt failed
     * after it may have reached the server, or the committable came back from a checkpoint — and the
     * table keeps a local deduplication log (plain MergeTree), the batch's {@link PresenceProbe} checks
     * that its rows are really there. A crash of the server between recording the token and publishing
     * the part leaves a token without rows, and every retry with that token is acknowledged and dropped.
     * Such a batch is inserted again under the next derived token ({@code <token>~1}, {@code ~2}, …):
     * derived deterministically, so a repair that is itself interrupted, or repeated after a restore,
     * is deduplicated like any other retry; each repair is checked the same way.
     *
     * @param priorCalls how often this committable was already handed back (Flink's
     *     {@code getNumberOfRetries()}); continues the exponential backoff across calls, because Flink
     *     calls the committer again immediately
     * @param fromState the committable came back from a checkpoint (a re-commit)
     */
    CommitResult commit(ClickHouseCommittable c, int priorCalls, boolean fromState) throws InterruptedException {
        lastFailure = null;
        shard = c.shard();
        // sent as stored when ClickHouse decodes the codec itself (Content-Encoding), else decompressed here
        String contentEncoding = c.codec().contentEncoding();
        byte[] payload;
        try {
            payload = contentEncoding != null ? c.stored() : c.payload();
        } catch (java.io.FileNotFoundException e) {
            return spillFileMissing(c, e);
        } catch (IOException e) {
            return new CommitResult.Failed(e);
        }
        boolean deduplicate = options.idempotentCommits();
        String baseToken = deduplicate && options.sendTokens() ? c.token() : null;
        SinkFaultInjector.Context context =
                new SinkFaultInjector.Context(subtask, attempt, fromState, c.token(), c.rowCount());
        boolean inDoubt = fromState || priorCalls > 0;
        int generation = 0;
        boolean repairing = false;
        for (int i = 0; i < options.maxAttemptsPerCommit(); i++) {
            int step = priorCalls * options.maxAttemptsPerCommit() + i;
            if (step > 0 && !repairing) {
                long pause = backoffMillis(step - 1);
                LOG.info(
                        "Retrying {} in {} ms (attempt {} of this call, {} earlier calls)",
                        c,
                        pause,
                        i + 1,
                        priorCalls);
                Thread.sleep(pause);
            }
            repairing = false;
            fire(SinkFaultInjector.Point.BEFORE_INSERT, context);
            String token = derivedToken(baseToken, generation);
            long t0 = System.nanoTime();
            try {
                inserter().insert(c.database(), c.table(), c.columns(), payload, contentEncoding, token, deduplicate);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                if (failed(e, "inserting", c)) {
                    return new CommitResult.Failed(e);
                }
                inDoubt = true;
                continue;
            }
            long latencyMs = (System.nanoTime() - t0) / 1_000_000;
            metrics.reachable();
            if (inDoubt && deduplicate && c.probe() != null) {
                Presence presence;
                try {
                    presence = verifyPresence(c);
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) {
                    if (failed(e, "checking the presence of", c)) {
                        return new CommitResult.Failed(e);
                    }
                    continue;
                }
                if (presence == Presence.ABSENT && generation >= MAX_REPAIRS_PER_CALL) {
                    metrics.inDoubtUncheckable.inc();
                    LOG.error(
                            "{} is still not visible in {}.{} after {} repairs the server acknowledged: its presence"
                                    + " cannot be checked (a row policy, a mutation or a TTL this committer did not detect?)."
                                    + " Not inserting it again; check the table by hand.",
                            c,
                            c.database(),
                            c.table(),
                            generation);
                } else if (presence == Presence.ABSENT) {
                    generation++;
                    metrics.lostInsertsRepaired.inc();
                    LOG.warn(
                            "{} was acknowledged with token {} but its rows are not in {}.{}: the server most"
                                    + " likely crashed after recording the token and before publishing the part. Inserting"
                                    + " it again with token {}",
                            c,
                            token,
                            c.database(),
                            c.table(),
                            derivedToken(baseToken, generation));
                    lastFailure = null;
                    repairing = true;
                    continue;
                }
            }
            metrics.committed(c.rowCount(), latencyMs, fromState);
            LOG.debug("Committed {} in {} ms{}", c, latencyMs, fromState ? " (re-commit)" : "");
            fire(SinkFaultInjector.Point.AFTER_INSERT, context);
            return CommitResult.COMMITTED;
        }
        return new CommitResult.RetryLater(lastFailure);
    }

    /**
     * The payload of {@code c} was spilled and its file is gone. The committer deletes a spill file
     * one commit call after the batch landed, so this is a committable that landed and came back from
     * an older checkpoint (or a restore raced the deletion): its rows must be in the table. Committed
     * when the presence probe finds them (rechecked after {@link #ABSENCE_RECHECK}); otherwise the
     * batch cannot be sent again and the commit fails with what to do — never silently.
     */
    private CommitResult spillFileMissing(ClickHouseCommittable c, java.io.FileNotFoundException missing)
            throws InterruptedException {
        if (c.probe() != null) {
            try {
                boolean present = probeWithRecheck(c);
                metrics.reachable();
                if (present) {
                    metrics.spillFilesMissing.inc();
                    LOG.info(
                            "{}: spill file gone, rows already in {}.{}: committed before this restore",
                            c,
                            c.database(),
                            c.table());
                    return CommitResult.COMMITTED;
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                return failed(e, "checking the presence (spill file gone) of", c)
                        ? new CommitResult.Failed(e)
                        : new CommitResult.RetryLater(e);
            }
        }
        metrics.commitFailures.inc();
        IOException lost = new IOException(
                "the spill file of " + c + " is gone and its rows are "
                        + (c.probe() == null
                                ? "not checkable (no presence probe)"
                                : "not in " + c.database() + "." + c.table())
                        + ": the batch cannot be sent. Was the spill directory (sink.spill-dir) cleaned, or"
                        + " sink.spill-retention shorter than the age of the checkpoint restored? Restore from a later"
                        + " checkpoint, or from an earlier one whose Kafka offsets precede this batch.",
                missing);
        LOG.error("{}", lost.getMessage());
        return new CommitResult.Failed(lost);
    }

    /**
     * Records a failed request: true when it is permanent (the commit fails), false when it is
     * transient (the connection is reset for the retry).
     */
    private boolean failed(Exception e, String doing, ClickHouseCommittable c) {
        lastFailure = e;
        if (ClickHouseErrors.classify(e) == ClickHouseErrors.Kind.PERMANENT) {
            metrics.reachable(); // it answered, with an error a person must fix
            metrics.commitFailures.inc();
            LOG.error("Permanent failure {} {}: {}", doing, c, ClickHouseErrors.describe(e));
            return true;
        }
        metrics.retries.inc();
        metrics.transientFailure();
        LOG.warn("Transient failure {} {}: {}", doing, c, ClickHouseErrors.describe(e));
        resetConnection();
        return false;
    }

    /** {@code token}, or its {@code generation}-th repair token. */
    static String derivedToken(String token, int generation) {
        return token == null || generation == 0 ? token : token + "~" + generation;
    }

    private enum Presence {
        PRESENT,
        ABSENT,
        NOT_CHECKED,
        UNCHECKABLE
    }

    /**
     * Runs the committable's probe; an absent batch is probed again after {@link #ABSENCE_RECHECK}: a
     * live server publishes a part milliseconds after it records the token, so only a batch that stays
     * absent is taken as lost. Tables whose deduplication is committed together with the part
     * (Replicated and Shared engines) are not probed: a probe that reached a lagging replica would see
     * an absence that is not one.
     */
    private Presence verifyPresence(ClickHouseCommittable c) throws Exception {
        if (!keepsLocalDeduplicationLog(c.database(), c.table())) {
            return Presence.NOT_CHECKED;
        }
        metrics.inDoubtChecks.inc();
        if (probeWithRecheck(c)) {
            return Presence.PRESENT;
        }
        String untrusted = options.probeTrustChecks() ? whyAnAbsenceCannotBeTrusted(c) : null;
        if (untrusted != null) {
            metrics.inDoubtUncheckable.inc();
            LOG.warn(
                    "{} is not visible in {}.{}, but {}: its presence cannot be checked, so it is not inserted"
                            + " again (a batch that did land must not be doubled). Committed as is.",
                    c,
                    c.database(),
                    c.table(),
                    untrusted);
            return Presence.UNCHECKABLE;
        }
        return Presence.ABSENT;
    }

    /**
     * Whether an absent answer could have another cause than a lost part, so that inserting the
     * batch again could double it or loop. {@code null} when the absence can be trusted, else why not:
     *
     * <ul>
     *   <li>the batch's partition (a day) is past the table's day-based TTL: ClickHouse drops such rows
     *       at once or at its next merge (replaying old captures does this), so they are gone by design;
     *   <li>the sink's user does not see every row of the partition: the active parts of the
     *       partition ({@code system.parts}, which no row policy filters) hold more rows than a {@code
     *       count()} over it returns — a row policy, or rows masked by a lightweight {@code DELETE} —
     *       so the probe may be blind to a batch that is there;
     *   <li>either check could not be made (e.g. no access to {@code system.parts}).
     * </ul>
     *
     * A partition dropped by hand (no parts, count 0) cannot be told from a lost part: the batch is
     * inserted again, once (documented).
     */
    private String whyAnAbsenceCannotBeTrusted(ClickHouseCommittable c) {
        String table = shard + "/" + c.database() + "." + c.table();
        try {
            int ttl = ttlDays.computeIfAbsent(table, k -> readTtlDays(c.database(), c.table()));
            if (ttl >= 0) {
                LocalDate day = parseDay(c.partitionKey());
                if (day != null && !day.plusDays(ttl).isAfter(LocalDate.now(ZoneOffset.UTC))) {
                    return "its partition " + c.partitionKey() + " is past the table's " + ttl + "-day TTL (ClickHouse"
                            + " removes such rows)";
                }
            }
            for (Map.Entry<String, Long> part : inserter()
                    .activePartRows(c.database(), c.table(), c.partitionKey())
                    .entrySet()) {
                long inParts = part.getValue();
                long seen = inserter().visibleRows(c.database(), c.table(), part.getKey());
                if (seen != inParts) {
                    return "the user sees " + seen + " of the " + inParts + " rows of partition " + c.partitionKey()
                            + " (a row policy, or rows deleted by a lightweight DELETE)";
                }
            }
            return null;
        } catch (RuntimeException e) {
            return "the check could not be made: " + ClickHouseErrors.describe(e);
        }
    }

    private int readTtlDays(String database, String table) {
        Matcher m = TTL_DAYS.matcher(inserter().createTableQuery(database, table));
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static LocalDate parseDay(String partitionKey) {
        try {
            return LocalDate.parse(partitionKey);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * The probe, and once more after {@link #absenceRecheck} when it finds nothing: a live server
     * publishes a part milliseconds after it records the token, so only a batch that stays absent is.
     */
    private boolean probeWithRecheck(ClickHouseCommittable c) throws InterruptedException {
        if (probe(c)) {
            return true;
        }
        Thread.sleep(absenceRecheck.toMillis());
        return probe(c);
    }

    private boolean probe(ClickHouseCommittable c) {
        return inserter().exists(c.database(), c.table(), c.probe());
    }

    private boolean keepsLocalDeduplicationLog(String database, String table) {
        return localDeduplicationLog.computeIfAbsent(shard + "/" + database + "." + table, k -> {
            String engine = inserter().engine(database, table);
            boolean local = !ClickHousePreflight.keepsReplicatedDeduplicationLog(engine);
            LOG.info(
                    "{}.{} has engine {}: INSERTs in doubt are {}",
                    database,
                    table,
                    engine,
                    local ? "checked with a presence probe" : "left to the engine's replicated deduplication");
            return local;
        });
    }

    /** Injected faults crash the task like a real one (they are not classified as ClickHouse errors). */
    private void fire(SinkFaultInjector.Point point, SinkFaultInjector.Context context) {
        try {
            faults.at(point, context);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("injected fault at " + point, e);
        }
    }

    /** Pause before retry number {@code step} (0-based): initial × 2^step, capped. */
    long backoffMillis(int step) {
        long initial = Math.max(1, options.initialBackoff().toMillis());
        long max = options.maxBackoff().toMillis();
        int shift = Math.min(step, 30);
        return Math.min(max, initial << shift);
    }

    /** The target of the shard the current committable is sealed for (the single endpoint without shards). */
    private CommitTarget inserter() {
        CommitTarget client = inserters.get(shard);
        if (client == null) {
            client = targets.apply(shard);
            inserters.put(shard, client);
        }
        return client;
    }

    private void resetConnection() {
        // A fresh client after a transport failure: pooled connections to a restarted server are dead.
        CommitTarget client = inserters.remove(shard);
        if (client != null) {
            try {
                client.close();
            } catch (RuntimeException e) {
                LOG.debug("Ignoring failure closing the ClickHouse client", e);
            }
        }
    }

    @Override
    public void close() {
        for (CommitTarget client : inserters.values()) {
            try {
                client.close();
            } catch (RuntimeException e) {
                LOG.debug("Ignoring failure closing the ClickHouse client", e);
            }
        }
        inserters.clear();
    }
}
