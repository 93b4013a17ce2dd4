package io.switchboard.core.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.provider.UpstreamErrors;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import java.time.Instant;

/**
 * Anthropic's error {@code type}s ({@code {"type":"error","error":{"type","message"}}}) in the gateway's taxonomy.
 * An HTTP error goes through {@link UpstreamErrors#fromStatus} by its status alone; an {@code error} event inside a
 * stream has no status, so its type stands for the status Anthropic documents for it. The upstream message is never
 * read.
 */
final class AnthropicErrors {
    private AnthropicErrors() {
    }

    /** The HTTP status Anthropic documents for an error {@code type}; 500 for a type it does not know. */
    static int status(String type) {
        return switch (type == null ? "" : type) {
            case "invalid_request_error" -> 400;
            case "authentication_error" -> 401;
            case "billing_error" -> 402;
            case "permission_error" -> 403;
            case "not_found_error" -> 404;
            case "request_too_large" -> 413;
            case "rate_limit_error" -> 429;
            case "timeout_error" -> 504;
            case "overloaded_error" -> 529;
            default -> 500; // api_error and anything new
        };
    }

    /**
     * The gateway error for an {@code error} event: a failure on the provider's side (5xx types: {@code api_error},
     * {@code overloaded_error}, unknown ones) is the retriable {@code upstream_stream_error}; any other type maps as
     * its status would.
     */
    static GatewayException streamError(String provider, JsonNode event, Instant now) {
        String type = event.path("error").path("type").asText("");
        int status = status(type);
        if (status >= 500) {
            String what = status == 529 ? "' is overloaded; it ended the stream with an error."
                    : "' failed during the stream.";
            return GatewayException.of(ErrorKind.UPSTREAM_ERROR, "Provider '" + provider + what)
                    .withCode("upstream_stream_error");
        }
        return UpstreamErrors.fromStatus(provider, status, null, null, null, now);
    }
}
