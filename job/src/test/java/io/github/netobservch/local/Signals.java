package io.github.netobservch.local;

/**
 * Ctrl-C (SIGINT) and SIGTERM as a request to stop cleanly rather than a JVM shutdown: shutdown
 * hooks would race with Flink's own (blob server, I/O directories) while the demo drains its job.
 * Uses {@code sun.misc.Signal} (module jdk.unsupported); where it is missing, the default
 * behaviour (exit) remains and the embedded ClickHouse still stops with this JVM.
 */
final class Signals {

    private Signals() {}

    @SuppressWarnings("sunapi")
    static void onInterrupt(Runnable action) {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> action.run());
            } catch (IllegalArgumentException | LinkageError e) {
                // signal not available here: keep the default
            }
        }
    }
}
