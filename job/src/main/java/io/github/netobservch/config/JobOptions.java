package io.github.netobservch.config;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

/**
 * Every option of the job, with its default and description. The configuration table in docs/configuration.md is
 * generated from this class ({@link OptionsTable}) and a test fails when they differ.
 *
 * <p>Secrets have no option that takes their value: only {@code *-file} (a mounted Secret) and
 * {@code *-env} (an environment variable name) references, resolved on the TaskManagers.
 */
public final class JobOptions {

    /** Options with this prefix are handed to the Kafka consumer unchanged. */
    public static final String KAFKA_PASSTHROUGH_PREFIX = "kafka.properties.";

    /** Options with this prefix are handed to the ClickHouse client unchanged. */
    public static final String CLICKHOUSE_PASSTHROUGH_PREFIX = "clickhouse.properties.";

    // ---------------------------------------------------------------- Kafka

    public static final ConfigOption<String> KAFKA_BOOTSTRAP_SERVERS = ConfigOptions.key("kafka.bootstrap-servers")
            .stringType()
            .noDefaultValue()
            .withDescription("Required. Kafka bootstrap servers, host:port[,host:port...].");

    public static final ConfigOption<List<String>> KAFKA_TOPICS = ConfigOptions.key("kafka.topics")
            .stringType()
            .asList()
            .defaultValues("flows-export")
            .withDescription("Topics NetObserv exports flows to (semicolon-separated list).");

    public static final ConfigOption<String> KAFKA_GROUP_ID = ConfigOptions.key("kafka.group-id")
            .stringType()
            .defaultValue("netobserv-clickhouse")
            .withDescription("Consumer group id. Offsets are committed on checkpoints for monitoring only;"
                    + " recovery uses Flink's checkpointed offsets.");

    public static final ConfigOption<String> KAFKA_STARTING_OFFSETS = ConfigOptions.key("kafka.starting-offsets")
            .stringType()
            .defaultValue("committed")
            .withDescription("Where a job without state starts: committed (the group's offsets, earliest"
                    + " where none), earliest, latest, or timestamp:EPOCH_MS.");

    public static final ConfigOption<String> KAFKA_SECURITY_PROTOCOL = ConfigOptions.key("kafka.security-protocol")
            .stringType()
            .defaultValue("PLAINTEXT")
            .withDescription("PLAINTEXT, SSL (TLS, optionally mTLS with a keystore), SASL_PLAINTEXT or SASL_SSL.");

    public static final ConfigOption<String> KAFKA_SASL_MECHANISM = ConfigOptions.key("kafka.sasl.mechanism")
            .stringType()
            .defaultValue("SCRAM-SHA-512")
            .withDescription("SASL mechanism for SASL_* protocols: SCRAM-SHA-512 (Strimzi), SCRAM-SHA-256 or PLAIN.");

    public static final ConfigOption<String> KAFKA_SASL_USERNAME = ConfigOptions.key("kafka.sasl.username")
            .stringType()
            .noDefaultValue()
            .withDescription("SASL user name (the Strimzi KafkaUser name).");

    public static final ConfigOption<String> KAFKA_SASL_PASSWORD_FILE = ConfigOptions.key("kafka.sasl.password-file")
            .stringType()
            .noDefaultValue()
            .withDescription("File holding the SASL password (e.g. the KafkaUser Secret's `password` key, mounted).");

    public static final ConfigOption<String> KAFKA_SASL_PASSWORD_ENV = ConfigOptions.key("kafka.sasl.password-env")
            .stringType()
            .noDefaultValue()
            .withDescription("Environment variable holding the SASL password (alternative to the file).");

    public static final ConfigOption<String> KAFKA_TRUSTSTORE_LOCATION = ConfigOptions.key(
                    "kafka.ssl.truststore-location")
            .stringType()
            .noDefaultValue()
            .withDescription("Truststore with the broker CA (Strimzi cluster CA `ca.p12`, or `ca.crt` with type PEM).");

