package io.switchboard.local;

import java.util.Locale;

/**
 * An HTTP API route of a function.
 *
 * @param method upper-case method, or {@code ANY}
 * @param path the path, exact
 */
public record Route(String method, String path) {
    public Route {
        method = method.toUpperCase(Locale.ROOT);
    }

    /** Whether this route serves {@code m} on {@code p}. */
    public boolean matches(String m, String p) {
        return path.equals(p) && (method.equals("ANY") || method.equals(m));
    }

    /** API Gateway's route key, e.g. {@code POST /v1/chat/completions}. */
    public String key() {
        return method + " " + path;
    }
}
