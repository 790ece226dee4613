package io.github.netobservch.rows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.netobservch.enrich.FlowEnricher;
import io.github.netobservch.format.Column;
import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowFixtures;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.format.ValueKind;
import io.github.netobservch.hostile.ParserOutcomes;
import io.github.netobservch.parse.FlowParseException;
import io.github.netobservch.parse.FlowParser;
import io.github.netobservch.parse.ParserConfig;
import io.github.netobservch.parse.RawPolicy;
import io.github.netobservch.sink.RowBinaryWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link FlowRowLayout#decode}: the inverse of {@link FlowRowEncoder} (the presence probe and state migration read rows). */
class FlowRowLayoutTest {

    /** Every accepted record of the parser-outcome messages (fixtures, hostile corpus, mutations), per raw policy. */
    private static List<FlowRecord> acceptedRecords() {
        List<byte[]> messages = ParserOutcomes.messages();
        List<FlowRecord> records = new ArrayList<>();
        for (RawPolicy policy : RawPolicy.values()) {
            FlowParser parser =
                    new FlowParser(ParserConfig.builder().rawPolicy(policy).build());
            for (byte[] m : messages) {
                try {
                    records.add(FlowEnricher.enrich(parser.parse(m)));
                } catch (FlowParseException e) {
                    // rejected: dead-lettered, never a row
                }
            }
        }
        return records;
    }

    @Test
    void everyAcceptedRecordsRowDecodesToARecordThatEncodesToTheSameBytes() {
        List<FlowRecord> records = acceptedRecords();
        assertThat(records).hasSizeGreaterThan(10_000);
        FlowRowLayout layout = FlowRowLayout.of();
        assertThat(layout.isCurrent()).isTrue();
        FlowRowEncoder encoder = new FlowRowEncoder();
        for (FlowRecord r : records) {
            byte[] row = FlowRows.encode(r);
            FlowRecord back = layout.decode(row);
            assertThat(FlowRows.encode(back)).isEqualTo(row);
            // what the sink asks of a decoded row: the probe of its INSERT and its partition
            assertThat(encoder.presenceProbe(back)).isEqualTo(encoder.presenceProbe(r));
            assertThat(encoder.partitionKey(back)).isEqualTo(encoder.partitionKey(r));
        }
    }

    @Test
    void valuesComeBackColumnByColumn() {
        FlowRecord r = FlowEnricher.enrich(FlowFixtures.parse("example1"));
        FlowRecord back = FlowRowLayout.of().decode(FlowRows.encode(r));
        for (Column c : ColumnRegistry.columns()) {
            if (r.has(c)) {
                Object expected = r.value(c);
                Object actual = back.value(c);
                if (expected instanceof Object[] a) {
                    assertThat(Arrays.deepEquals(a, (Object[]) actual))
                            .as(c.name())
                            .isTrue();
                } else if (expected instanceof byte[] b) {
                    assertThat((byte[]) actual).as(c.name()).isEqualTo(b);
                } else {
                    assertThat(actual).as(c.name()).isEqualTo(expected);
                }
            } else if (c.nullable()) {
                assertThat(back.has(c)).as(c.name()).isFalse(); // NULL stays absent
            }
        }
    }

    /**
     * A row written before a column was dropped (a layout with one more column) is read by name: the
     * retired column is skipped, every other value lands in its column.
     */
    @Test
    void aRowOfAnEarlierLayoutIsReadByColumnName() {
        FlowRecord r = FlowEnricher.enrich(FlowFixtures.parse("example2"));
        List<Column> columns = ColumnRegistry.columns();
        int at = 5;
        String[] names = new String[columns.size() + 1];
        ValueKind[] kinds = new ValueKind[names.length];
        boolean[] nullable = new boolean[names.length];
        RowBinaryWriter old = new RowBinaryWriter();
        RowBinaryWriter one = new RowBinaryWriter();
        FlowRowLayout current = FlowRowLayout.of();
        byte[] row = FlowRows.encode(r);
        // the earlier layout: today's columns with a retired String column at position `at`
        for (int i = 0, j = 0; i < names.length; i++) {
            if (i == at) {
                names[i] = "retired_column";
                kinds[i] = ValueKind.STRING;
                old.writeString("gone");
                continue;
            }
            Column c = columns.get(j++);
            names[i] = c.name();
            kinds[i] = c.kind();
            nullable[i] = c.nullable();
        }
        // today's row with the retired column's bytes put in at the start of column `at`
        int split = prefixLength(r, at);
        one.writeRaw(row, 0, split);
        one.writeRaw(old.toByteArray(), 0, old.size());
        one.writeRaw(row, split, row.length - split);
        FlowRowLayout earlier = new FlowRowLayout(names, kinds, nullable);
        assertThat(earlier.isCurrent()).isFalse();
        assertThat(FlowRows.encode(earlier.decode(one.toByteArray()))).isEqualTo(row);
        // and read with today's layout, the same bytes are not a row
        assertThatThrownBy(() -> current.decode(one.toByteArray())).isInstanceOf(IllegalArgumentException.class);
    }

    /** The bytes of the first {@code n} columns of the record's row. */
    private static int prefixLength(FlowRecord r, int n) {
        List<Column> columns = ColumnRegistry.columns();
        String[] names = new String[n];
        ValueKind[] kinds = new ValueKind[n];
        boolean[] nullable = new boolean[n];
        for (int i = 0; i < n; i++) {
            names[i] = columns.get(i).name();
            kinds[i] = columns.get(i).kind();
            nullable[i] = columns.get(i).nullable();
        }
        FlowRowLayout prefix = new FlowRowLayout(names, kinds, nullable);
        byte[] row = FlowRows.encode(r);
        for (int length = 0; length <= row.length; length++) {
            try {
                prefix.decode(Arrays.copyOf(row, length));
                return length;
            } catch (IllegalArgumentException e) {
                // not yet the end of column n
            }
        }
        throw new AssertionError("no prefix of " + n + " columns");
    }

    @Test
    void aTruncatedOrOverlongRowIsRefused() {
        byte[] row = FlowRows.encode(FlowEnricher.enrich(FlowFixtures.parse("example3")));
        FlowRowLayout layout = FlowRowLayout.of();
        assertThatThrownBy(() -> layout.decode(Arrays.copyOf(row, row.length - 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a flows row");
        assertThatThrownBy(() -> layout.decode(Arrays.copyOf(row, row.length + 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 bytes left over");
        assertThatThrownBy(() -> layout.decode(new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }
}
