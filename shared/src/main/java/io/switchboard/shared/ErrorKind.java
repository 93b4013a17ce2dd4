package io.switchboard.shared;

/**
 * The gateway's one error taxonomy: every failure a caller can see is one of these, with its HTTP status, its OpenAI
 * error {@code type} and {@code code}, and whether retrying the same request may succeed.
 */
public enum ErrorKind {
    /** A request field is missing or invalid. */
    INVALID_REQUEST(400, "invalid_request_error", "invalid_value", false),
    /** The body is not valid JSON. */
    INVALID_JSON(400, "invalid_request_error", "invalid_json", false),
    /** No, malformed or unknown gateway key. */
    AUTHENTICATION(401, "invalid_request_error", "invalid_api_key", false),
    /** The route does not exist. */
    NOT_FOUND(404, "invalid_request_error", "not_found", false),
    /** The model is not configured (or the provider does not know it). */
    MODEL_NOT_FOUND(404, "invalid_request_error", "model_not_found", false),
    /** The route exists but not for this method. */
    METHOD_NOT_ALLOWED(405, "invalid_request_error", "method_not_allowed", false),
    /** The body is over the configured limit. */
    PAYLOAD_TOO_LARGE(413, "invalid_request_error", "request_too_large", false),
    /** The body is not JSON by its declared content type. */
    UNSUPPORTED_MEDIA_TYPE(415, "invalid_request_error", "unsupported_media_type", false),
    /** The provider rejected the request as invalid. */
    UPSTREAM_INVALID_REQUEST(400, "invalid_request_error", "upstream_invalid_request", false),
    /** The provider (or the gateway's concurrency limit) asked the caller to slow down. */
    RATE_LIMITED(429, "rate_limit_error", "rate_limit_exceeded", true),
    /** The provider refused the gateway's own credentials. */
    UPSTREAM_AUTHENTICATION(502, "upstream_error", "upstream_authentication_failed", false),
    /** The provider failed (5xx) or could not be reached. */
    UPSTREAM_ERROR(502, "upstream_error", "upstream_error", true),
    /** The provider answered with something that is not its wire format. */
    UPSTREAM_INVALID_RESPONSE(502, "upstream_error", "upstream_invalid_response", true),
    /** The provider's event stream ended before it was complete (no {@code [DONE]}, or a broken connection). */
    STREAM_TRUNCATED(502, "upstream_error", "stream_truncated", true),
    /** The response would exceed the platform's payload limit. */
    RESPONSE_TOO_LARGE(502, "server_error", "response_too_large", false),
    /** The provider did not answer in time. */
    UPSTREAM_TIMEOUT(504, "timeout_error", "upstream_timeout", true),
    /** A bug or misconfiguration in the gateway. */
    INTERNAL(500, "server_error", "internal_error", true);

    private final int status;
    private final String type;
    private final String code;
    private final boolean retriable;

    ErrorKind(int status, String type, String code, boolean retriable) {
        this.status = status;
        this.type = type;
        this.code = code;
        this.retriable = retriable;
    }

    /** The HTTP status returned to the caller. */
    public int status() {
        return status;
    }

    /** OpenAI's {@code error.type}. */
    public String type() {
        return type;
    }

    /** OpenAI's {@code error.code}. */
    public String code() {
        return code;
    }

    /** Whether the same request may succeed later. */
    public boolean retriable() {
        return retriable;
    }
}
