package io.switchboard.discovery;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.switchboard.core.catalog.ModelCatalog;
import io.switchboard.core.snapstart.CheckpointHooks;
import io.switchboard.core.snapstart.Checkpointable;
import io.switchboard.core.config.Settings;
import io.switchboard.core.http.GatewayResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}} behind API Gateway HTTP API (payload v2), answered from the
 * catalog snapshot of this execution environment.
 */
public final class ModelsHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>,
        Checkpointable {
    private final ModelCatalog catalog;
    private final CheckpointHooks hooks;

    /** For the Lambda runtime: configured from the process environment. */
    public ModelsHandler() {
        this(System.getenv());
    }

    /** For local runners: configured from {@code environment} as if it were the process environment. */
    public ModelsHandler(Map<String, String> environment) {
        this(ModelCatalog.builder(Settings.from(environment)).build());
    }

    /** For tests: answers from {@code catalog}. */
    ModelsHandler(ModelCatalog catalog) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.hooks = catalog.checkpointHooks(true);
    }

    @Override
    public CheckpointHooks checkpointHooks() {
        return hooks;
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        var ctx = event.getRequestContext();
        String method = ctx != null && ctx.getHttp() != null && ctx.getHttp().getMethod() != null
                ? ctx.getHttp().getMethod().toUpperCase(Locale.ROOT) : "GET";
        String path = event.getRawPath() != null ? event.getRawPath() : "/";
        Map<String, String> headers = new HashMap<>();
        if (event.getHeaders() != null) {
            event.getHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
        }
        Map<String, String> params = event.getPathParameters();
        String id = params == null ? null : params.getOrDefault("id", params.get("id+"));
        GatewayResponse r = catalog.api().handle(new io.switchboard.core.http.GatewayRequest(method, path, headers,
                null, ctx == null ? null : ctx.getRequestId(), Long.MAX_VALUE), id);
        return APIGatewayV2HTTPResponse.builder().withStatusCode(r.status()).withHeaders(r.headers())
                .withBody(new String(r.body(), StandardCharsets.UTF_8)).withIsBase64Encoded(false).build();
    }
}
