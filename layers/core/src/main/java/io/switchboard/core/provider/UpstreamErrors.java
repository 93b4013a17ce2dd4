package io.switchboard.core.provider;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The one table from upstream failures to the gateway's taxonomy. Upstream messages are never passed on (they may
 * quote the prompt); only short identifiers ({@code param}, {@code code}) are, when they look like identifiers.
 */
public final class UpstreamErrors {
    /** A field path such as {@code messages[2].content}. */
    private static final Pattern PARAM = Pattern.compile("[a-z_]{1,40}(\\[\\d{1,4}])?(\\.[a-z_]{1,40}(\\[\\d{1,4}])?){0,4}");
    /**
     * Only these pass on: a value an upstream copies from the request (a prompt word, a key) can look like an
     * identifier, so shape alone is not enough.
     */
    private static final Set<String> REQUEST_FIELDS = Set.of("model", "messages", "temperature", "top_p", "max_tokens",
            "max_completion_tokens", "stop", "n", "seed", "response_format", "tools", "tool_choice", "user", "stream",
            "stream_options", "presence_penalty", "frequency_penalty", "logit_bias", "logprobs", "top_logprobs",
            "parallel_tool_calls", "metadata", "store", "reasoning_effort", "modalities", "audio", "prediction",
            "service_tier", "web_search_options", "functions", "function_call", "input", "encoding_format",
            "dimensions");
    private static final Set<String> CODES = Set.of("invalid_value", "invalid_type", "invalid_request_error",
            "context_length_exceeded", "string_above_max_length", "array_above_max_length", "unsupported_parameter",
            "unsupported_value", "unsupported_model", "model_not_found", "content_policy_violation",
            "content_filter", "invalid_image", "invalid_image_url", "image_parse_error", "missing_required_parameter",
            "integer_below_min_value", "integer_above_max_value", "decimal_below_min_value",
            "decimal_above_max_value", "empty_array", "invalid_prompt", "tokens_exceeded");
    private static final long MAX_RETRY_AFTER_SECONDS = 3600;

    private UpstreamErrors() {
    }

    /**
     * The gateway error for an upstream HTTP status.
     *
     * @param provider the provider's name, for the message
     * @param status the upstream status (not 2xx)
     * @param retryAfter the upstream {@code Retry-After} header, or null
     * @param retryAfterMs the upstream {@code retry-after-ms} header, or null
     * @param body the upstream body, possibly an OpenAI error object
     * @param now the current time, to read an HTTP-date {@code Retry-After}
     */
    public static GatewayException fromStatus(String provider, int status, String retryAfter, String retryAfterMs,
            byte[] body, Instant now) {
        GatewayException e = switch (status) {
            case 400, 409, 413, 422 -> GatewayException.of(ErrorKind.UPSTREAM_INVALID_REQUEST,
                    "Provider '" + provider + "' rejected the request as invalid (HTTP " + status + ").");
            case 401, 403 -> GatewayException.of(ErrorKind.UPSTREAM_AUTHENTICATION,
                    "Provider '" + provider + "' refused the gateway's credentials.");
            case 404 -> GatewayException.of(ErrorKind.MODEL_NOT_FOUND,
                    "Provider '" + provider + "' does not serve the requested model.").withParam("model");
            case 408 -> GatewayException.of(ErrorKind.UPSTREAM_TIMEOUT,
                    "Provider '" + provider + "' timed out.");
            case 429 -> GatewayException.of(ErrorKind.RATE_LIMITED,
                    "Provider '" + provider + "' is rate limiting requests; retry later.");
            case 529 -> GatewayException.of(ErrorKind.UPSTREAM_ERROR,
                    "Provider '" + provider + "' is overloaded; retry later."); // Anthropic's overloaded_error
            default -> GatewayException.of(ErrorKind.UPSTREAM_ERROR,
                    "Provider '" + provider + "' failed (HTTP " + status + ").");
        };
        if (e.kind() == ErrorKind.UPSTREAM_INVALID_REQUEST) {
            Optional<JsonNode> err = errorObject(body);
            if (err.isPresent()) {
                String param = param(err.get().get("param"));
                String code = code(err.get().get("code"));
                if (param != null) {
                    e = e.withParam(param);
                }
                if (code != null) {
                    e = e.withCode(code);
                }
            }
        }
        if (status == 429 || status == 503 || status == 529) {
            long seconds = retryAfterSeconds(retryAfter, retryAfterMs, now);
            if (seconds >= 0) {
                e = e.withRetryAfter(seconds);
            }
        }
        return e;
    }

