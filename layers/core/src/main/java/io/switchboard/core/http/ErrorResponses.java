package io.switchboard.core.http;

import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.json.ChatJson;
import java.util.HashMap;
import java.util.Map;

/**
 * The one place error responses are written: OpenAI's error body for a {@link GatewayException} (its caller-safe
 * message, never an exception's own), {@code content-type}, {@code retry-after} when the error carries one,
 * {@code www-authenticate} for a missing or wrong key, {@code allow} for a wrong method.
 */
public final class ErrorResponses {
    private ErrorResponses() {
    }

    /** The headers of {@code e}'s response, added to {@code headers}. */
    public static Map<String, String> headers(GatewayException e, Map<String, String> headers) {
        headers.put("content-type", "application/json");
        if (e.retryAfterSeconds() >= 0) {
            headers.put("retry-after", Long.toString(e.retryAfterSeconds()));
        }
        if (e.kind() == ErrorKind.AUTHENTICATION) {
            headers.put("www-authenticate", "Bearer");
        }
        return headers;
    }

    /** The response for {@code e}. */
    public static GatewayResponse of(GatewayException e) {
        return new GatewayResponse(e.status(), headers(e, new HashMap<>(4)), ChatJson.writeError(e));
    }

    /** {@code 405} naming the one allowed method. */
    public static GatewayResponse methodNotAllowed(String allowed, String path) {
        GatewayResponse r = of(GatewayException.of(ErrorKind.METHOD_NOT_ALLOWED,
                "Use " + allowed + " for " + path + "."));
        r.headers().put("allow", allowed);
        return r;
    }

    /** {@code 404} for a path no route serves. */
    public static GatewayResponse notFound() {
        return of(GatewayException.of(ErrorKind.NOT_FOUND, "No route for this path."));
    }

    /** Longest part of a request path named back in {@link #unknownUrl}. */
    static final int MAX_PATH_ECHO = 256;

    /**
     * {@code 404 unknown_url} for a request no route serves (API Gateway's {@code $default} route), in OpenAI's words:
     * the method and the path (query left out, at most {@value #MAX_PATH_ECHO} characters), nothing else. No key is
     * checked, so the answer is the same with a valid key, a wrong one or none.
     */
    public static GatewayResponse unknownUrl(String method, String path) {
        String p = path == null || path.isEmpty() ? "/" : path;
        int q = p.indexOf('?');
        if (q >= 0) {
            p = p.substring(0, q);
        }
        if (p.length() > MAX_PATH_ECHO) {
            p = p.substring(0, MAX_PATH_ECHO) + "...";
        }
        String m = method == null || method.isEmpty() ? "GET" : method.toUpperCase(java.util.Locale.ROOT);
        return of(GatewayException.of(ErrorKind.NOT_FOUND, "Unknown request URL: " + m + " " + p
                + ". Please check the URL for typos, or see the docs at https://platform.openai.com/docs/api-reference/.")
                .withCode("unknown_url"));
    }

    /** {@code 500} for a failure the gateway did not expect (the cause is never described to the caller). */
    public static GatewayResponse internal() {
        return of(GatewayException.of(ErrorKind.INTERNAL, "The gateway failed to serve the request."));
    }
}
