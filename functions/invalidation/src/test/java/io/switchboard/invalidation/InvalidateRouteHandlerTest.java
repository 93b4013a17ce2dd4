package io.switchboard.invalidation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.invalidation.InvalidationPublisher;
import io.switchboard.shared.cache.CacheInvalidationRequested;
import io.switchboard.shared.config.ApiKeyEntry;
import io.switchboard.shared.json.Json;
import java.io.IOException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/cache/invalidate} on the {@code events/} fixture, with a publisher that records. */
class InvalidateRouteHandlerTest {
    static final String ADMIN_KEY = "sk-switchboard-admin-dev";
    private final List<CacheInvalidationRequested> published = new ArrayList<>();
    private final InvalidationPublisher recording = e -> {
        published.add(e);
        return "event-" + published.size();
    };
    private final InvalidateRouteHandler handler = new InvalidateRouteHandler(
            new Authenticator(List.of(new ApiKeyEntry("ops", Authenticator.sha256Hex(ADMIN_KEY)))), recording,
            InstantSource.fixed(Instant.parse("2026-11-23T09:00:00Z")));

    private static APIGatewayV2HTTPEvent event(String authorization, String body) {
        APIGatewayV2HTTPEvent e = EventLoader.loadApiGatewayHttpEvent("events/cache-invalidate-route.json");
        Map<String, String> h = new HashMap<>(e.getHeaders());
        if (authorization == null) {
            h.remove("authorization");
        } else {
            h.put("authorization", authorization);
        }
        e.setHeaders(h);
        if (body != null) {
            e.setBody(body);
        }
        return e;
    }

    private static JsonNode json(APIGatewayV2HTTPResponse r) throws IOException {
        return Json.MAPPER.readTree(r.getBody());
    }

    @Test
    void handleRequest_adminKeyAndValidBody_publishesAndAnswers202() throws IOException {
        APIGatewayV2HTTPResponse r = handler.handleRequest(
                EventLoader.loadApiGatewayHttpEvent("events/cache-invalidate-route.json"), null);
        assertEquals(202, r.getStatusCode(), r.getBody());
        assertEquals("event-1", json(r).path("id").asText());
        CacheInvalidationRequested e = published.get(0);
        assertEquals("team-a", e.tenant());
        assertEquals(List.of("prompt:v3"), e.tags());
        assertEquals("ops", e.requestedBy(), "who asked is the admin key's tenant, whatever the body says");
        assertEquals(Instant.parse("2026-11-23T09:00:00Z"), e.requestedAt());
    }

    @Test
    void handleRequest_gatewayKeyOrNoKey_401() throws IOException {
        for (String auth : new String[] {"Bearer sk-switchboard-dev", null}) {
            APIGatewayV2HTTPResponse r = handler.handleRequest(event(auth, null), null);
            assertEquals(401, r.getStatusCode());
            assertEquals("invalid_api_key", json(r).path("error").path("code").asText());
        }
        assertTrue(published.isEmpty());
    }

    @Test
    void handleRequest_invalidBodies_400NamingTheField() throws IOException {
        String[][] cases = {
            {"{\"tags\":[\"x\"],\"reason\":\"r\"}", "tenant"},
            {"{\"tenant\":\"t\",\"tags\":[\"x\"]}", "reason"},
            {"{\"tenant\":\"t\",\"tags\":[\"bad tag\"],\"reason\":\"r\"}", "tags[0]"},
            {"{\"tenant\":\"t\",\"keys\":[\"default:abc\"],\"reason\":\"r\"}", "keys[0]"},
            {"{\"all\":true,\"tenant\":\"t\",\"reason\":\"r\"}", "all"},
            {"{\"reason\":\"r\"}", "all"},
            {"{\"tenant\":\"t\",\"reason\":\"r\",\"extra\":1}", "extra"},
            {"{\"tenant\":5,\"reason\":\"r\"}", "tenant"},
            {"{\"all\":\"yes\",\"reason\":\"r\"}", "all"},
        };
        for (String[] c : cases) {
            APIGatewayV2HTTPResponse r = handler.handleRequest(event("Bearer " + ADMIN_KEY, c[0]), null);
            assertEquals(400, r.getStatusCode(), c[0]);
            assertEquals(c[1], json(r).path("error").path("param").asText(), c[0]);
            assertEquals("invalid_value", json(r).path("error").path("code").asText(), c[0]);
        }
        APIGatewayV2HTTPResponse r = handler.handleRequest(event("Bearer " + ADMIN_KEY, "{nope"), null);
        assertEquals(400, r.getStatusCode());
        assertEquals("invalid_json", json(r).path("error").path("code").asText());
        assertTrue(published.isEmpty());
    }

    @Test
    void handleRequest_getOrNoBus_refused() throws IOException {
        APIGatewayV2HTTPEvent get = event("Bearer " + ADMIN_KEY, null);
        get.getRequestContext().getHttp().setMethod("GET");
        assertEquals(405, handler.handleRequest(get, null).getStatusCode());
        InvalidateRouteHandler noBus = new InvalidateRouteHandler(new Authenticator(List.of(
                new ApiKeyEntry("ops", Authenticator.sha256Hex(ADMIN_KEY)))), null, InstantSource.system());
        APIGatewayV2HTTPResponse r = noBus.handleRequest(event("Bearer " + ADMIN_KEY, null), null);
        assertEquals(500, r.getStatusCode());
        InvalidateRouteHandler failing = new InvalidateRouteHandler(new Authenticator(List.of(
                new ApiKeyEntry("ops", Authenticator.sha256Hex(ADMIN_KEY)))), e -> {
                    throw new IllegalStateException("bus down");
                }, InstantSource.system());
        APIGatewayV2HTTPResponse f = failing.handleRequest(event("Bearer " + ADMIN_KEY, null), null);
        assertEquals(500, f.getStatusCode());
        assertTrue(!f.getBody().contains("bus down"), "no exception message reaches the caller");
    }

    @Test
    void constructor_environment_readsAdminKeysSeparately() throws IOException {
        InvalidateRouteHandler fromEnv = new InvalidateRouteHandler(Map.of("SWITCHBOARD_ADMIN_KEYS",
                "ops:" + Authenticator.sha256Hex(ADMIN_KEY), "SWITCHBOARD_API_KEYS",
                "team-a:" + Authenticator.sha256Hex("sk-switchboard-dev")));
        assertEquals(401, fromEnv.handleRequest(event("Bearer sk-switchboard-dev", null), null).getStatusCode());
        assertEquals(500, fromEnv.handleRequest(event("Bearer " + ADMIN_KEY, null), null).getStatusCode(),
                "authenticated, but no bus configured");
    }
}
