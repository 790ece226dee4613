package io.github.netobservch.format;

import io.github.netobservch.enrich.FlowEnricher;
import io.github.netobservch.generate.FlowGenerator;
import io.github.netobservch.generate.GeneratedMessage;
import io.github.netobservch.generate.GeneratorConfig;
import io.github.netobservch.parse.FlowParser;
import io.github.netobservch.parse.ParserConfig;
import io.github.netobservch.rows.FlowRowEncoder;
import io.github.netobservch.sink.RowBinaryWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * What crossing the {@code keyBy} shuffle and being written as a row costs a record (plain main,
 * not a test): serialize + deserialize of generated, parsed and enriched records with {@link
 * FlowRecordSerializer}, then RowBinary encoding, one thread, alternating, median of the rounds:
 * strings kept as UTF-8 bytes from the shuffle to the row (the job), decoded in between (before),
 * and as Flink's StringValue (snapshot version 1).
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
        // 0: as the job runs (strings stay UTF-8 from deserialize to the RowBinary row); 1: the same
        // bytes, but every string decoded before encoding (what the writer did before FlowRecord kept
        // them undecoded); 2: strings as Flink's StringValue (snapshot version 1), decoded.
        String[] names = {
            "UTF-8, kept undecoded (current)", "UTF-8, decoded then re-encoded (before)", "StringValue (version 1)"
        };
        FlowRecordSerializer[] serializers = {utf8, utf8, stringValue};
        RowBinaryWriter row = new RowBinaryWriter(8192);
        FlowRowEncoder encoder = new FlowRowEncoder();
        double[][] perRecordNs = new double[3][rounds];
        long[] bytes = new long[3];
        for (int round = -2; round < rounds; round++) { // two warm-up rounds
            for (int which = 0; which < 3; which++) {
                FlowRecordSerializer s = serializers[which];
                DataOutputSerializer out = new DataOutputSerializer(4096);
                long checksum = 0;
                long t0 = System.nanoTime();
                for (FlowRecord r : records) {
                    out.clear();
                    s.serialize(r, out);
                    FlowRecord back = s.deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
                    if (which == 1) {
                        for (Column c : STRING_COLUMNS) {
                            checksum += back.getString(c).length();
                        }
                        for (Column c : STRING_ARRAY_COLUMNS) {
                            checksum += back.getStrings(c).length;
                        }
                    }
                    row.reset();
                    encoder.encode(back, row);
                    checksum += row.size() + back.getLong(ColumnRegistry.BYTES);
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
        for (int which = 0; which < 3; which++) {
            double[] v = perRecordNs[which].clone();
            java.util.Arrays.sort(v);
            System.out.printf(
                    Locale.ROOT,
                    "shuffle round trip + RowBinary encoding, strings %s: median %.2f µs per record (%.0f B per record)%n",
                    names[which],
                    v[v.length / 2] / 1000,
                    (double) bytes[which] / records.size());
        }
    }

    private static final List<Column> STRING_COLUMNS =
            ColumnRegistry.columns().stream().filter(c -> c.kind().isString()).toList();

    private static final List<Column> STRING_ARRAY_COLUMNS = ColumnRegistry.columns().stream()
            .filter(c -> c.kind().isStringArray())
            .toList();
}
