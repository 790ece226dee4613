-- V002: dead letters. One row per Kafka message the job could not turn into a flow record
-- (io.github.netobservch.parse.DeadLetter). The column list is
-- io.github.netobservch.schema.DeadLetterColumns, in that order; DeadLetterColumnsTest fails when
-- they differ. The exactly-once sink loads this table like flows, so it has a dedup window too.
--
-- PARTITION BY toDate(processing_time) (UTC day of rejection), TTL ${dlq_retention_days} days.
CREATE TABLE IF NOT EXISTS ${db}.${table:flows_dlq}${on_cluster}
(
    `reason` LowCardinality(String) COMMENT 'DeadLetterReason code, e.g. MALFORMED_JSON',
    `message` String COMMENT 'parser detail' CODEC(ZSTD(1)),
    `field` LowCardinality(String) COMMENT 'offending JSON key, empty when none',
    `payload` String COMMENT 'original value (bounded), see payload_encoding' CODEC(ZSTD(3)),
    `payload_encoding` LowCardinality(String) COMMENT 'utf8, base64 or none',
    `payload_truncated` Bool,
    `payload_size` UInt32 COMMENT 'length of the original value in bytes',
    `kafka_topic` LowCardinality(String),
    `kafka_partition` Int32,
    `kafka_offset` Int64,
    `kafka_timestamp` DateTime64(3, 'UTC') COMMENT 'record timestamp; 0 (1970-01-01) when the record had none',
    `processing_time` DateTime64(3, 'UTC') COMMENT 'when the job rejected the message'
)
ENGINE = ${engine:MergeTree}
PARTITION BY toDate(processing_time)
ORDER BY (processing_time, kafka_topic, kafka_partition, kafka_offset)
TTL toDate(processing_time) + toIntervalDay(${dlq_retention_days})
SETTINGS ${dedup_settings}, ttl_only_drop_parts = 1;
