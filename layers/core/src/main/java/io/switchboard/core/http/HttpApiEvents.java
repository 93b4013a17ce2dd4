package io.switchboard.core.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The one edge mapping of API Gateway HTTP API (payload v2) events: an event to a {@link GatewayRequest} (method,
 * raw path, lower-case headers, decoded body, request id, remaining time), and a {@link GatewayResponse} back to the
 * event's answer. Every HTTP API handler maps through here, so the event classes never go past the handler.
 */
public final class HttpApiEvents {
    private HttpApiEvents() {
    }

    /**
     * The request in {@code event}; {@code remainingMillis} comes from the Lambda context. A body that is not valid
     * base64 is a 400.
     */
    public static GatewayRequest toRequest(APIGatewayV2HTTPEvent event, long remainingMillis) {
        var ctx = event.getRequestContext();
        String method = ctx != null && ctx.getHttp() != null && ctx.getHttp().getMethod() != null
                ? ctx.getHttp().getMethod().toUpperCase(Locale.ROOT) : "GET";
        String path = event.getRawPath() != null ? event.getRawPath()
                : ctx != null && ctx.getHttp() != null && ctx.getHttp().getPath() != null ? ctx.getHttp().getPath() : "/";
        Map<String, String> headers;
        Map<String, String> in = event.getHeaders();
        if (in == null || in.isEmpty()) {
            headers = Map.of();
        } else {
            headers = new HashMap<>(in.size() * 2);
            for (Map.Entry<String, String> h : in.entrySet()) {
                headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue());
            }
        }
        return new GatewayRequest(method, path, headers, body(event), ctx == null ? null : ctx.getRequestId(),
                remainingMillis);
    }

    /** A path parameter of {@code event} ({@code name} or its greedy form {@code name+}), or null. */
    public static String pathParameter(APIGatewayV2HTTPEvent event, String name) {
        Map<String, String> params = event.getPathParameters();
        return params == null ? null : params.getOrDefault(name, params.get(name + "+"));
    }

    private static byte[] body(APIGatewayV2HTTPEvent event) {
        String body = event.getBody();
        if (body == null || body.isEmpty()) {
            return new byte[0];
        }
        if (event.getIsBase64Encoded()) {
            try {
                return Base64.getDecoder().decode(body);
            } catch (IllegalArgumentException e) {
                throw GatewayException.of(ErrorKind.INVALID_REQUEST, "The request body is not valid base64.");
            }
        }
        return body.getBytes(StandardCharsets.UTF_8);
    }

    /** The event's answer for {@code response}. */
    public static APIGatewayV2HTTPResponse toEvent(GatewayResponse response) {
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(response.status())
                .withHeaders(response.headers())
                .withBody(new String(response.body(), StandardCharsets.UTF_8))
                .withIsBase64Encoded(false)
                .build();
    }

    /** The event's answer for an error raised at the edge (such as a body that is not base64). */
    public static APIGatewayV2HTTPResponse toEvent(GatewayException e) {
        return toEvent(ErrorResponses.of(e));
    }
}
