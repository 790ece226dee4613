package io.github.netobservch.bench;

import java.lang.reflect.Method;

/**
 * An async-profiler CPU profile of the pinned runs only ({@code scripts/bench --profile-pinned}): the
 * warm-up runs, where the JIT compiles and the heap is touched for the first time, are left out, so
 * the profile shows what the measured figure is made of. Started and stopped through async-profiler's
 * Java API, found by reflection (the script puts its jar on the class path and names the library
 * and the output in system properties); absent, it does nothing.
 */
final class PinnedProfile implements AutoCloseable {

    static final String LIBRARY = "bench.profile-pinned.library";
    static final String FILE = "bench.profile-pinned.file";

    private final Object profiler;
    private final Method execute;
    private final String file;

    private PinnedProfile(Object profiler, Method execute, String file) {
        this.profiler = profiler;
        this.execute = execute;
        this.file = file;
    }

    /** Starts the profile when the properties ask for one; else an instance that does nothing. */
    static PinnedProfile start() throws Exception {
        String library = System.getProperty(LIBRARY);
        String file = System.getProperty(FILE);
        if (library == null || file == null) {
            return new PinnedProfile(null, null, null);
        }
        Class<?> api = Class.forName("one.profiler.AsyncProfiler");
        Object profiler = api.getMethod("getInstance", String.class).invoke(null, library);
        Method execute = api.getMethod("execute", String.class);
        execute.invoke(profiler, "start,event=cpu,interval=1ms,threads");
        return new PinnedProfile(profiler, execute, file);
    }

    @Override
    public void close() throws Exception {
        if (profiler != null) {
            execute.invoke(profiler, "stop,collapsed,file=" + file);
        }
    }
}
