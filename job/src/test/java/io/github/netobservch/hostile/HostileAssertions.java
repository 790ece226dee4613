package io.github.netobservch.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.format.Column;
import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.format.FlowRecordSerializer;
import io.github.netobservch.parse.DeadLetter;
import io.github.netobservch.rows.DeadLetterRowEncoder;
import io.github.netobservch.rows.FlowRowEncoder;
import io.github.netobservch.sink.RowBinaryWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/** Checks shared by the hostile-input tests: what the parser accepts, the sink can write and Flink can ship. */
final class HostileAssertions {

    private static final FlowRowEncoder FLOW_ENCODER = new FlowRowEncoder();
    private static final DeadLetterRowEncoder DLQ_ENCODER = new DeadLetterRowEncoder();
    private static final FlowRecordSerializer SERIALIZER = new FlowRecordSerializer();

    private HostileAssertions() {}

    /** RowBinary-encodes the record and round-trips it through Flink's serializer; returns the RowBinary bytes. */
    static byte[] assertEncodableAndSerializable(FlowRecord r) {
        RowBinaryWriter out = new RowBinaryWriter();
        FLOW_ENCODER.encode(r, out);
        FLOW_ENCODER.partitionKey(r);
        assertThat(out.size()).isPositive();
        FlowRecord copy = roundTrip(r);
        for (Column c : ColumnRegistry.slots()) {
            assertThat(copy.has(c)).as("presence of %s", c.name()).isEqualTo(r.has(c));
        }
        RowBinaryWriter again = new RowBinaryWriter();
        FLOW_ENCODER.encode(copy, again);
        assertThat(Arrays.equals(again.toByteArray(), out.toByteArray()))
                .as("the serializer round trip changes the RowBinary row")
                .isTrue();
        return out.toByteArray();
    }

    static void assertDeadLetterEncodable(DeadLetter d) {
        RowBinaryWriter out = new RowBinaryWriter();
        DLQ_ENCODER.encode(d, out);
        DLQ_ENCODER.partitionKey(d);
        assertThat(out.size()).isPositive();
    }

    static FlowRecord roundTrip(FlowRecord r) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(256);
            SERIALIZER.serialize(r, out);
            FlowRecord copy = SERIALIZER.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
            FlowRecord copied = SERIALIZER.copy(r);
            assertThat(copied.has(ColumnRegistry.SRC_ADDR)).isEqualTo(r.has(ColumnRegistry.SRC_ADDR));
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
