package io.switchboard.core.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * An HTTP response from the gateway.
 *
 * @param status HTTP status
 * @param headers header values by lower-case name
 * @param body the body bytes (UTF-8 JSON or event stream)
 */
public record GatewayResponse(int status, Map<String, String> headers, byte[] body) {
    public GatewayResponse {
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(body, "body");
    }

    /** The body as UTF-8 text. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
