package io.switchboard.invalidation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.governance.KeyPage;
import io.switchboard.core.governance.KeyRecord;
import io.switchboard.core.governance.KeyStore;
import io.switchboard.core.governance.TenantLimits;
import io.switchboard.core.governance.admin.AdminApi;
import io.switchboard.shared.config.ApiKeyEntry;
import io.switchboard.shared.json.Json;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The admin function's mapping of API Gateway events (path, method, query string) onto the admin API. */
class AdminRouteHandlerTest {
    private final Map<String, KeyRecord> keys = new LinkedHashMap<>();
    private final AdminRouteHandler handler = new AdminRouteHandler(new AdminApi(
            new Authenticator(List.of(new ApiKeyEntry("ops", Authenticator.sha256Hex("sk-switchboard-admin-dev")))),
            new MemoryKeys(), null, InstantSource.system(), new SecureRandom()));

    private static APIGatewayV2HTTPEvent event(String method, String path, Map<String, String> query) {
        APIGatewayV2HTTPEvent e = EventLoader.loadApiGatewayHttpEvent("events/admin-create-key.json");
        e.getRequestContext().getHttp().setMethod(method);
        e.setRawPath(path);
        e.setQueryStringParameters(query);
        if (!method.equals("POST")) {
            e.setBody(null);
        }
        return e;
    }

    @Test
    void createThenList_throughEvents() throws Exception {
        APIGatewayV2HTTPResponse created = handler.handleRequest(
                EventLoader.loadApiGatewayHttpEvent("events/admin-create-key.json"), null);
        assertEquals(201, created.getStatusCode(), created.getBody());
        JsonNode c = Json.MAPPER.readTree(created.getBody());
        String secret = c.get("key").asText();
        assertEquals(600, c.get("rpm").asLong());

        APIGatewayV2HTTPResponse list = handler.handleRequest(event("GET", "/v1/admin/keys",
                Map.of("tenant", "acme")), null);
        assertEquals(200, list.getStatusCode(), list.getBody());
        assertEquals(1, Json.MAPPER.readTree(list.getBody()).get("data").size());
        assertFalse(list.getBody().contains(secret));

        APIGatewayV2HTTPResponse bad = handler.handleRequest(event("GET", "/v1/admin/keys", Map.of("limit", "500")),
                null);
        assertEquals(400, bad.getStatusCode());
        assertEquals("limit", Json.MAPPER.readTree(bad.getBody()).get("error").get("param").asText());

        APIGatewayV2HTTPResponse put = handler.handleRequest(event("PUT", "/v1/admin/keys", null), null);
        assertEquals(405, put.getStatusCode());
        assertTrue(put.getHeaders().get("allow").contains("POST"));
    }

    /** Keys in memory, enough for the mapping. */
    private final class MemoryKeys implements KeyStore {
        @Override
        public Optional<KeyRecord> findByHash(String hashHex) {
            return keys.values().stream().filter(k -> k.hash().equals(hashHex)).findFirst();
        }

        @Override
        public Optional<KeyRecord> get(String id) {
            return Optional.ofNullable(keys.get(id));
        }

        @Override
        public void create(KeyRecord key) {
            keys.put(key.id(), key);
        }

        @Override
        public boolean replace(KeyRecord old, KeyRecord updated) {
            return keys.replace(old.id(), old, updated);
        }

        @Override
        public boolean delete(KeyRecord key) {
            return keys.remove(key.id()) != null;
        }

        @Override
        public KeyPage list(String tenant, int limit, String cursor) {
            List<KeyRecord> out = new ArrayList<>();
            keys.values().stream().filter(k -> tenant == null || k.tenant().equals(tenant)).limit(limit)
                    .forEach(out::add);
            return new KeyPage(out, null);
        }

        @Override
        public TenantLimits tenantLimits(String tenant) {
            return TenantLimits.none(tenant);
        }

        @Override
        public void putTenantLimits(TenantLimits limits) {
        }
    }
}
