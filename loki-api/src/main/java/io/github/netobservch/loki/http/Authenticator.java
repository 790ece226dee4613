package io.github.netobservch.loki.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * Who may call the API. Closed by default: a bearer token from mounted files, a client
 * certificate (mTLS, enforced by the TLS layer), or both; anonymous access only when configured
 * explicitly. Tokens are compared as SHA-256 digests in constant time and never logged.
 */
public final class Authenticator {

    private final List<byte[]> tokenDigests;
    private final boolean anonymous;

    private Authenticator(List<byte[]> tokenDigests, boolean anonymous) {
        this.tokenDigests = List.copyOf(tokenDigests);
        this.anonymous = anonymous;
    }

    /** Tokens: one per non-blank line of each file. */
    public static Authenticator of(List<Path> tokenFiles, boolean anonymous) {
        List<byte[]> digests = new ArrayList<>();
        for (Path f : tokenFiles) {
            try {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    String t = line.trim();
                    if (!t.isEmpty()) {
                        digests.add(sha256(t));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read token file " + f, e);
            }
            if (digests.isEmpty()) {
                throw new IllegalArgumentException("token file " + f + " holds no token");
            }
        }
        return new Authenticator(digests, anonymous);
    }

    /** True when bearer tokens are required. */
    public boolean requiresToken() {
        return !tokenDigests.isEmpty();
    }

    public boolean anonymous() {
        return anonymous;
    }

    /** True when the {@code Authorization} header value is accepted. */
    public boolean accepts(String authorization) {
        if (tokenDigests.isEmpty()) {
            return true; // no token configured: anonymous or mTLS-only, checked at start-up
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] d = sha256(authorization.substring(7).trim());
        boolean ok = false;
        for (byte[] t : tokenDigests) {
            ok |= MessageDigest.isEqual(t, d);
        }
        return ok;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