    public static final ConfigOption<String> KAFKA_TRUSTSTORE_TYPE = ConfigOptions.key("kafka.ssl.truststore-type")
            .stringType()
            .defaultValue("PKCS12")
            .withDescription("PKCS12, JKS or PEM.");

    public static final ConfigOption<String> KAFKA_TRUSTSTORE_PASSWORD_FILE = ConfigOptions.key(
                    "kafka.ssl.truststore-password-file")
            .stringType()
            .noDefaultValue()
            .withDescription("File holding the truststore password (Strimzi `ca.password`); not for PEM.");

    public static final ConfigOption<String> KAFKA_KEYSTORE_LOCATION = ConfigOptions.key("kafka.ssl.keystore-location")
            .stringType()
            .noDefaultValue()
            .withDescription("Client keystore for mTLS (Strimzi KafkaUser `user.p12`).");

    public static final ConfigOption<String> KAFKA_KEYSTORE_TYPE = ConfigOptions.key("kafka.ssl.keystore-type")
            .stringType()
            .defaultValue("PKCS12")
            .withDescription("PKCS12 or JKS.");

    public static final ConfigOption<String> KAFKA_KEYSTORE_PASSWORD_FILE = ConfigOptions.key(
                    "kafka.ssl.keystore-password-file")
            .stringType()
            .noDefaultValue()
            .withDescription("File holding the keystore password (Strimzi `user.password`).");

    // ----------------------------------------------------------- ClickHouse

    public static final ConfigOption<String> CLICKHOUSE_URL = ConfigOptions.key("clickhouse.url")
            .stringType()
            .noDefaultValue()
            .withDescription(
                    "Required. ClickHouse HTTP(S) endpoint, e.g. http://clickhouse:8123 or https://host:8443.");

    public static final ConfigOption<List<String>> CLICKHOUSE_SHARD_URLS = ConfigOptions.key("clickhouse.shard-urls")
            .stringType()
            .asList()
            .noDefaultValue()
            .withDescription("One HTTP(S) URL per shard of a sharded cluster (each reaching only that shard's replicas,"
                    + " e.g. a Service per shard), in a fixed order. The sink seals every batch for one shard and sends"
                    + " all its retries and re-commits there, so the shard's deduplication log recognises them. Unset:"
                    + " everything goes to clickhouse.url, which must then reach a single shard.");

    public static final ConfigOption<String> CLICKHOUSE_DATABASE = ConfigOptions.key("clickhouse.database")
            .stringType()
            .defaultValue("netobserv")
            .withDescription("Database holding the flows and dead-letter tables.");

    public static final ConfigOption<String> CLICKHOUSE_USER = ConfigOptions.key("clickhouse.user")
            .stringType()
            .defaultValue("default")
            .withDescription("ClickHouse user.");

    public static final ConfigOption<String> CLICKHOUSE_PASSWORD_FILE = ConfigOptions.key("clickhouse.password-file")
            .stringType()
            .noDefaultValue()
            .withDescription("File holding the ClickHouse password (a mounted Secret).");

    public static final ConfigOption<String> CLICKHOUSE_PASSWORD_ENV = ConfigOptions.key("clickhouse.password-env")
            .stringType()
            .defaultValue("CLICKHOUSE_PASSWORD")
            .withDescription("Environment variable holding the ClickHouse password, used when no password file"
                    + " is set; an unset variable means an empty password.");

    public static final ConfigOption<String> CLICKHOUSE_SSL_ROOT_CERT = ConfigOptions.key("clickhouse.ssl.root-cert")
            .stringType()
            .noDefaultValue()
            .withDescription("CA certificate (PEM) that signed the server certificate, for https URLs only"
                    + " (clickhouse-java's `sslrootcert`). Unset: the JVM's default trust store.");

    public static final ConfigOption<String> CLICKHOUSE_FLOWS_TABLE = ConfigOptions.key("clickhouse.flows-table")
            .stringType()
            .defaultValue("flows")
            .withDescription("Table receiving the flows (created by scripts/apply-schema).");

