package io.github.netobservch.sink;

import io.github.netobservch.enrich.FlowEnricher;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.generate.FlowGenerator;
import io.github.netobservch.generate.GeneratedMessage;
import io.github.netobservch.generate.GeneratorConfig;
import io.github.netobservch.local.EmbeddedClickHouse;
import io.github.netobservch.local.LocalJob;
import io.github.netobservch.parse.FlowParser;
import io.github.netobservch.parse.KafkaMessage;
import io.github.netobservch.parse.ParserConfig;
import io.github.netobservch.rows.FlowRowEncoder;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.util.Locale;

/**
 * What one exactly-once batch costs the job's threads (plain main, not a test): an 8 MiB RowBinary
 * batch of generated, parsed and enriched flows of one day, compressed as the writer seals it and
 * inserted (with a token) as the committer commits it — LZ4 blocks decompressed by the committer,
 * LZ4 frames sent as they are ({@code Content-Encoding: lz4}) — into the embedded
 * ClickHouse's {@code flows} table with its rollup views. Prints the calling thread's CPU for each
 * step, eight rounds.
 *
 * <pre>
 * java -cp job/target/test-classes:job/target/classes:$(cat job/target/local/classpath-test.txt) \
 *     io.github.netobservch.sink.CommitCostBenchmark
 * </pre>
 */
public final class CommitCostBenchmark {

    private CommitCostBenchmark() {}

    public static void main(String[] args) throws Exception {
        EmbeddedClickHouse ch = EmbeddedClickHouse.start(Files.createTempDirectory("commit-cost"), 0);
        LocalJob.applySchema(ch.url(), "probe", "default", "", 3650, l -> {});
        FlowParser parser = new FlowParser(ParserConfig.defaults());
        FlowGenerator gen = new FlowGenerator(GeneratorConfig.builder(5L).build());
        FlowRowEncoder enc = new FlowRowEncoder();
        RowBinaryWriter w = new RowBinaryWriter(9 << 20);
        int rows = 0;
        String day = null;
        while (w.size() < 8 << 20) {
            GeneratedMessage m = gen.next();
            if (!m.valid()) {
                continue;
            }
            FlowRecord r = FlowEnricher.enrich(parser.parse(new KafkaMessage("t", 0, rows, 0L, m.value())));
            String d = enc.partitionKey(r);
            if (day == null) {
                day = d;
            }
            if (d.equals(day)) { // one INSERT, one partition, as the sink seals them
                enc.encode(r, w);
                rows++;
            }
        }
        byte[] payload = w.toByteArray();
        ClickHouseSinkOptions options = ClickHouseSinkOptions.builder()
                .url(ch.url())
                .database("probe")
                .table("flows")
                .user("default")
                .build();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (ClickHouseInserter ins = new ClickHouseInserter(options)) {
            for (int i = 0; i < 8; i++) {
                // PayloadCodec.LZ4: the committer decompresses and sends RowBinary; LZ4_FRAME: sent as stored
                for (PayloadCodec codec : new PayloadCodec[] {PayloadCodec.LZ4, PayloadCodec.LZ4_FRAME}) {
                    long c0 = mx.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    byte[] stored = codec.compress(payload);
                    long c1 = mx.getCurrentThreadCpuTime();
                    String encoding = codec.contentEncoding();
                    byte[] body = encoding != null ? stored : codec.decompress(stored, payload.length);
                    long c2 = mx.getCurrentThreadCpuTime();
                    ins.insert(
                            "probe", "flows", enc.columns(), body, encoding, "bench-token-" + System.nanoTime(), true);
                    long c3 = mx.getCurrentThreadCpuTime();
                    long t3 = System.nanoTime();
                    System.out.printf(
                            Locale.ROOT,
                            "%-9s %,d rows, %,d B (stored %,d B): compress %.1f ms, decompress %.1f ms, INSERT %.1f ms"
                                    + " CPU of this thread (%.0f ms wall); %.2f µs per row in all%n",
                            codec,
                            rows,
                            payload.length,
                            stored.length,
                            (c1 - c0) / 1e6,
                            (c2 - c1) / 1e6,
                            (c3 - c2) / 1e6,
                            (t3 - t0) / 1e6,
                            (c3 - c0) / 1e3 / rows);
                }
            }
        }
        ch.close();
        System.exit(0);
    }
}
