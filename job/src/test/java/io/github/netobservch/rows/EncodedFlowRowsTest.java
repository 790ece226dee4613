package io.github.netobservch.rows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.netobservch.enrich.FlowEnricher;
import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowFixtures;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.parse.FlowParser;
import io.github.netobservch.parse.ParserConfig;
import io.github.netobservch.sink.RowBinaryWriter;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The flows sink's encoder for rows: the same batch bytes, partition and probe as {@link FlowRowEncoder} on records. */
class EncodedFlowRowsTest {

    private static FlowRow shuffled(FlowRow r) throws IOException {
        FlowRowSerializer s = new FlowRowSerializer();
        DataOutputSerializer out = new DataOutputSerializer(2048);
        s.serialize(r, out);
        return s.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    @Test
    void aRowIsWrittenAsItsRecordWouldBeWhereverItWasEncoded() throws Exception {
        EncodedFlowRows rows = new EncodedFlowRows();
        FlowRowEncoder records = new FlowRowEncoder();
        assertThat(rows.columns()).isEqualTo(records.columns());
        assertThat(rows.columnTypes()).isEqualTo(records.columnTypes());
        assertThat(rows.probeShape()).isEqualTo(records.probeShape());
        FlowParser parser = new FlowParser(ParserConfig.defaults());
        for (String f : FlowFixtures.ALL) {
            FlowRecord r = FlowEnricher.enrich(parser.parse(FlowFixtures.message(f, 17)));
            assertThat(records.presenceProbe(r)).isNotNull(); // (it has Kafka coordinates)
            RowBinaryWriter expected = new RowBinaryWriter();
            records.encode(r, expected);
            for (FlowRow row : new FlowRow[] {
                FlowRows.plain(r), // chained: encoded into the batch
                FlowRows.withDedupFacts(r),
                shuffled(FlowRows.withDedupFacts(r)) // read back: appended as it is
            }) {
                RowBinaryWriter actual = new RowBinaryWriter();
                actual.writeInt8(42); // (a batch with a row before it)
                rows.encode(row, actual);
                assertThat(actual.copyOfRange(1, actual.size())).isEqualTo(expected.toByteArray());
                assertThat(rows.partitionKey(row)).isEqualTo(records.partitionKey(r));
                assertThat(rows.presenceProbe(row)).isEqualTo(records.presenceProbe(r));
            }
            // a row still holding its record was encoded into the batch, never into an array of its own
            FlowRow chained = FlowRows.plain(r);
            rows.encode(chained, new RowBinaryWriter());
            assertThat(chained.toString()).endsWith("not encoded yet)");
            assertThat(shuffled(FlowRows.plain(r)).toString()).endsWith(expected.size() + " bytes)");
        }
    }

    @Test
    void aSameNodeCopysEmptyRowIsRefused() {
        FlowRecord r = FlowEnricher.enrich(FlowFixtures.parse("example1"));
        r.setBool(ColumnRegistry.DUPLICATE, true);
        FlowRow copy = FlowRows.withDedupFacts(r);
        assertThat(copy.row()).isEmpty();
        assertThatThrownBy(() -> new EncodedFlowRows().encode(copy, new RowBinaryWriter()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("same-node copy");
    }
}
