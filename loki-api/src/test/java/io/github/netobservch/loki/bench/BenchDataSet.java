package io.github.netobservch.loki.bench;

import io.github.netobservch.local.EmbeddedClickHouse;
import io.github.netobservch.parse.RawPolicy;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The data set both read-side benchmarks run on (loki-bench, query-bench), as a picocli mixin: which
 * ClickHouse (the embedded one on {@code --data-dir}, or {@code --clickhouse.url}) and how many rows
 * over how many days ({@link LokiApiBenchmark#fill}).
 */
final class BenchDataSet {

    @Option(
            names = "--rows",
            description = "Rows to have in flows (default 10,000,000 for loki-bench, 100,000,000 for query-bench).")
    Long rows;

    @Option(names = "--days", defaultValue = "30", description = "Days the rows span, ending at the fixed 'now'.")
    int days;

    @Option(names = "--seed-records", defaultValue = "20000", description = "Records loaded through the job's encoder.")
    int seedRecords;

    @Option(
            names = "--data-dir",
            defaultValue = "data/loki-bench",
            description = "Embedded ClickHouse data, reused when it already holds --rows rows.")
    Path dataDir;

    @Option(names = "--clickhouse.url", description = "Use this ClickHouse instead of the embedded one.")
    String clickhouseUrl;

    @Option(
            names = "--raw-policy",
            defaultValue = "whole",
            description = "The job's raw.policy the seed records are loaded with (whole, unmapped, none); a reused"
                    + " data set keeps the policy it was loaded with.")
    String rawPolicy;

    /** What a benchmark does with the filled ClickHouse. */
    interface Body {
        void run(String url) throws Exception;
    }

    /** Starts the embedded ClickHouse unless a URL was given, fills it, runs {@code body}, stops it. */
    void run(long defaultRows, Body body) throws Exception {
        EmbeddedClickHouse embedded = null;
        String url = clickhouseUrl;
        if (url == null) {
            embedded = EmbeddedClickHouse.start(dataDir.toAbsolutePath(), 0);
            url = embedded.url();
        }
        try {
            LokiApiBenchmark.fill(
                    new LokiApiBenchmark.ClickHouse(url),
                    rows == null ? defaultRows : rows,
                    days,
                    seedRecords,
                    RawPolicy.parse(rawPolicy));
            body.run(url);
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }
}