    /**
     * The gateway error for an AWS service error (Bedrock Runtime): by its error code first, which an exception event
     * inside a stream carries without a meaningful status, then by its HTTP status. The AWS message is never used.
     *
     * @param provider the provider's name, for the message
     * @param errorCode the AWS error code ({@code ThrottlingException}…), or null
     * @param status the HTTP status, or 0 when there is none
     * @param retryAfter a {@code Retry-After} header, or null
     * @param now the current time
     * @param inStream whether the error arrived as an event of a stream already under way
     */
    public static GatewayException fromAws(String provider, String errorCode, int status, String retryAfter,
            Instant now, boolean inStream) {
        String code = errorCode == null ? "" : errorCode;
        GatewayException e = switch (code) {
            case "ThrottlingException", "ModelNotReadyException", "ServiceQuotaExceededException",
                    "TooManyRequestsException" -> GatewayException.of(ErrorKind.RATE_LIMITED,
                    "Provider '" + provider + "' is rate limiting requests; retry later.");
            case "ValidationException", "ConflictException" -> GatewayException.of(
                    ErrorKind.UPSTREAM_INVALID_REQUEST, "Provider '" + provider + "' rejected the request as invalid.");
            case "AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
                    "ExpiredTokenException", "IncompleteSignature", "MissingAuthenticationToken" -> GatewayException.of(
                    ErrorKind.UPSTREAM_AUTHENTICATION, "Provider '" + provider + "' refused the gateway's credentials.");
            case "ResourceNotFoundException" -> GatewayException.of(ErrorKind.MODEL_NOT_FOUND,
                    "Provider '" + provider + "' does not serve the requested model.").withParam("model");
            case "ModelTimeoutException" -> GatewayException.of(ErrorKind.UPSTREAM_TIMEOUT,
                    "Provider '" + provider + "' timed out.");
            case "ModelStreamErrorException", "ModelErrorException", "InternalServerException",
                    "ServiceUnavailableException" -> GatewayException.of(ErrorKind.UPSTREAM_ERROR,
                    "Provider '" + provider + "' failed" + (status / 100 == 5 ? " (HTTP " + status + ")." : "."));
            default -> status >= 300 ? fromStatus(provider, status, null, null, null, now)
                    : GatewayException.of(ErrorKind.UPSTREAM_ERROR, "Provider '" + provider + "' failed.");
        };
        if (inStream && e.kind() == ErrorKind.UPSTREAM_ERROR) {
            e = GatewayException.of(ErrorKind.UPSTREAM_ERROR, "Provider '" + provider + "' failed during the stream.")
                    .withCode("upstream_stream_error");
        }
        if (e.kind() == ErrorKind.RATE_LIMITED || status == 503) {
            long seconds = retryAfterSeconds(retryAfter, null, now);
            if (seconds >= 0) {
                e = e.withRetryAfter(seconds);
            }
        }
        return e;
    }

    /** Maps any failure of a provider call. Gateway errors pass through unchanged. */
    public static GatewayException map(String provider, Throwable t) {
        Throwable cause = unwrap(t);
        if (cause instanceof GatewayException g) {
            return g;
        }
        if (cause instanceof HttpConnectTimeoutException || cause instanceof ConnectException) {
            return GatewayException.of(ErrorKind.UPSTREAM_ERROR, "Provider '" + provider + "' is unreachable.")
                    .withCode("upstream_unavailable").withCause(cause);
        }
        if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
            return GatewayException.of(ErrorKind.UPSTREAM_TIMEOUT,
                    "Provider '" + provider + "' did not answer in time.").withCause(cause);
        }
        if (cause instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return GatewayException.of(ErrorKind.UPSTREAM_TIMEOUT,
                    "The call to provider '" + provider + "' was interrupted.").withCause(cause);
        }
        if (cause instanceof IOException) {
            return GatewayException.of(ErrorKind.UPSTREAM_ERROR,
                    "The connection to provider '" + provider + "' failed.").withCause(cause);
        }
        return GatewayException.of(ErrorKind.INTERNAL, "The gateway failed while calling provider '" + provider
                + "'.").withCause(cause);
    }

    private static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof ExecutionException || c instanceof CompletionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    /** Seconds from {@code Retry-After} (seconds or HTTP-date) or {@code retry-after-ms}; -1 when absent. */
    static long retryAfterSeconds(String retryAfter, String retryAfterMs, Instant now) {
        if (retryAfterMs != null) {
            try {
                double ms = Double.parseDouble(retryAfterMs.strip());
                if (ms >= 0) {
                    return clamp((long) Math.ceil(ms / 1000.0));
                }
            } catch (NumberFormatException ignored) {
                // fall through to Retry-After
            }
        }
        if (retryAfter == null || retryAfter.isBlank()) {
            return -1;
        }
        String v = retryAfter.strip();
        try {
            return clamp((long) Math.ceil(Double.parseDouble(v)));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                return clamp(Math.max(0, Duration.between(now, at.toInstant()).toSeconds()));
            } catch (RuntimeException notDate) {
                return -1;
            }
        }
    }

    private static long clamp(long seconds) {
        return Math.max(0, Math.min(MAX_RETRY_AFTER_SECONDS, seconds));
    }

    private static Optional<JsonNode> errorObject(byte[] body) {
        if (body == null || body.length == 0 || body.length > 64 * 1024) {
            return Optional.empty();
        }
        try {
            JsonNode err = Json.MAPPER.readTree(body).path("error");
            return err.isObject() ? Optional.of(err) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String param(JsonNode n) {
        if (n == null || !n.isTextual() || !PARAM.matcher(n.textValue()).matches()) {
            return null;
        }
        String s = n.textValue();
        int end = 0;
        while (end < s.length() && (Character.isLetter(s.charAt(end)) || s.charAt(end) == '_')) {
            end++;
        }
        return REQUEST_FIELDS.contains(s.substring(0, end)) ? s : null;
    }

    private static String code(JsonNode n) {
        return n != null && n.isTextual() && CODES.contains(n.textValue()) ? n.textValue() : null;
    }
}
