package io.switchboard.completion;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.switchboard.core.Gateway;
import io.switchboard.core.http.GatewayResponse;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.json.ChatJson;
import java.util.Map;
import java.util.Objects;

/**
 * {@code POST /v1/chat/completions} behind API Gateway HTTP API (payload v2). One instance per execution
 * environment: the runtime builds it once with the no-argument constructor, and its {@link Gateway} serves every
 * invocation of the environment.
 */
public final class CompletionHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final Gateway gateway;

    /** For the Lambda runtime: configured from the process environment. */
    public CompletionHandler() {
        this(System.getenv());
    }

    /** For local runners: configured from {@code environment} as if it were the process environment. */
    public CompletionHandler(Map<String, String> environment) {
        this(Gateway.fromEnvironment(environment));
    }

    /** For tests: serves through {@code gateway}. */
    CompletionHandler(Gateway gateway) {
        this.gateway = Objects.requireNonNull(gateway, "gateway");
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        long remaining = context == null ? Long.MAX_VALUE : context.getRemainingTimeInMillis();
        GatewayResponse response;
        try {
            response = gateway.handle(ApiGatewayV2Mapper.toRequest(event, remaining));
        } catch (GatewayException e) {
            response = new GatewayResponse(e.status(), Map.of("content-type", "application/json"),
                    ChatJson.writeError(e));
        }
        return ApiGatewayV2Mapper.toEvent(response);
    }
}
