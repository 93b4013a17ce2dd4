package io.switchboard.completion;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import io.switchboard.core.Gateway;
import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.config.Settings;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;

/** Handlers and events for tests: the mock provider, one tenant's key, fixed time, metrics off. */
final class TestGateways {
    static final String KEY = "sk-switchboard-dev";
    static final Instant NOW = Instant.parse("2026-11-23T07:30:00Z");

    private TestGateways() {
    }

    static Map<String, String> env(String... extra) {
        Map<String, String> env = new HashMap<>();
        env.put("SWITCHBOARD_API_KEYS", "local:" + Authenticator.sha256Hex(KEY));
        env.put("SWITCHBOARD_METRICS", "off");
        for (int i = 0; i < extra.length; i += 2) {
            env.put(extra[i], extra[i + 1]);
        }
        return env;
    }

    static CompletionHandler handler(String... extra) {
        return new CompletionHandler(Gateway.builder(Settings.from(env(extra)))
                .clock(InstantSource.fixed(NOW))
                .build());
    }

    /** A POST /v1/chat/completions event with the test key and a JSON body. */
    static APIGatewayV2HTTPEvent post(String body) {
        Map<String, String> headers = new HashMap<>();
        headers.put("authorization", "Bearer " + KEY);
        headers.put("content-type", "application/json");
        return event("POST", "/v1/chat/completions", headers, body);
    }

    static APIGatewayV2HTTPEvent event(String method, String path, Map<String, String> headers, String body) {
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey(method + " " + path)
                .withRawPath(path)
                .withHeaders(headers)
                .withBody(body)
                .withIsBase64Encoded(false)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRequestId("req-test")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                                .withMethod(method).withPath(path).build())
                        .build())
                .build();
    }
}
