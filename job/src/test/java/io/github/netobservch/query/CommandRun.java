package io.github.netobservch.query;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;

/** One run of a command-line tool of this package inside the test JVM: its exit status and what it printed. */
record CommandRun(int code, String out, String err) {

    /** The {@code run} entry point the package's tools share ({@link RunQuery#run}, {@link RollupCheck#run}). */
    interface Command {
        int run(String[] args, String envPassword, Clock clock, PrintStream out, PrintStream err);
    }

    static CommandRun of(Command command, List<String> args, String password, Clock clock) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = command.run(
                args.toArray(new String[0]),
                password,
                clock,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CommandRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    String all() {
        return out + err;
    }
}
