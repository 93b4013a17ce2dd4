package io.switchboard.completion;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.switchboard.core.Gateway;
import io.switchboard.core.http.HttpApiEvents;
import io.switchboard.core.snapstart.CheckpointHooks;
import io.switchboard.core.snapstart.Checkpointable;
import io.switchboard.core.snapstart.PrimingSamples;
import io.switchboard.shared.GatewayException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import org.crac.Context;
import org.crac.Resource;

/**
 * {@code POST /v1/chat/completions} and {@code POST /v1/embeddings} behind API Gateway HTTP API (payload v2), which
 * cannot stream: a streamed answer is returned whole (the streaming route is {@link CompletionServer}). One instance per execution environment: the
 * runtime builds it once with the no-argument constructor, and its {@link Gateway} serves every invocation of the
 * environment.
 */
public final class CompletionHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>,
        Resource, Checkpointable, AutoCloseable {
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
        gateway.hooks().register(this); // registered last: primes first, through the handler's own mapping
    }

    /** Before a SnapStart snapshot: one sample event through this handler's mapping and the priming pipeline. */
    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0").withRouteKey("POST " + Gateway.CHAT_COMPLETIONS)
                .withRawPath(Gateway.CHAT_COMPLETIONS)
                .withHeaders(Map.of("content-type", "application/json"))
                .withBody(new String(PrimingSamples.REQUESTS.get(0), StandardCharsets.UTF_8))
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withRequestId("prime")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("POST")
                                .withPath(Gateway.CHAT_COMPLETIONS).build()).build())
                .build();
        HttpApiEvents.toEvent(gateway.primeRequest(HttpApiEvents.toRequest(event, Long.MAX_VALUE)));
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // the gateway's own hooks re-arm the environment
    }

    @Override
    public CheckpointHooks checkpointHooks() {
        return gateway.hooks();
    }

    /** Shuts the environment's gateway down: buffered spend is written, connections closed. */
    @Override
    public void close() {
        gateway.close();
    }

    @Override
    public String toString() {
        return "prime completion handler";
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event,
            com.amazonaws.services.lambda.runtime.Context context) {
        long remaining = context == null ? Long.MAX_VALUE : context.getRemainingTimeInMillis();
        try {
            return HttpApiEvents.toEvent(gateway.handle(HttpApiEvents.toRequest(event, remaining)));
        } catch (GatewayException e) {
            return HttpApiEvents.toEvent(e);
        }
    }
}
