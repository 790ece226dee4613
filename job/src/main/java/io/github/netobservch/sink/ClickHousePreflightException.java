package io.github.netobservch.sink;

import java.util.List;

/** The target table cannot take exactly-once inserts as configured; the message names every problem. */
public final class ClickHousePreflightException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final transient List<String> problems;

    ClickHousePreflightException(String target, List<String> problems) {
        super("ClickHouse sink preflight failed for " + target + ":\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
