package io.switchboard.local;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An API route of a function: an HTTP API route (payload v2 events, answered whole), or a REST API route with
 * response streaming ({@code ResponseTransferMode: RESPONSE_STREAM}, served by the function's HTTP application
 * through Lambda Web Adapter).
 *
 * @param method upper-case method, or {@code ANY}
 * @param path the path: exact segments, {@code {name}} for one segment, or a last {@code {name+}} for the rest; or
 *     {@value #DEFAULT}, the HTTP API's catch-all route, which serves what no other route does
 * @param streaming whether the route streams its responses
 */
public record Route(String method, String path, boolean streaming) {
    /** The path (and route key) of API Gateway's catch-all route. */
    public static final String DEFAULT = "$default";

    public Route {
        method = method.toUpperCase(Locale.ROOT);
    }

    /** An HTTP API route. */
    public Route(String method, String path) {
        this(method, path, false);
    }

    /** Whether this is the catch-all route ({@code $default}), tried only when no other route matches. */
    public boolean isDefault() {
        return DEFAULT.equals(path);
    }

    /** Whether this route serves {@code m} on {@code p} (never true of the catch-all route: see {@link #isDefault}). */
    public boolean matches(String m, String p) {
        return !isDefault() && (method.equals("ANY") || method.equals(m)) && pathParameters(p) != null;
    }

    /**
     * The path parameters {@code p} gives this route (decoded, as API Gateway passes them), empty for a route
     * without any, or null when {@code p} does not match.
     */
    public Map<String, String> pathParameters(String p) {
        if (path.indexOf('{') < 0) {
            return path.equals(p) ? Map.of() : null;
        }
        String[] want = path.substring(1).split("/", -1);
        String[] got = p.startsWith("/") ? p.substring(1).split("/", -1) : new String[0];
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < want.length; i++) {
            String w = want[i];
            boolean variable = w.startsWith("{") && w.endsWith("}");
            if (variable && w.endsWith("+}") && i == want.length - 1) {
                if (i >= got.length) {
                    return null;
                }
                String rest = String.join("/", java.util.Arrays.copyOfRange(got, i, got.length));
                if (rest.isEmpty()) {
                    return null;
                }
                params.put(w.substring(1, w.length() - 1), decode(rest));
                return params;
            }
            if (i >= got.length) {
                return null;
            }
            if (variable) {
                if (got[i].isEmpty()) {
                    return null;
                }
                params.put(w.substring(1, w.length() - 1), decode(got[i]));
            } else if (!w.equals(got[i])) {
                return null;
            }
        }
        return got.length == want.length ? params : null;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /** API Gateway's route key, e.g. {@code POST /v1/chat/completions}, or {@code $default}. */
    public String key() {
        return isDefault() ? DEFAULT : method + " " + path;
    }
}
