package io.switchboard.core.http;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * An HTTP request as the gateway sees it, mapped at the handler's edge from whatever event carried it.
 *
 * @param method upper-case HTTP method
 * @param path the raw path, e.g. {@code /v1/chat/completions}
 * @param headers header values by lower-case name
 * @param body the decoded body (empty when none)
 * @param requestId the platform's request id
 * @param remainingMillis time left before the platform stops the invocation ({@link Long#MAX_VALUE} if unbounded)
 */
public record GatewayRequest(String method, String path, Map<String, String> headers, byte[] body, String requestId,
        long remainingMillis) {

    public GatewayRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        headers = headers == null ? Map.of() : headers;
        body = body == null ? new byte[0] : body;
    }

    /** A header's value by case-insensitive name, or null. */
    public String header(String name) {
        String v = headers.get(name);
        return v != null ? v : headers.get(name.toLowerCase(Locale.ROOT));
    }
}