    public static final ConfigOption<String> CLICKHOUSE_DLQ_TABLE = ConfigOptions.key("clickhouse.dlq-table")
            .stringType()
            .defaultValue("flows_dlq")
            .withDescription("Table receiving dead-lettered messages.");

    // ------------------------------------------------------------- Pipeline

    public static final ConfigOption<String> JOB_NAME = ConfigOptions.key("job.name")
            .stringType()
            .defaultValue("netobserv-flows-to-clickhouse")
            .withDescription("Flink job name.");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = ConfigOptions.key("checkpoint.interval")
            .durationType()
            .noDefaultValue()
            .withDescription("Checkpoint interval; rows become visible in ClickHouse when a checkpoint completes."
                    + " Unset: the cluster's execution.checkpointing.interval, or 30 s when that is unset too.");

    public static final ConfigOption<Duration> EVENT_TIME_OUT_OF_ORDERNESS = ConfigOptions.key(
                    "event-time.max-out-of-orderness")
            .durationType()
            .defaultValue(Duration.ofSeconds(20))
            .withDescription("How late a flow (by TimeFlowEndMs) may arrive behind the newest one seen;"
                    + " bounds how long dedup waits for the other reporter.");

    public static final ConfigOption<Duration> EVENT_TIME_MAX_AHEAD = ConfigOptions.key("event-time.max-ahead-of-kafka")
            .durationType()
            .defaultValue(Duration.ofMinutes(1))
            .withDescription("A record's event time (TimeFlowEndMs) counts at most this far past its Kafka timestamp:"
                    + " an agent whose clock runs ahead cannot push event time into the future and expire other flows'"
                    + " dedup keys early (metric flowSource.eventTimeAheadOfKafka). 0 turns the bound off.");

    public static final ConfigOption<Duration> EVENT_TIME_IDLENESS = ConfigOptions.key("event-time.idleness")
            .durationType()
            .defaultValue(Duration.ofMinutes(1))
            .withDescription("A source split without records for this long stops holding back event time.");

    public static final ConfigOption<MemorySize> PARSE_MAX_MESSAGE_BYTES = ConfigOptions.key("parse.max-message-size")
            .memoryType()
            .defaultValue(MemorySize.parse("1 mb"))
            .withDescription("Larger Kafka messages are dead-lettered as OVERSIZED without being parsed. At most 64 mb"
                    + " (a record keeps its message as the raw column, one field across the job's shuffle).");

    public static final ConfigOption<String> RAW_POLICY = ConfigOptions.key("raw.policy")
            .stringType()
            .defaultValue("unmapped")
            .withDescription("What the raw column keeps of each record: whole (the message as received), unmapped"
                    + " (only the fields no column gives back exactly; the record column rebuilds the rest) or none"
                    + " (nothing; fields without a column are lost). Dead letters keep their payload under every"
                    + " policy. See docs/raw-policy.md.");

    public static final ConfigOption<MemorySize> DLQ_MAX_PAYLOAD = ConfigOptions.key("dlq.max-payload-size")
            .memoryType()
            .defaultValue(MemorySize.parse("64 kb"))
            .withDescription("How much of a rejected message's payload the dead-letter row keeps.");

    public static final ConfigOption<String> DLQ_KAFKA_TOPIC = ConfigOptions.key("dlq.kafka-topic")
            .stringType()
            .noDefaultValue()
            .withDescription("Optional Kafka topic that also receives dead letters as JSON (at-least-once),"
                    + " on the same cluster and credentials as the source.");

    public static final ConfigOption<String> DEDUP_MODE = ConfigOptions.key("dedup.mode")
            .stringType()
            .defaultValue("reporter-election")
            .withDescription("reporter-election (one reporter per flow key and window), console-rule (NetObserv"
                    + " console's stateless filter) or off.");

    public static final ConfigOption<Duration> DEDUP_WINDOW = ConfigOptions.key("dedup.window")
            .durationType()
            .defaultValue(Duration.ofSeconds(60))
            .withDescription("Inactivity after which a flow key's elected reporter is forgotten.");

