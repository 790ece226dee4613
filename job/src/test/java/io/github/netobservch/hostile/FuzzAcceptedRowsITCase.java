package io.github.netobservch.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.netobservch.enrich.FlowEnricher;
import io.github.netobservch.format.FlowRecord;
import io.github.netobservch.parse.FlowParseException;
import io.github.netobservch.parse.FlowParser;
import io.github.netobservch.parse.KafkaMessage;
import io.github.netobservch.parse.ParserConfig;
import io.github.netobservch.rows.FlowRowEncoder;
import io.github.netobservch.schema.Migration;
import io.github.netobservch.schema.SchemaMigrator;
import io.github.netobservch.schema.SchemaOptions;
import io.github.netobservch.testing.ClickHouseTestServer;
import io.github.netobservch.testing.EmbeddedClickHouseExtension;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the parser accepts, ClickHouse accepts: 500 fuzz-mutated messages that the parser turned
 * into records (extreme numbers, odd strings, legacy shapes) are RowBinary-encoded by the sink's
 * {@link FlowRowEncoder} and inserted into the real {@code flows} table in one INSERT; the server
 * must take and keep every row (rows older than the table's retention are left out: the TTL drops
 * those by design). Same seed handling as {@link FlowParserFuzzTest}. This test found that times up
 * to 2299 were accepted although {@code toDate()} wraps after 2149 and the TTL then dropped the row.
 */
@org.junit.jupiter.api.Timeout(300)
@ExtendWith(EmbeddedClickHouseExtension.class)
class FuzzAcceptedRowsITCase {

    private static final Logger LOG = LoggerFactory.getLogger(FuzzAcceptedRowsITCase.class);
    private static final int ROWS = 500;
    private static final int RETENTION_DAYS = 10980;

    @Test
    void clickHouseAcceptsEveryRecordTheParserAccepts(ClickHouseTestServer clickhouse) throws Exception {
        long seed = FlowParserFuzzTest.seed();
        LOG.info("fuzz rows into ClickHouse, seed {} (reproduce with -Dfuzz.seed={})", seed, seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        List<byte[]> seeds = FlowParserFuzzTest.seeds(seed);
        FlowParser parser = new FlowParser(ParserConfig.defaults());
        FlowRowEncoder encoder = new FlowRowEncoder();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        List<FlowRecord> accepted = new ArrayList<>();
        long expiredBefore = System.currentTimeMillis() - (RETENTION_DAYS - 2L) * 86_400_000L;
        for (int i = 0; accepted.size() < ROWS && i < 1_000_000; i++) {
            byte[] input = FlowParserFuzzTest.mutate(seeds.get(rnd.nextInt(seeds.size())), rnd);
            try {
                FlowRecord r = parser.parse(new KafkaMessage("fuzz", 0, i, 1_754_040_014_000L, input));
                FlowEnricher.enrich(r);
                if (r.getLong(io.github.netobservch.format.ColumnRegistry.TIME_FLOW_END_MS) < expiredBefore) {
                    continue; // older than the table's retention: the TTL drops it by design
                }
                body.write(HostileAssertions.assertEncodableAndSerializable(r));
                accepted.add(r);
            } catch (FlowParseException e) {
                // rejected: not this test's subject
            }
        }
        assertThat(accepted).hasSize(ROWS);

        String db = clickhouse.createDatabase("fuzz");
        new SchemaMigrator(
                        () -> clickhouse.connect("default"),
                        SchemaOptions.defaults()
                                .withDatabase(db)
                                .withRetention(RETENTION_DAYS, RETENTION_DAYS, RETENTION_DAYS),
                        Migration.loadDirectory(Migration.locateSchemaDirectory(null)))
                .migrate();
        String columns = encoder.columns().stream().map(c -> "`" + c + "`").collect(Collectors.joining(","));
        String sql = "INSERT INTO " + db + ".flows (" + columns + ") FORMAT RowBinary";
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(clickhouse.httpUrl() + "/?query="
                                        + URLEncoder.encode(sql, StandardCharsets.UTF_8)))
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode())
                .as("seed %s: %s", seed, response.body())
                .isEqualTo(200);
        java.util.Set<String> loaded =
                new java.util.HashSet<>(clickhouse.queryColumn(db, "SELECT toString(kafka_offset) FROM flows"));
        List<String> missing = accepted.stream()
                .filter(r -> !loaded.contains(
                        Long.toString(r.getLong(io.github.netobservch.format.ColumnRegistry.KAFKA_OFFSET))))
                .map(FlowRecord::toString)
                .toList();
        assertThat(missing)
                .as("seed %s: accepted records missing in ClickHouse", seed)
                .isEmpty();
        assertThat(clickhouse.queryLong(db, "SELECT count() FROM flows"))
                .as("seed %s", seed)
                .isEqualTo(ROWS);
        assertThat(clickhouse.queryLong(db, "SELECT uniqExact(kafka_offset) FROM flows"))
                .isEqualTo(ROWS);
    }
}
