package io.switchboard.completion;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.shared.json.Json;
import java.io.IOException;

/**
 * The invocation's context as Lambda Web Adapter passes it to the application: {@code x-amzn-lambda-context} (JSON
 * with {@code request_id} and {@code deadline}, epoch milliseconds) and {@code x-amzn-request-context} (the API
 * Gateway request context, with {@code requestId}). The adapter overwrites both on every request, so a caller cannot
 * forge them; the local run sets them the same way.
 *
 * @param requestId the invocation's request id, or null
 * @param deadlineEpochMillis when the invocation ends, or {@link Long#MAX_VALUE} when unknown
 */
record LambdaContextHeaders(String requestId, long deadlineEpochMillis) {
    /** The header with the Lambda context. */
    static final String LAMBDA_CONTEXT = "x-amzn-lambda-context";
    /** The header with the API Gateway request context. */
    static final String REQUEST_CONTEXT = "x-amzn-request-context";

    /** Reads the two headers (either may be null). */
    static LambdaContextHeaders read(String lambdaContext, String requestContext) {
        String id = null;
        long deadline = Long.MAX_VALUE;
        JsonNode lambda = parse(lambdaContext);
        if (lambda != null) {
            id = text(lambda.get("request_id"));
            JsonNode d = lambda.get("deadline");
            if (d != null && d.canConvertToLong() && d.asLong() > 0) {
                deadline = d.asLong();
            }
        }
        JsonNode api = parse(requestContext);
        if (api != null && text(api.get("requestId")) != null) {
            id = text(api.get("requestId")); // the id API Gateway logs and returns to the caller
        }
        return new LambdaContextHeaders(id, deadline);
    }

    /** Milliseconds left at {@code nowEpochMillis} ({@link Long#MAX_VALUE} when unknown). */
    long remainingMillis(long nowEpochMillis) {
        return deadlineEpochMillis == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, deadlineEpochMillis - nowEpochMillis);
    }

    private static JsonNode parse(String json) {
        if (json == null || json.isBlank() || json.length() > 64 * 1024) {
            return null;
        }
        try {
            JsonNode n = Json.MAPPER.readTree(json);
            return n != null && n.isObject() ? n : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String text(JsonNode n) {
        if (n == null || !n.isTextual() || n.textValue().isEmpty() || n.textValue().length() > 128) {
            return null;
        }
        return n.textValue();
    }
}
