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
 * Who may call the API. Closed by default: bearer tokens from mounted files, Kubernetes service
 * account or user tokens checked with the API server ({@link KubernetesTokenReview}), a client
 * certificate (mTLS, enforced by the TLS layer), or several of these; anonymous access only when
 * configured explicitly. Static tokens are compared as SHA-256 digests in constant time; no token
 * is ever logged.
 */
public final class Authenticator {

    /** The outcome of a check. */
    public enum Decision {
        ALLOW,
        /** No or unknown credentials: 401. */
        UNAUTHENTICATED,
        /** Known identity without the right to read flows: 403. */
        FORBIDDEN
    }

    private final List<byte[]> tokenDigests;
    private final KubernetesTokenReview kubernetes;
    private final boolean anonymous;

    private Authenticator(List<byte[]> tokenDigests, KubernetesTokenReview kubernetes, boolean anonymous) {
        this.tokenDigests = List.copyOf(tokenDigests);
        this.kubernetes = kubernetes;
        this.anonymous = anonymous;
    }

    /** Static tokens: one per non-blank line of each file. */
    public static Authenticator of(List<Path> tokenFiles, KubernetesTokenReview kubernetes, boolean anonymous) {
        List<byte[]> digests = new ArrayList<>();
        for (Path f : tokenFiles) {
            int before = digests.size();
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
            if (digests.size() == before) {
                throw new IllegalArgumentException("token file " + f + " holds no token");
            }
        }
        return new Authenticator(digests, kubernetes, anonymous);
    }

    /** True when requests must carry a bearer token. */
    public boolean requiresToken() {
        return !anonymous && (!tokenDigests.isEmpty() || kubernetes != null);
    }

    /** Checks the {@code Authorization} header value (null when absent). */
    public Decision check(String authorization) {
        if (!requiresToken()) {
            return Decision.ALLOW; // anonymous, or mTLS only (the TLS layer already checked)
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Decision.UNAUTHENTICATED;
        }
        String token = authorization.substring(7).trim();
        if (token.isEmpty()) {
            return Decision.UNAUTHENTICATED;
        }
        byte[] d = sha256(token);
        boolean ok = false;
        for (byte[] t : tokenDigests) {
            ok |= MessageDigest.isEqual(t, d);
        }
        if (ok) {
            return Decision.ALLOW;
        }
        return kubernetes == null ? Decision.UNAUTHENTICATED : kubernetes.review(token, d);
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