    public static final ConfigOption<Duration> DEDUP_MAX_WAIT = ConfigOptions.key("dedup.max-wait")
            .durationType()
            .defaultValue(Duration.ofSeconds(30))
            .withDescription("How long (event time) a record of the non-preferred reporter waits for the preferred"
                    + " one before it is kept.");

    // ----------------------------------------------------------------- Sink

    public static final ConfigOption<String> SINK_DELIVERY = ConfigOptions.key("sink.delivery")
            .stringType()
            .defaultValue("exactly-once")
            .withDescription("exactly-once (rows inserted when a checkpoint completes, idempotent re-commits) or"
                    + " at-least-once (inserted as batches fill; duplicates after failures).");

    public static final ConfigOption<Integer> SINK_MAX_ROWS = ConfigOptions.key("sink.max-rows-per-insert")
            .intType()
            .defaultValue(500_000)
            .withDescription("Most rows in one INSERT (one ClickHouse block).");

    public static final ConfigOption<MemorySize> SINK_MAX_BYTES = ConfigOptions.key("sink.max-bytes-per-insert")
            .memoryType()
            .defaultValue(MemorySize.parse("8 mb"))
            .withDescription("Most RowBinary bytes in one INSERT; stays below the server's parallel-parsing chunk.");

    public static final ConfigOption<Duration> SINK_TOLERATED_OUTAGE = ConfigOptions.key("sink.tolerated-outage")
            .durationType()
            .defaultValue(Duration.ofHours(1))
            .withDescription("Longest outage after which re-commits must still be recognised; the start-up check"
                    + " requires a deduplication window that covers it.");

    public static final ConfigOption<String> SINK_SPILL_DIR = ConfigOptions.key("sink.spill-dir")
            .stringType()
            .noDefaultValue()
            .withDescription("Durable directory (a Flink file-system URI: s3://…, hdfs://…, a shared volume) for"
                    + " sealed INSERT payloads beyond sink.spill-threshold; checkpoints then hold their paths, not"
                    + " the rows. Unset: <execution.checkpointing.dir>/clickhouse-spill when the cluster sets a"
                    + " checkpoint directory, else payloads stay in heap and in the checkpoint.");

    public static final ConfigOption<MemorySize> SINK_SPILL_THRESHOLD = ConfigOptions.key("sink.spill-threshold")
            .memoryType()
            .defaultValue(MemorySize.parse("16 mb"))
            .withDescription(
                    "Compressed payload a sink subtask keeps in heap per checkpoint interval; later"
                            + " batches of the interval go to sink.spill-dir (catching up on a backlog). 0: spill every batch.");

    public static final ConfigOption<Duration> SINK_SPILL_RETENTION = ConfigOptions.key("sink.spill-retention")
            .durationType()
            .defaultValue(Duration.ofDays(7))
            .withDescription("Spill files older than this are deleted when the job starts: payloads of batches whose"
                    + " checkpoint never completed. Keep it longer than the age of any checkpoint you may restore.");

    public static final ConfigOption<Boolean> SINK_PREFLIGHT = ConfigOptions.key("sink.preflight")
            .booleanType()
            .defaultValue(true)
            .withDescription("Check the target tables (columns, types, deduplication window) when the sink starts.");

    private JobOptions() {}

    /** Every option declared above, in declaration order. */
    public static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> options = new ArrayList<>();
        for (Field field : JobOptions.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == ConfigOption.class) {
                try {
                    options.add((ConfigOption<?>) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return Collections.unmodifiableList(options);
    }

    /** A readable type name for the documentation table, e.g. {@code Duration} or {@code List<String>}. */
    static String typeName(ConfigOption<?> option) {
        for (Field field : JobOptions.class.getDeclaredFields()) {
            try {
                if (Modifier.isStatic(field.getModifiers()) && field.get(null) == option) {
                    Type t = ((ParameterizedType) field.getGenericType()).getActualTypeArguments()[0];
                    return t.getTypeName().replaceAll("[a-z.]+\\.([A-Z])", "$1");
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalArgumentException("not a job option: " + option.key());
    }
}
