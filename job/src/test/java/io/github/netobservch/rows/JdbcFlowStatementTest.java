package io.github.netobservch.rows;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.bench.JdbcFlowStatement;
import io.github.netobservch.format.Column;
import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowFixtures;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The JdbcSink baseline of the benchmark must write the very rows the job writes, or the
 * comparison is unfair: every column of every fixture, bound through clickhouse-jdbc, reads back
 * equal to the parsed record (the canonical forms of {@link FlowRowEncoderTest}).
 */
@ExtendWith(EmbeddedClickHouseExtension.class)
class JdbcFlowStatementTest {

    @Test
    void jdbcBaselineRowsEqualTheRecordsColumnByColumn(ClickHouseTestServer clickhouse) throws Exception {
        String db = clickhouse.createDatabase("jdbcrows");
        clickhouse.execute(db, ColumnRegistry.createTable("flows", "ENGINE = MergeTree ORDER BY tuple()"));
        List<FlowRecord> records = new ArrayList<>();
        try (Connection c = clickhouse.connect(db);
                PreparedStatement ps = c.prepareStatement(JdbcFlowStatement.insertSql("flows"))) {
            long offset = 0;
            for (String name : FlowFixtures.ALL) {
                FlowRecord r = FlowFixtures.parse(name);
                r.setLong(ColumnRegistry.KAFKA_OFFSET, offset++);
                records.add(r);
                JdbcFlowStatement.bind(ps, r);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        StringJoiner select = new StringJoiner(" || '\\t' || ");
        for (Column c : ColumnRegistry.columns()) {
            select.add(FlowRowEncoderTest.canonicalSql(c));
        }
        List<String> rows = clickhouse.queryColumn(db, "SELECT " + select + " FROM flows ORDER BY kafka_offset");
        assertThat(rows).hasSize(records.size());
        for (int i = 0; i < records.size(); i++) {
            String[] actual = rows.get(i).split("\t", -1);
            int col = 0;
            for (Column c : ColumnRegistry.columns()) {
                assertThat(actual[col++])
                        .as("%s of %s", c.name(), FlowFixtures.ALL.get(i))
                        .isEqualTo(FlowRowEncoderTest.canonicalJava(records.get(i), c));
            }
        }
    }
}
