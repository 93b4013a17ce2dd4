package io.switchboard.invalidation;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.switchboard.core.Ticker;
import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.aws.EnvironmentClients;
import io.switchboard.core.config.Settings;
import io.switchboard.core.governance.GovernanceSettings;
import io.switchboard.core.governance.admin.AdminApi;
import io.switchboard.core.governance.internal.DynamoDbKeyStore;
import io.switchboard.core.governance.internal.DynamoDbUsageStore;
import io.switchboard.core.http.HttpApiEvents;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.Map;
import java.util.Objects;

/**
 * {@code /v1/admin/*} behind API Gateway HTTP API (payload v2), for admin keys only ({@code SWITCHBOARD_ADMIN_KEYS}):
 * keys, tenant limits and usage ({@link AdminApi}). Thin: maps the event, calls the API, maps the answer.
 */
public final class AdminRouteHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final AdminApi api;

    /** For the Lambda runtime: configured from the process environment. */
    public AdminRouteHandler() {
        this(System.getenv());
    }

    /** For local runners: configured from {@code environment} as if it were the process environment. */
    public AdminRouteHandler(Map<String, String> environment) {
        this(api(Settings.from(environment)));
    }

    /** For tests: serves {@code api}. */
    AdminRouteHandler(AdminApi api) {
        this.api = Objects.requireNonNull(api, "api");
    }

    private static AdminApi api(Settings settings) {
        GovernanceSettings gs = GovernanceSettings.from(settings.env());
        EnvironmentClients clients = EnvironmentClients.of(settings, Ticker.system(), null);
        return new AdminApi(new Authenticator(settings.invalidation().adminKeys()),
                gs.keysTable() == null ? null : new DynamoDbKeyStore(clients.dynamoDbWriter(), gs.keysTable()),
                gs.usageTable() == null ? null : new DynamoDbUsageStore(clients.dynamoDbWriter(), gs.usageTable()),
                InstantSource.system(), new SecureRandom());
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        Map<String, String> query = event.getQueryStringParameters();
        return HttpApiEvents.toEvent(api.handle(HttpApiEvents.toRequest(event, Long.MAX_VALUE),
                query == null ? Map.of() : query));
    }
}
