package io.github.netobservch.rows;

import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.sink.PresenceProbe;
import io.github.netobservch.sink.RowBinaryWriter;
import io.github.netobservch.sink.RowEncoder;
import java.util.List;
import java.util.Map;

/**
 * The {@code flows} sink's encoder for {@link FlowRow}s: a row read back after the shuffle is
 * already RowBinary and is appended as it is; a row still holding its record (chained after the
 * parser) is encoded straight into the batch. Columns, types, partition key and presence probe are {@link FlowRowEncoder}'s
 * (the probe decodes the batch's first row: once per INSERT).
 */
public final class EncodedFlowRows implements RowEncoder<FlowRow> {

    private static final long serialVersionUID = 1L;

    private final FlowRowEncoder flows = new FlowRowEncoder();

    @Override
    public List<String> columns() {
        return flows.columns();
    }

    @Override
    public Map<String, String> columnTypes() {
        return flows.columnTypes();
    }

    @Override
    public String partitionKey(FlowRow row) {
        return flows.partitionKey(row.timeFlowEndMs());
    }

    @Override
    public void encode(FlowRow row, RowBinaryWriter out) {
        FlowRecord record = row.unencoded();
        if (record != null) {
            FlowRows.encode(record, out); // (chained after the parser: encoded straight into the batch)
            return;
        }
        byte[] bytes = row.row();
        if (bytes.length == 0) {
            throw new IllegalArgumentException("a flows row without its bytes (a same-node copy that skipped dedup)");
        }
        out.writeRaw(bytes, 0, bytes.length);
    }

    @Override
    public PresenceProbe presenceProbe(FlowRow row) {
        FlowRecord record = row.unencoded();
        return flows.presenceProbe(record != null ? record : FlowRowLayout.of().decode(row.row()));
    }

    @Override
    public PresenceProbe probeShape() {
        return flows.probeShape();
    }
}
