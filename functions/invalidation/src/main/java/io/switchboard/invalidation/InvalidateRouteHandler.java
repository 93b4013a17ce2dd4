package io.switchboard.invalidation;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.switchboard.core.http.ErrorResponses;
import io.switchboard.core.http.GatewayRequest;
import io.switchboard.core.http.GatewayResponse;
import io.switchboard.core.http.HttpApiEvents;
import io.switchboard.core.http.RequestPolicy;
import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.auth.Tenant;
import io.switchboard.core.Ticker;
import io.switchboard.core.aws.EnvironmentClients;
import io.switchboard.core.config.Settings;
import io.switchboard.core.metrics.FunctionMetrics;
import io.switchboard.core.invalidation.InvalidationPublisher;
import io.switchboard.core.invalidation.internal.EventBridgeInvalidationPublisher;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.cache.CacheInvalidationRequested;
import io.switchboard.shared.cache.InvalidationJson;
import io.switchboard.shared.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * {@code POST /v1/cache/invalidate} behind API Gateway HTTP API (payload v2), for admin keys only
 * ({@code SWITCHBOARD_ADMIN_KEYS}, separate from the gateway keys): validates the body (a
 * {@code CacheInvalidationRequested} detail; errors in OpenAI's format naming the field), stamps who and when, puts
 * the event on the bus and answers {@code 202} with its id. The invalidation itself happens in
 * {@link InvalidationHandler} once EventBridge delivers the event.
 */
public final class InvalidateRouteHandler
        implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    /** The route. */
    public static final String PATH = "/v1/cache/invalidate";
    static final int MAX_BODY_BYTES = 256 * 1024;

    private final Authenticator admins;
    private final InvalidationPublisher publisher;
    private final InstantSource clock;
    private final FunctionMetrics metrics;

    /** For the Lambda runtime: configured from the process environment. */
    public InvalidateRouteHandler() {
        this(System.getenv());
    }

    /** For local runners: configured from {@code environment} as if it were the process environment. */
    public InvalidateRouteHandler(Map<String, String> environment) {
        this(Settings.from(environment));
    }

    /** The function's composition root: its clients, then the admin keys and the publisher over them. */
    private InvalidateRouteHandler(Settings settings) {
        this(settings, FunctionMetrics.create(settings, System.getenv()));
    }

    private InvalidateRouteHandler(Settings settings, FunctionMetrics metrics) {
        this(new Authenticator(settings.invalidation().adminKeys()),
                publisher(settings, EnvironmentClients.of(settings, Ticker.system(), metrics)), InstantSource.system(),
                metrics);
    }

    /** For tests: authenticates against {@code admins}, publishes through {@code publisher} (null: no bus). */
    InvalidateRouteHandler(Authenticator admins, InvalidationPublisher publisher, InstantSource clock) {
        this(admins, publisher, clock, FunctionMetrics.none());
    }

    /** For tests: as above, recording to {@code metrics}. */
    InvalidateRouteHandler(Authenticator admins, InvalidationPublisher publisher, InstantSource clock,
            FunctionMetrics metrics) {
        this.admins = Objects.requireNonNull(admins, "admins");
        this.publisher = publisher;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    private static InvalidationPublisher publisher(Settings settings, EnvironmentClients clients) {
        String bus = settings.catalog().eventBus();
        return bus == null ? null : new EventBridgeInvalidationPublisher(clients.eventBridge(), bus);
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        metrics.invoked();
        APIGatewayV2HTTPResponse response = answer(event);
        metrics.adminInvalidation(response.getStatusCode());
        return response;
    }

    private APIGatewayV2HTTPResponse answer(APIGatewayV2HTTPEvent event) {
        try {
            GatewayRequest request = HttpApiEvents.toRequest(event, Long.MAX_VALUE);
            if (!request.method().equals("POST")) {
                return HttpApiEvents.toEvent(ErrorResponses.methodNotAllowed("POST", PATH));
            }
            Tenant admin = admins.authenticate(request.header("authorization"));
            RequestPolicy.checkContentEncoding(request.header("content-encoding"));
            byte[] body = request.body();
            if (body.length > MAX_BODY_BYTES) {
                throw GatewayException.of(ErrorKind.PAYLOAD_TOO_LARGE, "The request body is over the limit of "
                        + MAX_BODY_BYTES + " bytes.");
            }
            CacheInvalidationRequested asked = InvalidationJson.read(body);
            CacheInvalidationRequested stamped = new CacheInvalidationRequested(asked.tenant(), asked.keys(),
                    asked.tags(), asked.namespace(), asked.model(), asked.all(), asked.reason(), admin.id(),
                    clock.instant());
            if (publisher == null) {
                throw GatewayException.of(ErrorKind.INTERNAL,
                        "No event bus is configured (SWITCHBOARD_EVENT_BUS); nothing was invalidated.");
            }
            String id;
            try {
                id = publisher.publish(stamped);
            } catch (RuntimeException e) {
                throw GatewayException.of(ErrorKind.INTERNAL,
                        "The invalidation could not be published; nothing was invalidated. Retry.").withCause(e);
            }
            var n = Json.MAPPER.createObjectNode();
            n.put("id", id);
            n.put("object", "cache.invalidation");
            n.put("status", "accepted");
            return HttpApiEvents.toEvent(new GatewayResponse(202,
                    new HashMap<>(Map.of("content-type", "application/json")),
                    n.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (GatewayException e) {
            if (e.status() >= 500) {
                System.err.println("{\"level\":\"ERROR\",\"status\":" + e.status() + ",\"code\":\"" + e.code()
                        + "\",\"cause\":\"" + (e.getCause() == null ? "" : e.getCause().getClass().getName())
                        + "\"}");
            }
            return HttpApiEvents.toEvent(e);
        }
    }
}
