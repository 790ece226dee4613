package io.github.netobservch.sink;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A query that tells whether one row — the first of a sealed batch — is in the target table, so the
 * committer can check that an INSERT whose outcome was in doubt really landed.
 *
 * <p>Why: on a plain {@code MergeTree} with {@code non_replicated_deduplication_window}, ClickHouse
 * records the block's token in its deduplication log <em>before</em> it makes the new part visible.
 * If the server dies between the two, the part is lost at restart but the token is still remembered,
 * so the retry with the same token is acknowledged and silently dropped (reproduced with
 * {@code kill -9} against the embedded engine: about 1 in 100 kills mid-insert). A part is all or
 * nothing, so one row of the batch stands for all of them.
 *
 * <p>The predicate is a conjunction of {@code column = {param:Type}} terms built by the encoder from
 * fixed column names; values travel only as bound query parameters. It must match that row and no row
 * of another batch (e.g. Kafka topic, partition and offset), and should use the table's sort key so
 * the check reads one granule.
 */
public final class PresenceProbe {

    private static final Pattern PARAM_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
    private static final Pattern PREDICATE = Pattern.compile("[A-Za-z0-9_ =(){}:,'.<>]+");

    private final String predicate;
    private final Map<String, String> params;

    /**
     * @param predicate a boolean SQL expression over the target table's columns with
     *     {@code {name:Type}} placeholders, e.g. {@code kafka_partition = {p:Int32} AND kafka_offset = {o:Int64}}
     * @param params the placeholders' values, as ClickHouse parses query parameters (text)
     */
    public PresenceProbe(String predicate, Map<String, String> params) {
        Objects.requireNonNull(predicate, "predicate");
        if (predicate.isBlank() || !PREDICATE.matcher(predicate).matches()) {
            // Encoders build the predicate from constants; anything else is a programming error.
            throw new IllegalArgumentException("unexpected characters in presence probe predicate: " + predicate);
        }
        Map<String, String> copy = new TreeMap<>();
        params.forEach((name, value) -> {
            if (!PARAM_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("bad presence probe parameter name: " + name);
            }
            copy.put(name, Objects.requireNonNull(value, name));
        });
        this.predicate = predicate;
        this.params = Collections.unmodifiableMap(copy);
    }

    public String predicate() {
        return predicate;
    }

    /** Parameter values by name (sorted, unmodifiable). */
    public Map<String, String> params() {
        return params;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PresenceProbe
                && predicate.equals(((PresenceProbe) o).predicate)
                && params.equals(((PresenceProbe) o).params);
    }

    @Override
    public int hashCode() {
        return predicate.hashCode() * 31 + params.hashCode();
    }

    /** Names the predicate only: values may be row data. */
    @Override
    public String toString() {
        return "PresenceProbe{" + predicate + "}";
    }
}
