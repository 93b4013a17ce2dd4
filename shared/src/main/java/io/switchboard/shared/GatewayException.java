package io.switchboard.shared;

import java.util.Objects;

/**
 * The one unchecked exception of the gateway. Its message is written by the gateway for the caller: it never holds an
 * upstream exception message, a prompt or a key, so it is safe to return as is.
 */
public final class GatewayException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorKind kind;
    private final String param;
    private final String code;
    private final long retryAfterSeconds;

    private GatewayException(ErrorKind kind, String message, String param, String code, long retryAfterSeconds,
            Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause, false, false);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.param = param;
        this.code = code == null ? kind.code() : code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** An error of the given kind with a caller-safe message. */
    public static GatewayException of(ErrorKind kind, String message) {
        return new GatewayException(kind, message, null, null, -1, null);
    }

    /** An error about one request field, named in OpenAI's {@code param}. */
    public static GatewayException invalid(String param, String message) {
        return new GatewayException(ErrorKind.INVALID_REQUEST, message, param, null, -1, null);
    }

    /** This error with the given {@code param}. */
    public GatewayException withParam(String newParam) {
        return new GatewayException(kind, getMessage(), newParam, code, retryAfterSeconds, getCause());
    }

    /** This error with a more specific {@code code}. */
    public GatewayException withCode(String newCode) {
        return new GatewayException(kind, getMessage(), param, newCode, retryAfterSeconds, getCause());
    }

    /** This error with a {@code Retry-After} to pass on, in seconds. */
    public GatewayException withRetryAfter(long seconds) {
        return new GatewayException(kind, getMessage(), param, code, seconds, getCause());
    }

    /** This error, remembering its cause for logs (never shown to the caller). */
    public GatewayException withCause(Throwable newCause) {
        return new GatewayException(kind, getMessage(), param, code, retryAfterSeconds, newCause);
    }

    /** The taxonomy entry. */
    public ErrorKind kind() {
        return kind;
    }

    /** The HTTP status. */
    public int status() {
        return kind.status();
    }

    /** The offending request field, or {@code null}. */
    public String param() {
        return param;
    }

    /** OpenAI's {@code error.code}. */
    public String code() {
        return code;
    }

    /** Seconds to wait before retrying, or -1 when not known. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
