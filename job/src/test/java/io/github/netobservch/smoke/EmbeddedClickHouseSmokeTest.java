package io.github.netobservch.smoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import java.math.BigInteger;
import java.net.InetAddress;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.Calendar;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TimeZone;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * clickhouse-jdbc against the embedded ClickHouse engine (or CLICKHOUSE_URL): the column types a
 * flow table needs, insert deduplication by token, and server errors surfacing with their codes.
 */
@ExtendWith(EmbeddedClickHouseExtension.class)
class EmbeddedClickHouseSmokeTest {

    private static final Calendar UTC = Calendar.getInstance(TimeZone.getTimeZone("UTC"));
    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private ClickHouseTestServer clickhouse;
    private String db;

    @BeforeEach
    void createDatabase(ClickHouseTestServer server) throws SQLException {
        clickhouse = server;
        db = server.createDatabase("smoke");
    }

    @Test
    void serverIsClickHouse26(ClickHouseTestServer server) throws SQLException {
        List<String> version = server.queryColumn(db, "SELECT version()");
        assertThat(version).hasSize(1);
        if (server.isEmbedded()) {
            assertThat(version.get(0)).startsWith("26.");
        }
        try (Connection c = server.connect(db)) {
            assertThat(c.getMetaData().getDatabaseProductName()).isEqualToIgnoringCase("ClickHouse");
        }
    }

    @Test
    void everyFlowColumnTypeRoundTripsThroughABatchInsert() throws Exception {
        clickhouse.execute(db, """
                CREATE TABLE types_t (
                  id UInt32,
                  ts DateTime64(3, 'UTC'),
                  ns LowCardinality(String),
                  ip4 IPv4,
                  ip6 IPv6,
                  maybe Nullable(UInt16),
                  maybe_s Nullable(String),
                  names Array(String),
                  flags Array(UInt8),
                  u8 UInt8, u16 UInt16, u32 UInt32, u64 UInt64,
                  i64 Int64, f64 Float64,
                  dir Enum8('ingress' = 0, 'egress' = 1, 'inner' = 2),
                  labels Map(String, String)
                ) ENGINE = MergeTree PARTITION BY toDate(ts) ORDER BY (ns, ts)
                """);

        String tricky = "it's\t\"tab\"\\ and\n\nblank line, UTF-8 ✓";
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app", "front'end");
        labels.put("k8s.io/\"name\"", "v,1");
        try (Connection c = clickhouse.connect(db);
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO types_t (id, ts, ns, ip4, ip6, maybe, maybe_s, names, flags, u8, u16, u32, u64,"
                                + " i64, f64, dir, labels) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            // Row 1: maxima and awkward strings.
            ps.setInt(1, 1);
            ps.setTimestamp(2, new Timestamp(1_700_000_000_123L), UTC);
            ps.setString(3, tricky);
            ps.setObject(4, InetAddress.getByName("10.129.0.12"));
            ps.setObject(5, InetAddress.getByName("fe80::1:1"));
            ps.setInt(6, 65535);
            ps.setString(7, "present");
            ps.setArray(8, c.createArrayOf("String", new String[] {"eth0", "a'b", "c,d"}));
            ps.setObject(9, new short[] {0, 46, 255});
            ps.setShort(10, (short) 255);
            ps.setInt(11, 65535);
            ps.setLong(12, 4_294_967_295L);
            ps.setObject(13, UINT64_MAX);
            ps.setLong(14, Long.MIN_VALUE);
            ps.setDouble(15, Double.NaN);
            ps.setString(16, "egress");
            ps.setObject(17, labels);
            ps.addBatch();
            // Row 2: nulls, empty collections, IPv4-mapped IPv6, zeros.
            ps.setInt(1, 2);
            ps.setTimestamp(2, new Timestamp(1_700_000_000_999L), UTC);
            ps.setString(3, "netobserv");
            ps.setString(4, "0.0.0.0");
            ps.setString(5, "::ffff:10.0.0.1");
            ps.setNull(6, Types.INTEGER);
            ps.setNull(7, Types.VARCHAR);
            ps.setArray(8, c.createArrayOf("String", new String[0]));
            ps.setObject(9, new short[0]);
            ps.setShort(10, (short) 0);
            ps.setInt(11, 0);
            ps.setLong(12, 0);
            ps.setObject(13, BigInteger.ZERO);
            ps.setLong(14, Long.MAX_VALUE);
            ps.setDouble(15, 1234.5678);
            ps.setString(16, "inner");
            ps.setObject(17, Map.of());
            ps.addBatch();
            int[] counts = ps.executeBatch();
            assertThat(counts).hasSize(2);
        }

        assertThat(clickhouse.queryLong(db, "SELECT count() FROM types_t")).isEqualTo(2);

        try (Connection c = clickhouse.connect(db);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT * FROM types_t ORDER BY id")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt("id")).isEqualTo(1);
            assertThat(rs.getTimestamp("ts", UTC).getTime()).isEqualTo(1_700_000_000_123L);
            assertThat(rs.getString("ns")).isEqualTo(tricky);
            assertThat(rs.getObject("ip4")).isEqualTo(InetAddress.getByName("10.129.0.12"));
            assertThat(rs.getObject("ip6")).isEqualTo(InetAddress.getByName("fe80::1:1"));
            assertThat(rs.getInt("maybe")).isEqualTo(65535);
            assertThat(rs.getString("maybe_s")).isEqualTo("present");
            Array names = rs.getArray("names");
            assertThat((Object[]) names.getArray()).containsExactly("eth0", "a'b", "c,d");
            assertThat(numbers(rs.getArray("flags"))).containsExactly(0L, 46L, 255L);
            assertThat(rs.getInt("u8")).isEqualTo(255);
            assertThat(rs.getInt("u16")).isEqualTo(65535);
            assertThat(rs.getLong("u32")).isEqualTo(4_294_967_295L);
            assertThat(new BigInteger(rs.getString("u64"))).isEqualTo(UINT64_MAX);
            assertThat(rs.getLong("i64")).isEqualTo(Long.MIN_VALUE);
            assertThat(rs.getDouble("f64")).isNaN();
            assertThat(rs.getString("dir")).isEqualTo("egress");
            assertThat((Map<?, ?>) rs.getObject("labels")).isEqualTo(labels);

            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt("id")).isEqualTo(2);
            assertThat(rs.getTimestamp("ts", UTC).getTime()).isEqualTo(1_700_000_000_999L);
            assertThat(rs.getString("ip4")).isEqualTo("0.0.0.0");
            assertThat(((InetAddress) rs.getObject("ip6")).getHostAddress()).isEqualTo("10.0.0.1");
            assertThat(rs.getObject("maybe")).isNull();
            assertThat(rs.wasNull()).isTrue();
            assertThat(rs.getString("maybe_s")).isNull();
            assertThat((Object[]) rs.getArray("names").getArray()).isEmpty();
            assertThat(numbers(rs.getArray("flags"))).isEmpty();
            assertThat(rs.getLong("u64")).isZero();
            assertThat(rs.getLong("i64")).isEqualTo(Long.MAX_VALUE);
            assertThat(rs.getDouble("f64")).isEqualTo(1234.5678);
            assertThat(rs.getString("dir")).isEqualTo("inner");
            assertThat((Map<?, ?>) rs.getObject("labels")).isEmpty();

            assertThat(rs.next()).isFalse();
        }

        // The server's own view of the stored values, independent of the driver's decoding.
        assertThat(clickhouse.queryColumn(
                        db,
                        "SELECT concat(toString(ip6), '|', toString(u64), '|', toString(flags),"
                                + " '|', toString(ts)) FROM types_t ORDER BY id"))
                .containsExactly(
                        "fe80::1:1|18446744073709551615|[0,46,255]|2023-11-14 22:13:20.123",
                        "::ffff:10.0.0.1|0|[]|2023-11-14 22:13:20.999");
    }

