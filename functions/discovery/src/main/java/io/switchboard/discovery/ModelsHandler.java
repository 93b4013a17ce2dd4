package io.switchboard.discovery;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.switchboard.core.http.ErrorResponses;
import io.switchboard.core.http.HttpApiEvents;
import io.switchboard.shared.GatewayException;
import io.switchboard.core.catalog.ModelCatalog;
import io.switchboard.core.catalog.ModelsApi;
import io.switchboard.core.Ticker;
import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.aws.EnvironmentClients;
import io.switchboard.core.governance.GovernanceSettings;
import io.switchboard.core.governance.KeyDirectory;
import io.switchboard.core.governance.internal.DynamoDbKeyStore;
import java.time.InstantSource;
import io.switchboard.core.snapstart.CheckpointHooks;
import io.switchboard.core.snapstart.Checkpointable;
import io.switchboard.core.config.Settings;
import io.switchboard.core.metrics.FunctionMetrics;
import io.switchboard.core.http.GatewayResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}} behind API Gateway HTTP API (payload v2), answered from the
 * catalog snapshot of this execution environment. Also the HTTP API's {@code $default} route: a request no other route
 * serves gets {@code 404 unknown_url} in OpenAI's format, before and without any key check.
 */
public final class ModelsHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>,
        Checkpointable {
    private final ModelCatalog catalog;
    private final CheckpointHooks hooks;
    private final FunctionMetrics metrics;
    private final ModelsApi api;

    /** For the Lambda runtime: configured from the process environment. */
    public ModelsHandler() {
        this(System.getenv());
    }

    /** For local runners: configured from {@code environment} as if it were the process environment. */
    public ModelsHandler(Map<String, String> environment) {
        this(Settings.from(environment), System.getenv());
    }

    private ModelsHandler(Settings settings, Map<String, String> processEnv) {
        this(settings, FunctionMetrics.create(settings, processEnv));
    }

    private ModelsHandler(Settings settings, FunctionMetrics metrics) {
        this(ModelCatalog.builder(settings).listener(metrics).build(), metrics, keysApi(settings));
    }

    /** For tests: answers from {@code catalog}. */
    ModelsHandler(ModelCatalog catalog) {
        this(catalog, FunctionMetrics.none());
    }

    /** For tests: answers from {@code catalog}, recording to {@code metrics}. */
    ModelsHandler(ModelCatalog catalog, FunctionMetrics metrics) {
        this(catalog, metrics, null);
    }

    private ModelsHandler(ModelCatalog catalog, FunctionMetrics metrics, KeyDirectory keys) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.hooks = catalog.checkpointHooks(true);
        hooks.register(metrics.restoreHook());
        this.api = keys == null ? catalog.api() : new ModelsApi(keys, catalog.snapshots());
    }

    /** With a keys table: stored keys, each seeing only its own models. */
    private static KeyDirectory keysApi(Settings settings) {
        GovernanceSettings gs = GovernanceSettings.from(settings.env());
        if (!gs.hasKeysTable()) {
            return null;
        }
        EnvironmentClients clients = EnvironmentClients.of(settings, Ticker.system(), null);
        return new KeyDirectory(new Authenticator(settings.config().apiKeys()),
                new DynamoDbKeyStore(clients.dynamoDbReader(), gs.keysTable()), gs.keyCacheTtl(),
                gs.staleIfError(), Ticker.system(), InstantSource.system());
    }

    @Override
    public CheckpointHooks checkpointHooks() {
        return hooks;
    }

    /** API Gateway's route key of the catch-all route. */
    static final String DEFAULT_ROUTE = "$default";

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        metrics.invoked();
        if (DEFAULT_ROUTE.equals(event.getRouteKey())) {
            // not a models request: no key check (the answer is the same with any key or none), no models metrics
            var ctx = event.getRequestContext();
            var http = ctx == null ? null : ctx.getHttp();
            GatewayResponse unknown = ErrorResponses.unknownUrl(http == null ? null : http.getMethod(),
                    event.getRawPath() != null ? event.getRawPath() : http == null ? null : http.getPath());
            if (ctx != null && ctx.getRequestId() != null) {
                unknown.headers().put("x-request-id", ctx.getRequestId());
            }
            return HttpApiEvents.toEvent(unknown);
        }
        long start = System.nanoTime();
        APIGatewayV2HTTPResponse response;
        try {
            response = HttpApiEvents.toEvent(api.handle(HttpApiEvents.toRequest(event, Long.MAX_VALUE),
                    HttpApiEvents.pathParameter(event, "id")));
        } catch (GatewayException e) {
            response = HttpApiEvents.toEvent(e);
        }
        metrics.modelsRequest(response.getStatusCode(), System.nanoTime() - start);
        return response;
    }
}
