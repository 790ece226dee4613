package io.github.netobservch.sink;

import io.github.netobservch.clickhouse.ClickHouseUrl;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.util.function.SerializableSupplier;

/**
 * Immutable configuration of {@link ClickHouseSink}. Build with {@link #builder()}.
 *
 * <p>The password is never part of {@link #toString()} or any log line.
 */
public final class ClickHouseSinkOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * Default rows per INSERT: half of ClickHouse's {@code max_insert_block_size} (1,048,449), so
     * every INSERT stays one block and a retry reproduces the same (single) block.
     */
    public static final int DEFAULT_MAX_ROWS = 500_000;

    /**
     * Default bytes per INSERT (uncompressed RowBinary): 8 MiB, below the 10 MiB
     * {@code min_chunk_bytes_for_parallel_parsing} and far below {@code min_insert_block_size_bytes}.
     */
    public static final long DEFAULT_MAX_BYTES = 8L * 1024 * 1024;

    private final String endpoint;
    private final String database;
    private final String table;
    private final String user;
    private final String password;
    /** Supplies the password on the TaskManager (a secret file or variable), or {@code null}: {@link #password}. */
    private final SerializableSupplier<String> passwordRef;

    private final java.util.Map<String, String> clientOptions;
    private final int maxRowsPerInsert;
    private final long maxBytesPerInsert;
    private final DeliveryGuarantee deliveryMode;
    private final int maxAttemptsPerCommit;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration connectTimeout;
    private final Duration socketTimeout;
    private final boolean idempotentCommits;
    private final boolean trustChecks;
    private final boolean sendTokens;
    private final String sinkName;
    private final PayloadCodec payloadCodec;
    private final boolean preflightOnOpen;
    private final Duration checkpointInterval;
    private final Duration toleratedOutage;
    private final int parallelism;
    private final int partitionsPerCheckpoint;
    private final List<String> shardEndpoints;
    private final SpillSettings spill;

    private ClickHouseSinkOptions(Builder b) {
        this.spill = b.spill;
        this.endpoint = b.endpoint;
        this.database = b.database;
        this.table = b.table;
        this.user = b.user;
        this.password = b.password;
        this.passwordRef = b.passwordRef;
        this.clientOptions = java.util.Map.copyOf(b.clientOptions);
        this.maxRowsPerInsert = b.maxRowsPerInsert;
        this.maxBytesPerInsert = b.maxBytesPerInsert;
        this.deliveryMode = b.deliveryMode;
        this.maxAttemptsPerCommit = b.maxAttemptsPerCommit;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.connectTimeout = b.connectTimeout;
        this.socketTimeout = b.socketTimeout;
        this.idempotentCommits = b.idempotentCommits;
        this.trustChecks = b.trustChecks;
        this.sendTokens = b.sendTokens;
        this.sinkName = b.sinkName;
        this.payloadCodec = b.payloadCodec;
        this.preflightOnOpen = b.preflightOnOpen;
        this.checkpointInterval = b.checkpointInterval;
        this.toleratedOutage = b.toleratedOutage;
        this.parallelism = b.parallelism;
        this.partitionsPerCheckpoint = b.partitionsPerCheckpoint;
        this.shardEndpoints = List.copyOf(b.shardEndpoints);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder with every value of this instance. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.endpoint = endpoint;
        b.database = database;
        b.table = table;
        b.user = user;
        b.password = password;
        b.passwordRef = passwordRef;
        b.clientOptions = new java.util.LinkedHashMap<>(clientOptions);
        b.maxRowsPerInsert = maxRowsPerInsert;
        b.maxBytesPerInsert = maxBytesPerInsert;
        b.deliveryMode = deliveryMode;
        b.maxAttemptsPerCommit = maxAttemptsPerCommit;
        b.initialBackoff = initialBackoff;
        b.maxBackoff = maxBackoff;
        b.connectTimeout = connectTimeout;
        b.socketTimeout = socketTimeout;
        b.idempotentCommits = idempotentCommits;
        b.trustChecks = trustChecks;
        b.sendTokens = sendTokens;
        b.sinkName = sinkName;
        b.payloadCodec = payloadCodec;
        b.preflightOnOpen = preflightOnOpen;
        b.checkpointInterval = checkpointInterval;
        b.toleratedOutage = toleratedOutage;
        b.parallelism = parallelism;
        b.partitionsPerCheckpoint = partitionsPerCheckpoint;
        b.shardEndpoints = new java.util.ArrayList<>(shardEndpoints);
        b.spill = spill;
        return b;
    }

    /**
     * One endpoint per shard ({@code clickhouse.shard-urls}), or empty when the sink writes to the
     * single {@link #endpoint()}. With shards, every committable is sealed for one shard and all its
     * attempts and re-commits go to that shard's endpoint, whose replicas share its deduplication
     * log; a load balancer spreading requests over several shards would let a retry land where the
     * token was never seen, and insert the batch twice.
     */
    public List<String> shardEndpoints() {
        return shardEndpoints;
    }

    /** The options of one shard ({@code shard} from a committable; -1 or no shards: these options). */
    public ClickHouseSinkOptions forShard(int shard) {
        if (shard < 0 || shardEndpoints.isEmpty()) {
            return this;
        }
        if (shard >= shardEndpoints.size()) {
            throw new IllegalStateException("a committable was sealed for shard " + shard + ", but only "
                    + shardEndpoints.size()
                    + " shard URLs are configured: never remove shards from clickhouse.shard-urls"
                    + " while committables of them may be pending (restore from a savepoint taken with the old list"
                    + " and let it commit first)");
        }
        Builder b = toBuilder();
        b.endpoint = shardEndpoints.get(shard);
        b.shardEndpoints = new java.util.ArrayList<>();
        return b.build();
    }

    /** HTTP(S) base URL of the server, e.g. {@code http://clickhouse:8123}. */
    public String endpoint() {
        return endpoint;
    }

    public String database() {
        return database;
    }

    public String table() {
        return table;
    }

    public String user() {
        return user;
    }

    /**
     * The password, from its supplier where one is set (this runs on the
     * TaskManager, when a client is created); callers must not log it.
     */
    String password() {
        return passwordRef != null ? passwordRef.get() : password;
    }

    /** Extra clickhouse-java client options (TLS such as {@code sslrootcert}, timeouts, ...). */
    public java.util.Map<String, String> clientOptions() {
        return clientOptions;
    }

    public int maxRowsPerInsert() {
        return maxRowsPerInsert;
    }

    public long maxBytesPerInsert() {
        return maxBytesPerInsert;
    }

    public DeliveryGuarantee deliveryMode() {
        return deliveryMode;
    }

    /** INSERT attempts inside one {@code commit()} call before the request is handed back to Flink. */
    public int maxAttemptsPerCommit() {
        return maxAttemptsPerCommit;
    }

    public Duration initialBackoff() {
        return initialBackoff;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration socketTimeout() {
        return socketTimeout;
    }

    /**
     * True (always, in production): every INSERT carries the committable's deduplication token with
     * {@code insert_deduplicate=1}. False is a test-only negative control that sends no token and
     * {@code insert_deduplicate=0}, i.e. a naive at-least-once committer.
     */
    public boolean idempotentCommits() {
        return idempotentCommits;
    }

    /**
     * True (always, in production): before a batch a presence probe did not find is inserted
     * again, the committer checks that the probe could have seen it ({@code CommitExecutor}). False
     * is a test-only negative control that trusts every absence, as the committer did before.
     */
    public boolean probeTrustChecks() {
        return trustChecks;
    }

    /**
     * True (always, in production): INSERTs carry the committable's token. False, with {@link
     * #idempotentCommits()}, is a test-only negative control: {@code insert_deduplicate=1} without a
     * token, so ClickHouse deduplicates by block hash.
     */
    public boolean sendTokens() {
        return sendTokens;
    }

    public String sinkName() {
        return sinkName;
    }

    PayloadCodec payloadCodec() {
        return payloadCodec;
    }

    public boolean preflightOnOpen() {
        return preflightOnOpen;
    }

    /** The job's checkpoint interval, for the dedup window check; null = skip that check. */
    public Duration checkpointInterval() {
        return checkpointInterval;
    }

    public Duration toleratedOutage() {
        return toleratedOutage;
    }

    /** Where sealed payloads beyond a threshold go (exactly-once only); {@link SpillSettings#NONE}: nowhere. */
    public SpillSettings spill() {
        return spill;
    }

    public int parallelism() {
        return parallelism;
    }

    public int partitionsPerCheckpoint() {
        return partitionsPerCheckpoint;
    }

    /**
     * INSERTs the dedup window must remember: parallelism × partitions per checkpoint × checkpoints
     * during the tolerated outage (at least 1). 0 when no checkpoint interval is configured.
     */
    public long requiredDeduplicationWindow() {
        if (checkpointInterval == null) {
            return 0;
        }
        long interval = Math.max(1, checkpointInterval.toMillis());
        long checkpoints = Math.max(1, (toleratedOutage.toMillis() + interval - 1) / interval);
        return (long) parallelism * partitionsPerCheckpoint * checkpoints;
    }

    /** {@code database.table}, backquoted. */
    public String qualifiedTable() {
        return quote(database) + "." + quote(table);
    }

    static String quote(String identifier) {
        return "`" + identifier.replace("\\", "\\\\").replace("`", "\\`") + "`";
    }

    @Override
    public String toString() {
        return "ClickHouseSinkOptions{endpoint=" + endpoint + ", table=" + database + "." + table
                + ", user=" + user + ", password="
                + (passwordRef != null ? passwordRef.toString() : password.isEmpty() ? "<empty>" : "<hidden>")
                + ", mode=" + deliveryMode + ", maxRows=" + maxRowsPerInsert + ", maxBytes=" + maxBytesPerInsert
                + ", attempts=" + maxAttemptsPerCommit + ", backoff=" + initialBackoff + ".." + maxBackoff
                + ", idempotent=" + idempotentCommits + ", sinkName=" + sinkName + ", codec=" + payloadCodec
                + (shardEndpoints.isEmpty() ? "" : ", shards=" + shardEndpoints)
                + (spill.enabled()
                        ? ", spill=" + ClickHouseUrl.redact(spill.dir()) + " above " + spill.thresholdBytes() + " bytes"
                        : "")
                + "}";
    }

    /** Builder; {@link #build()} validates. */
    public static final class Builder {
        private String endpoint;
        private String database = "default";
        private String table;
        private String user = "default";
        private String password = "";
        private SerializableSupplier<String> passwordRef;
        private java.util.Map<String, String> clientOptions = new java.util.LinkedHashMap<>();
        private int maxRowsPerInsert = DEFAULT_MAX_ROWS;
        private long maxBytesPerInsert = DEFAULT_MAX_BYTES;
        private DeliveryGuarantee deliveryMode = DeliveryGuarantee.EXACTLY_ONCE;
        private int maxAttemptsPerCommit = 4;
        private Duration initialBackoff = Duration.ofMillis(200);
        private Duration maxBackoff = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration socketTimeout = Duration.ofSeconds(60);
        private boolean idempotentCommits = true;
        private boolean trustChecks = true;
        private boolean sendTokens = true;
        private java.util.List<String> shardEndpoints = new java.util.ArrayList<>();
        private String sinkName = "clickhouse";
        private PayloadCodec payloadCodec = PayloadCodec.LZ4_FRAME;
        private boolean preflightOnOpen = true;
        private Duration checkpointInterval;
        private Duration toleratedOutage = Duration.ofHours(1);
        private int parallelism = 1;
        private int partitionsPerCheckpoint = 2;
        private SpillSettings spill = SpillSettings.NONE;

        private Builder() {}

        public Builder spill(SpillSettings settings) {
            this.spill = settings;
            return this;
        }

        /** HTTP(S) endpoint, or a {@code jdbc:clickhouse:} / {@code jdbc:ch:} URL whose path names the database. */
        public Builder url(String url) {
            Objects.requireNonNull(url, "url");
            ClickHouseUrl parsed = ClickHouseUrl.parse(url, "url");
            this.endpoint = parsed.endpoint();
            parsed.database().ifPresent(db -> this.database = db);
            return this;
        }

        public Builder database(String database) {
            this.database = database;
            return this;
        }

        public Builder table(String table) {
            this.table = table;
            return this;
        }

        public Builder user(String user) {
            this.user = user;
            return this;
        }

        /**
         * A literal password. It travels inside the job graph: for tests and local runs only; a
         * deployed job uses {@link #password(SerializableSupplier)}.
         */
        public Builder password(String password) {
            this.password = password == null ? "" : password;
            return this;
        }

        /** Where the password lives (file or environment variable); read where the client is created. */
        /**
         * The password as a supplier resolved where a connection opens (the job passes its {@code
         * SecretRef}); its {@code toString()} appears in {@link ClickHouseSinkOptions#toString()} and
         * must not reveal the secret. {@code null}: the plain {@link #password(String)}.
         */
        public Builder password(SerializableSupplier<String> ref) {
            this.passwordRef = ref;
            return this;
        }

        /** Adds clickhouse-java client options, applied when the client is built. */
        public Builder clientOptions(java.util.Map<String, String> options) {
            this.clientOptions.putAll(options);
            return this;
        }

        public Builder maxRowsPerInsert(int rows) {
            this.maxRowsPerInsert = rows;
            return this;
        }

        public Builder maxBytesPerInsert(long bytes) {
            this.maxBytesPerInsert = bytes;
            return this;
        }

        public Builder deliveryMode(DeliveryGuarantee mode) {
            this.deliveryMode = mode;
            return this;
        }

        public Builder maxAttemptsPerCommit(int attempts) {
            this.maxAttemptsPerCommit = attempts;
            return this;
        }

        public Builder backoff(Duration initial, Duration max) {
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        public Builder socketTimeout(Duration timeout) {
            this.socketTimeout = timeout;
            return this;
        }

        /**
         * One HTTP(S) URL per shard (see {@link ClickHouseSinkOptions#shardEndpoints()}); the shard
         * order must stay the same across restarts, since committables name their shard by index.
         */
        public Builder shardUrls(java.util.List<String> urls) {
            java.util.List<String> endpoints = new java.util.ArrayList<>();
            for (String u : urls) {
                Builder probe = new Builder();
                probe.url(u);
                endpoints.add(probe.endpoint);
            }
            this.shardEndpoints = endpoints;
            return this;
        }

        /** Test-only negative control: false deduplicates by block hash instead of tokens (see {@link #sendTokens()}). */
        public Builder sendTokens(boolean send) {
            this.sendTokens = send;
            return this;
        }

        /** Test-only negative control: false trusts every absent probe answer (see {@link #probeTrustChecks()}). */
        public Builder probeTrustChecks(boolean check) {
            this.trustChecks = check;
            return this;
        }

        /** Test-only negative control: false drops the idempotency token (see {@link #idempotentCommits()}). */
        public Builder idempotentCommits(boolean idempotent) {
            this.idempotentCommits = idempotent;
            return this;
        }

        public Builder sinkName(String name) {
            this.sinkName = name;
            return this;
        }

        Builder payloadCodec(PayloadCodec codec) {
            this.payloadCodec = codec;
            return this;
        }

        public Builder preflightOnOpen(boolean enabled) {
            this.preflightOnOpen = enabled;
            return this;
        }

        /**
         * Inputs of the dedup-window check: the job's checkpoint interval, the longest outage after
         * which a re-commit must still be recognised, the sink parallelism and the number of table
         * partitions a checkpoint typically touches (2 for day partitions around midnight).
         */
        public Builder deduplicationRequirements(
                Duration checkpointInterval, Duration toleratedOutage, int parallelism, int partitionsPerCheckpoint) {
            this.checkpointInterval = checkpointInterval;
            this.toleratedOutage = toleratedOutage;
            this.parallelism = parallelism;
            this.partitionsPerCheckpoint = partitionsPerCheckpoint;
            return this;
        }

        public ClickHouseSinkOptions build() {
            require(endpoint != null, "url is required");
            require(database != null && !database.isBlank(), "database is required");
            require(table != null && !table.isBlank(), "table is required");
            require(user != null, "user is required");
            require(
                    maxRowsPerInsert > 0 && maxRowsPerInsert < 1_048_449,
                    "maxRowsPerInsert must be in 1..1048448 (below max_insert_block_size), got " + maxRowsPerInsert);
            require(
                    maxBytesPerInsert > 0 && maxBytesPerInsert <= 1L << 30,
                    "maxBytesPerInsert must be in 1..1 GiB, got " + maxBytesPerInsert);
            require(
                    deliveryMode == DeliveryGuarantee.EXACTLY_ONCE || deliveryMode == DeliveryGuarantee.AT_LEAST_ONCE,
                    "deliveryMode must be EXACTLY_ONCE or AT_LEAST_ONCE, got " + deliveryMode);
            require(maxAttemptsPerCommit >= 1, "maxAttemptsPerCommit must be >= 1");
            require(
                    initialBackoff != null
                            && !initialBackoff.isNegative()
                            && maxBackoff != null
                            && maxBackoff.compareTo(initialBackoff) >= 0,
                    "backoff must satisfy 0 <= initial <= max");
            require(connectTimeout != null && socketTimeout != null, "timeouts are required");
            require(
                    sinkName != null && sinkName.matches("[A-Za-z0-9._-]{1,64}"),
                    "sinkName must match [A-Za-z0-9._-]{1,64}, got " + sinkName);
            require(payloadCodec != null, "payloadCodec is required");
            require(spill != null, "spill settings are required (SpillSettings.NONE for none)");
            require(
                    toleratedOutage != null && parallelism >= 1 && partitionsPerCheckpoint >= 1,
                    "deduplicationRequirements need an outage, parallelism >= 1 and partitionsPerCheckpoint >= 1");
            return new ClickHouseSinkOptions(this);
        }

        private static void require(boolean condition, String message) {
            if (!condition) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
