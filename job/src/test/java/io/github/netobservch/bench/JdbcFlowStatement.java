package io.github.netobservch.bench;

import io.github.netobservch.format.Column;
import io.github.netobservch.format.ColumnRegistry;
import io.github.netobservch.format.FlowRecord;
import java.math.BigInteger;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TimeZone;

/**
 * The full {@code flows} row as a JDBC {@code INSERT … VALUES (?, …)} with every column bound —
 * what a user of flink-connector-jdbc's {@code JdbcSink} would write to get the same table this
 * job loads. The JdbcSink baseline uses it so that both sides write identical rows (checked
 * column by column against the RowBinary path in {@code JdbcFlowStatementTest}).
 */
public final class JdbcFlowStatement {

    private static final Calendar UTC = Calendar.getInstance(TimeZone.getTimeZone("UTC"));

    private JdbcFlowStatement() {}

    /** {@code INSERT INTO table (every registry column) VALUES (?, …)}. */
    public static String insertSql(String table) {
        StringJoiner names = new StringJoiner(", ");
        StringJoiner marks = new StringJoiner(", ");
        for (Column c : ColumnRegistry.columns()) {
            names.add("`" + c.name() + "`");
            marks.add("?");
        }
        return "INSERT INTO " + table + " (" + names + ") VALUES (" + marks + ")";
    }

    /** Binds every column of {@code r}, in registry order, with the JDBC type the driver maps best. */
    public static void bind(PreparedStatement s, FlowRecord r) throws SQLException {
        int i = 1;
        for (Column c : ColumnRegistry.columns()) {
            bind(s, i++, r, c);
        }
    }

    private static void bind(PreparedStatement s, int i, FlowRecord r, Column c) throws SQLException {
        if (c.nullable() && !r.has(c)) {
            s.setNull(i, Types.NULL);
            return;
        }
        switch (c.kind()) {
            case UINT64:
                long u = r.getLong(c);
                if (u >= 0) {
                    s.setLong(i, u);
                } else {
                    s.setObject(i, new BigInteger(Long.toUnsignedString(u)));
                }
                break;
            case UINT8, UINT16, UINT32, INT32, INT64:
                s.setLong(i, r.getLong(c));
                break;
            case BOOL:
                s.setBoolean(i, r.getBool(c));
                break;
            case FLOAT64:
                s.setDouble(i, r.getDouble(c));
                break;
            case TIMESTAMP_MS:
                s.setTimestamp(i, new Timestamp(r.getLong(c)), UTC);
                break;
            case TIMESTAMP_S:
                s.setTimestamp(i, new Timestamp(r.getLong(c) * 1000L), UTC);
                break;
            case IP:
                s.setString(i, r.ipText(c));
                break;
            case BITS128:
                s.setObject(i, new java.math.BigInteger(r.bits128Text(c)));
                break;
            case STRING, LOW_CARDINALITY_STRING, MAC:
                s.setString(i, r.getString(c));
                break;
            case RAW_JSON:
                s.setString(i, r.rawText());
                break;
            case STRING_ARRAY, LOW_CARDINALITY_STRING_ARRAY, TCP_FLAGS:
                s.setArray(i, s.getConnection().createArrayOf("String", r.getStrings(c)));
                break;
            case UINT8_ARRAY:
                byte[] bytes = r.getBytes(c);
                short[] values = new short[bytes.length];
                for (int k = 0; k < bytes.length; k++) {
                    values[k] = (short) (bytes[k] & 0xFF);
                }
                s.setObject(i, values);
                break;
            case NETWORK_EVENTS:
                List<Map<String, String>> events = new ArrayList<>();
                for (String[] e : r.getEvents(c)) {
                    Map<String, String> m = new LinkedHashMap<>();
                    for (int k = 0; k + 1 < e.length; k += 2) {
                        m.put(e[k], e[k + 1]);
                    }
                    events.add(m);
                }
                s.setObject(i, events);
                break;
            default:
                throw new IllegalStateException("no JDBC binding for " + c.kind() + " (" + c.name() + ")");
        }
    }
}
