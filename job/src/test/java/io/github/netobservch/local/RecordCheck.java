package io.github.netobservch.local;

import io.github.netobservch.config.JobConfig;
import io.github.netobservch.testing.JsonSameness;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * {@code scripts/replay --check-records}: every loaded row's {@code record} (the flows_record view) against
 * the line it was loaded from, found by its Kafka partition and offset, compared with {@link
 * JsonSameness}. Reports the count and the first difference.
 */
final class RecordCheck {

    private RecordCheck() {}

    static String run(ClickHouseHttp ch, String table, String where, Map<String, byte[]> sent, JobConfig config) {
        List<String> rows = ch.column("SELECT concat(toString(kafka_partition), ':', toString(kafka_offset), ' ',"
                + " base64Encode(record)) FROM " + table + "_record WHERE " + where);
        int same = 0;
        String first = null;
        for (String row : rows) {
            int space = row.indexOf(' ');
            String at = row.substring(0, space);
            String record = new String(Base64.getDecoder().decode(row.substring(space + 1)), StandardCharsets.UTF_8);
            byte[] line = sent.get(at);
            if (line != null && JsonSameness.same(new String(line, StandardCharsets.UTF_8), record)) {
                same++;
            } else if (first == null) {
                first = "first difference at " + at + ": "
                        + (line == null ? "no line" : new String(line, StandardCharsets.UTF_8)) + " -> " + record;
            }
        }
        return "record check (raw.policy "
                + config.pipeline().parser().rawPolicy().option() + "): " + same + " of " + rows.size()
                + " loaded rows give their line back" + (first == null ? "" : "; " + first);
    }
}
