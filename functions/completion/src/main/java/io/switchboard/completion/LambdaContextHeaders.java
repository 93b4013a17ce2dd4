package io.switchboard.completion;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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
        String[] lambda = fields(lambdaContext, "request_id", "deadline");
        String id = lambda == null ? null : lambda[0];
        long deadline = Long.MAX_VALUE;
        if (lambda != null && lambda[1] != null) {
            try {
                long d = Long.parseLong(lambda[1]);
                if (d > 0) {
                    deadline = d;
                }
            } catch (NumberFormatException e) {
                // not a whole number: unknown
            }
        }
        String[] api = fields(requestContext, "requestId", null);
        if (api != null && api[0] != null) {
            id = api[0]; // the id API Gateway logs and returns to the caller
        }
        return new LambdaContextHeaders(id, deadline);
    }

    /** Milliseconds left at {@code nowEpochMillis} ({@link Long#MAX_VALUE} when unknown). */
    long remainingMillis(long nowEpochMillis) {
        return deadlineEpochMillis == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, deadlineEpochMillis - nowEpochMillis);
    }

    /**
     * The top-level {@code text} field (a string of 1..128 characters) and {@code number} field (an integer, as
     * text) of a JSON object, streamed: nested values are skipped, no tree is built (the API Gateway request context
     * is large, and this runs on every request). Null when {@code json} is not an object.
     */
    private static String[] fields(String json, String text, String number) {
        if (json == null || json.isBlank() || json.length() > 64 * 1024) {
            return null;
        }
        String[] out = new String[2];
        try (JsonParser p = Json.MAPPER.getFactory().createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            JsonToken t = p.nextToken();
            for (; t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (name.equals(text) && v == JsonToken.VALUE_STRING) {
                    String s = p.getText();
                    out[0] = s.isEmpty() || s.length() > 128 ? null : s;
                } else if (name.equals(number) && v == JsonToken.VALUE_NUMBER_INT) {
                    out[1] = p.getText();
                } else {
                    p.skipChildren();
                }
            }
            return t == JsonToken.END_OBJECT ? out : null;
        } catch (IOException e) {
            return null;
        }
    }
}