    /** Elements of an SQL array of integers, whatever Java array type the driver chose. */
    private static List<Long> numbers(Array array) throws SQLException {
        Object elements = array.getArray();
        List<Long> out = new java.util.ArrayList<>();
        for (int i = 0; i < java.lang.reflect.Array.getLength(elements); i++) {
            out.add(((Number) java.lang.reflect.Array.get(elements, i)).longValue());
        }
        return out;
    }

    @Test
    void aRepeatedInsertWithTheSameDeduplicationTokenIsDropped() throws SQLException {
        clickhouse.execute(
                db,
                "CREATE TABLE dedup_t (k UInt64, v String) ENGINE = MergeTree ORDER BY k"
                        + " SETTINGS non_replicated_deduplication_window = 1000");

        // Token as a query-level SETTINGS clause.
        String insertA = "INSERT INTO dedup_t SETTINGS insert_deduplication_token = 'tok-a' VALUES (1, 'x'), (2, 'y')";
        clickhouse.execute(db, insertA);
        clickhouse.execute(db, insertA);
        assertThat(clickhouse.queryLong(db, "SELECT count() FROM dedup_t")).isEqualTo(2);

        // Same token, different rows: still dropped, the token alone identifies the block.
        clickhouse.execute(db, "INSERT INTO dedup_t SETTINGS insert_deduplication_token = 'tok-a' VALUES (3, 'z')");
        assertThat(clickhouse.queryLong(db, "SELECT count() FROM dedup_t")).isEqualTo(2);

        // Token as a per-request server setting (sent as a URL parameter, the path the sink uses).
        Properties withToken = clickhouse.credentials();
        withToken.setProperty("clickhouse_setting_insert_deduplication_token", "tok-b");
        for (int attempt = 0; attempt < 3; attempt++) {
            try (Connection c = java.sql.DriverManager.getConnection(clickhouse.jdbcUrl(db), withToken);
                    PreparedStatement ps = c.prepareStatement("INSERT INTO dedup_t (k, v) VALUES (?, ?)")) {
                for (int k = 10; k < 15; k++) {
                    ps.setLong(1, k);
                    ps.setString(2, "batch-" + k);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        assertThat(clickhouse.queryLong(db, "SELECT count() FROM dedup_t")).isEqualTo(7);
        assertThat(clickhouse.queryLong(db, "SELECT sum(k) FROM dedup_t")).isEqualTo(1 + 2 + 10 + 11 + 12 + 13 + 14);

        // A different token inserts; the per-request setting did not leak into this connection.
        clickhouse.execute(db, "INSERT INTO dedup_t SETTINGS insert_deduplication_token = 'tok-c' VALUES (3, 'z')");
        assertThat(clickhouse.queryLong(db, "SELECT count() FROM dedup_t")).isEqualTo(8);
        assertThat(clickhouse.queryColumn(db, "SELECT getSetting('insert_deduplication_token')"))
                .containsExactly("");
    }

    @Test
    void aSyntaxErrorSurfacesAsSqlExceptionWithCode62AndTheConnectionStaysUsable() throws SQLException {
        try (Connection c = clickhouse.connect(db);
                Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery("SELEC 1"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(
                            e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(62))
                    .hasMessageContaining("Syntax error");
            assertThatThrownBy(() -> s.executeQuery("SELECT * FROM no_such_table"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(
                            e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(60));
            try (ResultSet rs = s.executeQuery("SELECT 42")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(42);
                assertThat(rs.next()).isFalse();
            }
        }
    }
}
