package io.github.netobservch.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;
import org.apache.flink.util.function.SerializableSupplier;

/**
 * Where a secret lives — a file (a mounted Kubernetes Secret) or an environment variable — never
 * the secret itself. It travels in the job graph and in configuration dumps as the reference
 * only, and is resolved where the secret is needed (on the TaskManager, in {@code open()}), so
 * {@code flink run} and the operator never hold the value.
 */
public final class SecretRef implements SerializableSupplier<String> {

    private static final long serialVersionUID = 1L;

    /** How the reference is resolved. */
    public enum Kind {
        NONE,
        FILE,
        ENV
    }

    private static final SecretRef NONE = new SecretRef(Kind.NONE, "", false);

    private final Kind kind;
    private final String location;
    private final boolean optional;

    private SecretRef(Kind kind, String location, boolean optional) {
        this.kind = kind;
        this.location = location;
        this.optional = optional;
    }

    public static SecretRef none() {
        return NONE;
    }

    public static SecretRef file(String path) {
        return new SecretRef(Kind.FILE, requireNonBlank(path, "secret file path"), false);
    }

    public static SecretRef env(String variable) {
        return new SecretRef(Kind.ENV, requireNonBlank(variable, "secret environment variable"), false);
    }

    /** An environment variable that may be unset, meaning an empty secret (e.g. a password-less dev user). */
    public static SecretRef optionalEnv(String variable) {
        return new SecretRef(Kind.ENV, requireNonBlank(variable, "secret environment variable"), true);
    }

    public Kind kind() {
        return kind;
    }

    /** The file path or variable name (not secret). */
    public String location() {
        return location;
    }

    public boolean isPresent() {
        return kind != Kind.NONE;
    }

    /** Reads the secret from the process environment or the file system. */
    /** {@link #resolve()}: the sink calls it where it opens a connection, on the TaskManager. */
    @Override
    public String get() {
        return resolve();
    }

    public String resolve() {
        return resolve(System::getenv);
    }

    /**
     * Reads the secret. A missing variable or file is an error naming the reference (never a value);
     * a file's single trailing newline is dropped, as {@code kubectl create secret --from-file}
     * content often ends with one.
     */
    public String resolve(Function<String, String> environment) {
        switch (kind) {
            case NONE:
                return "";
            case ENV:
                String value = environment.apply(location);
                if (value == null && optional) {
                    return "";
                }
                if (value == null) {
                    throw new IllegalStateException("secret environment variable " + location + " is not set");
                }
                return value;
            case FILE:
                try {
                    String content = Files.readString(Path.of(location), StandardCharsets.UTF_8);
                    if (content.endsWith("\r\n")) {
                        return content.substring(0, content.length() - 2);
                    }
                    return content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
                } catch (IOException e) {
                    throw new UncheckedIOException(
                            "cannot read secret file " + location + " ("
                                    + e.getClass().getSimpleName() + ")",
                            new IOException("secret file unreadable"));
                }
            default:
                throw new IllegalStateException("unknown secret kind " + kind);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SecretRef
                && ((SecretRef) o).kind == kind
                && ((SecretRef) o).location.equals(location)
                && ((SecretRef) o).optional == optional;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, location, optional);
    }

    @Override
    public String toString() {
        switch (kind) {
            case FILE:
                return "file:" + location;
            case ENV:
                return "env:" + location;
            default:
                return "none";
        }
    }

    private static String requireNonBlank(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        return value;
    }
}
