package io.github.netobservch.loki;

import java.time.Clock;
import picocli.CommandLine;

/** The read API's command line, parsed as {@code main} parses it, for tests and the benchmark. */
public final class ApiArgs {

    private ApiArgs() {}

    /** The parsed command: its fields, {@link LokiApi#config()}. */
    public static LokiApi parse(String... args) {
        LokiApi cmd = new LokiApi();
        new CommandLine(cmd).parseArgs(args);
        return cmd;
    }

    /** Parses, validates and starts a server with {@code clock} supplying default query ranges. */
    public static LokiApi.Running start(Clock clock, String... args) throws InterruptedException {
        return LokiApi.start(parse(args).config(), clock);
    }
}
