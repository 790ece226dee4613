package io.github.netobservch.format;

import io.github.netobservch.generate.FlowGenerator;
import io.github.netobservch.rows.FlowRowEncoder;
import io.github.netobservch.sink.RowBinaryWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.MemorySegment;
import org.apache.flink.core.memory.MemorySegmentFactory;
import org.apache.flink.runtime.io.network.api.serialization.SpillingAdaptiveSpanningRecordDeserializer;
import org.apache.flink.runtime.io.network.api.writer.RecordWriter;
import org.apache.flink.runtime.io.network.buffer.NetworkBuffer;
import org.apache.flink.runtime.plugable.DeserializationDelegate;
import org.apache.flink.runtime.plugable.NonReusingDeserializationDelegate;
import org.apache.flink.runtime.plugable.SerializationDelegate;

/**
 * What crossing the {@code keyBy} shuffle and being written as a row costs a record (plain main,
 * not a test): generated, parsed and enriched records serialized with {@link FlowRecordSerializer}
 * and framed as Flink's record writer does, copied into off-heap network buffers of 32 KB (Flink's
 * default segment size), read back by Flink's network deserializer, then RowBinary-encoded; one
 * thread, the serializer forms alternating, median of the rounds: version 3 (the values' length
 * first, taken out of the buffer in one copy: the job), version 2 (each value read from the buffer
 * on its own) and version 1 (strings as Flink's StringValue).
 *
 * <pre>
 * java -cp job/target/test-classes:job/target/classes:$(cat job/target/local/classpath-test.txt) \
 *     io.github.netobservch.format.SerializerBenchmark [records=100000] [rounds=7]
 * </pre>
 */
public final class SerializerBenchmark {

    private static final int SEGMENT = 32 * 1024;

    private SerializerBenchmark() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        List<FlowRecord> records = FlowGenerator.parsedRecords(3L, n);
        String[] names = {
            "version 3, values in one block (current)",
            "version 2, values one by one (before)",
            "version 1, StringValue"
        };
        int[] forms = {
            FlowRecordSerializer.VALUES_BLOCK,
            FlowRecordSerializer.STRINGS_UTF8,
            FlowRecordSerializer.STRINGS_STRING_VALUE
        };
        RowBinaryWriter row = new RowBinaryWriter(8192);
        FlowRowEncoder encoder = new FlowRowEncoder();
        double[][] perRecordNs = new double[forms.length][rounds];
        long[] bytes = new long[forms.length];
        List<MemorySegment> segments = new ArrayList<>();
        for (int round = -2; round < rounds; round++) { // two warm-up rounds
            for (int which = 0; which < forms.length; which++) {
                FlowRecordSerializer s = new FlowRecordSerializer(
                        FlowRecordSerializer.currentNames(), FlowRecordSerializer.currentKinds(), forms[which]);
                long checksum = 0;
                long t0 = System.nanoTime();
                // writer side: serialize and frame each record, append it to the current network buffer
                DataOutputSerializer framing = new DataOutputSerializer(4096);
                SerializationDelegate<FlowRecord> writing = new SerializationDelegate<>(s);
                List<Integer> sizes = new ArrayList<>();
                int used = 0;
                int segment = 0;
                for (FlowRecord r : records) {
                    writing.setInstance(r);
                    java.nio.ByteBuffer framed = RecordWriter.serializeRecord(framing, writing);
                    while (framed.hasRemaining()) {
                        if (segment == segments.size()) {
                            segments.add(MemorySegmentFactory.allocateUnpooledOffHeapMemory(SEGMENT));
                        }
                        int k = Math.min(SEGMENT - used, framed.remaining());
                        segments.get(segment).put(used, framed, k);
                        used += k;
                        if (used == SEGMENT) {
                            sizes.add(used);
                            segment++;
                            used = 0;
                        }
                    }
                }
                if (used > 0) {
                    sizes.add(used);
                }
                // reader side: Flink's network deserializer over the buffers, then the row
                SpillingAdaptiveSpanningRecordDeserializer<DeserializationDelegate<FlowRecord>> network =
                        new SpillingAdaptiveSpanningRecordDeserializer<>(
                                new String[] {System.getProperty("java.io.tmpdir")});
                NonReusingDeserializationDelegate<FlowRecord> reading = new NonReusingDeserializationDelegate<>(s);
                for (int i = 0; i < sizes.size(); i++) {
                    NetworkBuffer buffer = new NetworkBuffer(segments.get(i), b -> {});
                    buffer.setSize(sizes.get(i));
                    network.setNextBuffer(buffer);
                    while (true) {
                        var result = network.getNextRecord(reading);
                        if (result.isFullRecord()) {
                            FlowRecord back = reading.getInstance();
                            row.reset();
                            encoder.encode(back, row);
                            checksum += row.size() + back.getLong(ColumnRegistry.BYTES);
                        }
                        if (result.isBufferConsumed()) {
                            break;
                        }
                    }
                }
                long ns = System.nanoTime() - t0;
                if (round >= 0) {
                    perRecordNs[which][round] = (double) ns / records.size();
                }
                if (round == 0) {
                    bytes[which] = (long) (sizes.size() - 1) * SEGMENT + sizes.get(sizes.size() - 1);
                }
                if (checksum == 42) {
                    System.out.print("");
                }
            }
        }
        for (int which = 0; which < forms.length; which++) {
            double[] v = perRecordNs[which].clone();
            java.util.Arrays.sort(v);
            System.out.printf(
                    Locale.ROOT,
                    "shuffle round trip (Flink's network buffers) + RowBinary encoding, %s: median %.2f µs per record"
                            + " (%.0f B per record)%n",
                    names[which],
                    v[v.length / 2] / 1000,
                    (double) bytes[which] / records.size());
        }
    }
}
