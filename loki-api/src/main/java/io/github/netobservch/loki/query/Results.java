package io.github.netobservch.loki.query;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** Answers of the read API in Loki's two result types, before JSON encoding. */
public final class Results {

    private Results() {}

    /** A query_range answer. */
    public sealed interface Result permits Streams, Matrix {}

    /** One log entry: timestamp in epoch milliseconds (served as nanoseconds) and the line. */
    public record Entry(long tsMs, String line) {}

    /** One stream: its labels (sorted by name, no empty values) and its entries in answer order. */
    public record Stream(SortedMap<String, String> labels, List<Entry> entries) {
        public Stream {
            labels = new TreeMap<>(labels);
            entries = List.copyOf(entries);
        }
    }

    /** resultType "streams". */
    public record Streams(List<Stream> streams) implements Result {
        public Streams {
            streams = List.copyOf(streams);
        }

        public int entryCount() {
            return streams.stream().mapToInt(s -> s.entries().size()).sum();
        }
    }

    /** One sample of a series: evaluation time in epoch milliseconds and value. */
    public record Point(long tsMs, double value) {}

    /** One series: its labels (sorted, no empty values) and points in time order. */
    public record Series(SortedMap<String, String> metric, List<Point> points) {
        public Series {
            metric = new TreeMap<>(metric);
            points = List.copyOf(points);
        }
    }

    /** resultType "matrix", series sorted by their labels. */
    public record Matrix(List<Series> series) implements Result {
        public Matrix {
            series = List.copyOf(series);
        }
    }

    /** Labels without empty values (Loki: an empty label is an absent label), sorted. */
    public static SortedMap<String, String> nonEmpty(Map<String, String> labels) {
        SortedMap<String, String> out = new TreeMap<>();
        labels.forEach((k, v) -> {
            if (v != null && !v.isEmpty()) {
                out.put(k, v);
            }
        });
        return out;
    }
}
