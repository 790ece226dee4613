package io.github.netobservch.format;

import io.github.netobservch.enrich.FlowEnricher;
import io.github.netobservch.generate.FlowGenerator;
import io.github.netobservch.generate.GeneratedMessage;
import io.github.netobservch.generate.GeneratorConfig;
import io.github.netobservch.parse.FlowParser;
import io.github.netobservch.parse.ParserConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * What crossing the {@code keyBy} shuffle costs a record (plain main, not a test): serialize +
 * deserialize of generated, parsed and enriched records with {@link FlowRecordSerializer}, one
 * thread, strings as UTF-8 (the current encoding) and as Flink's StringValue (snapshot version 1),
 * alternating, median of the rounds.
 *
 * <pre>
 * java -cp job/target/test-classes:job/target/classes:$(cat job/target/local/classpath-test.txt) \
 *     io.github.netobservch.format.SerializerBenchmark [records=100000] [rounds=7]
 * </pre>
 */
public final class SerializerBenchmark {

    private SerializerBenchmark() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        FlowParser parser = new FlowParser(ParserConfig.defaults());
        FlowGenerator generator = new FlowGenerator(GeneratorConfig.builder(3L).build());
        List<FlowRecord> records = new ArrayList<>(n);
        while (records.size() < n) {
            GeneratedMessage m = generator.next();
            if (m.valid()) {
                records.add(FlowEnricher.enrich(parser.parse(m.value())));
            }
        }
        FlowRecordSerializer utf8 = new FlowRecordSerializer();
        FlowRecordSerializer stringValue = new FlowRecordSerializer(
                FlowRecordSerializer.currentNames(),
                FlowRecordSerializer.currentKinds(),
                FlowRecordSerializer.STRINGS_STRING_VALUE);
        double[][] perRecordNs = new double[2][rounds];
        long[] bytes = new long[2];
        for (int round = -2; round < rounds; round++) { // two warm-up rounds
            for (int which = 0; which < 2; which++) {
                FlowRecordSerializer s = which == 0 ? utf8 : stringValue;
                DataOutputSerializer out = new DataOutputSerializer(4096);
                long checksum = 0;
                long t0 = System.nanoTime();
                for (FlowRecord r : records) {
                    out.clear();
                    s.serialize(r, out);
                    FlowRecord back = s.deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
                    checksum += back.getLong(ColumnRegistry.BYTES);
                    if (round == 0) {
                        bytes[which] += out.length();
                    }
                }
                long ns = System.nanoTime() - t0;
                if (round >= 0) {
                    perRecordNs[which][round] = (double) ns / records.size();
                }
                if (checksum == 42) {
                    System.out.print("");
                }
            }
        }
        for (int which = 0; which < 2; which++) {
            double[] v = perRecordNs[which].clone();
            java.util.Arrays.sort(v);
            System.out.printf(
                    Locale.ROOT,
                    "serializer round trip, strings as %s: median %.2f µs per record (%.0f B per record)%n",
                    which == 0 ? "UTF-8 (version 2)" : "StringValue (version 1)",
                    v[v.length / 2] / 1000,
                    (double) bytes[which] / records.size());
        }
    }
}
