package io.switchboard.core.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.Gateway;
import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.cache.RedisServer;
import io.switchboard.core.config.Settings;
import io.switchboard.core.http.GatewayRequest;
import io.switchboard.core.http.GatewayResponse;
import io.switchboard.shared.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /health} and {@code GET /health/deep} through a real gateway, with a real redis-server as L2. */
class HealthServiceTest {
    private static final String KEY = "sk-health-gateway";
    private static final String ADMIN = "sk-health-admin";
    private static final String PROVIDER_SECRET = "sk-provider-secret-never-shown";
    private static RedisServer redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    private static Gateway gateway(String cacheUrl) {
        Map<String, String> env = new HashMap<>();
        env.put("SWITCHBOARD_API_KEYS", "t:" + Authenticator.sha256Hex(KEY));
        env.put("SWITCHBOARD_ADMIN_KEYS", "ops:" + Authenticator.sha256Hex(ADMIN));
        env.put("SWITCHBOARD_METRICS", "off");
        env.put("OPENAI_API_KEY", PROVIDER_SECRET);
        env.put("OPENAI_BASE_URL", "http://127.0.0.1:9/v1");
        env.put("SWITCHBOARD_CACHE_URL", cacheUrl);
        env.put("SWITCHBOARD_CACHE_L2_TIMEOUT_MS", "200");
        return Gateway.builder(Settings.from(env)).build();
    }

    private static GatewayResponse get(Gateway g, String path, String key) {
        Map<String, String> h = new HashMap<>();
        if (key != null) {
            h.put("authorization", "Bearer " + key);
        }
        return g.handle(new GatewayRequest("GET", path, h, new byte[0], "h1", 30_000));
    }

    private static JsonNode json(GatewayResponse r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    @Test
    void health_withoutKey_reportsVersionInitL2AndCatalog_noSecrets() throws Exception {
        try (Gateway g = gateway(redis.url())) {
            g.serve(new GatewayRequest("POST", Gateway.CHAT_COMPLETIONS, Map.of("authorization", "Bearer " + KEY,
                    "content-type", "application/json"), "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"
                    .getBytes(StandardCharsets.UTF_8), "r", 30_000), new io.switchboard.core.http.BufferedResponse());
            GatewayResponse r = get(g, "/health", null);
            assertEquals(200, r.status());
            assertEquals("no-store", r.headers().get("cache-control"));
            JsonNode body = json(r);
            assertEquals("ok", body.path("status").asText(), body.toString());
            assertFalse(body.path("version").asText().isEmpty());
            assertTrue(body.path("init").has("gateway"), "the gateway's own build time: " + body);
            assertTrue(body.path("l2").path("configured").asBoolean());
            assertTrue(body.path("l2").path("reachable").asBoolean(), body.toString());
            assertEquals("config", body.path("catalog").path("source").asText());
            assertFalse(body.has("providers"), "the shallow variant lists no providers");
            String text = new String(r.body(), StandardCharsets.UTF_8);
            assertFalse(text.contains(PROVIDER_SECRET) || text.contains(KEY) || text.contains(ADMIN), text);
        }
    }

    @Test
    void health_l2Down_isDegraded() throws Exception {
        int deadPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        try (Gateway g = gateway("redis://127.0.0.1:" + deadPort)) {
            JsonNode body = json(get(g, "/health", null));
            assertEquals("degraded", body.path("status").asText(), body.toString());
            assertFalse(body.path("l2").path("reachable").asBoolean());
        }
    }

    @Test
    void deep_needsAnAdminKey_andAddsProvidersJvmAndContributors() throws Exception {
        try (Gateway g = gateway(redis.url())) {
            assertEquals(401, get(g, "/health/deep", null).status());
            assertEquals(401, get(g, "/health/deep", KEY).status(), "a gateway key is not an admin key");
            g.health().register(new HealthContributor() {
                @Override
                public String name() {
                    return "breakers";
                }

                @Override
                public Map<String, Object> health(boolean deep) {
                    return Map.of("openai", "closed");
                }
            });
            GatewayResponse r = get(g, "/health/deep", ADMIN);
            assertEquals(200, r.status());
            JsonNode body = json(r);
            assertEquals("closed", body.path("breakers").path("openai").asText());
            assertTrue(body.path("providers").findValuesAsText("name").containsAll(java.util.List.of("openai", "mock")),
                    body.toString());
            assertTrue(body.path("jvm").path("threads").asInt() > 0);
            String text = new String(r.body(), StandardCharsets.UTF_8);
            assertFalse(text.contains(PROVIDER_SECRET), text);
            assertEquals("closed", json(get(g, "/health", null)).path("breakers").path("openai").asText(),
                    "contributors appear in the shallow variant too");
        }
    }

    @Test
    void health_otherMethod_is405() {
        try (Gateway g = gateway(redis.url())) {
            GatewayResponse r = g.handle(new GatewayRequest("POST", "/health", Map.of(), new byte[0], "x", 30_000));
            assertEquals(405, r.status());
        }
    }
}
