package io.switchboard.core.governance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.Gateway;
import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.cache.RedisServer;
import io.switchboard.core.catalog.CatalogSnapshots;
import io.switchboard.core.catalog.ModelsApi;
import io.switchboard.core.catalog.testing.DynamoDbLocal;
import io.switchboard.core.config.Settings;
import io.switchboard.core.governance.admin.AdminApi;
import io.switchboard.core.governance.internal.DynamoDbKeyStore;
import io.switchboard.core.governance.internal.DynamoDbUsageStore;
import io.switchboard.core.http.GatewayRequest;
import io.switchboard.core.http.GatewayResponse;
import io.switchboard.core.metrics.GatewayMetrics;
import io.switchboard.shared.config.ApiKeyEntry;
import io.switchboard.shared.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The whole request path governed: keys made by the admin API on DynamoDB Local, limits counted in a real
 * redis-server, spend written to the usage table and read back through the usage route.
 */
class GatewayGovernanceTest {
    private static final String ADMIN = "sk-admin-test";
    private static final String ENV_KEY = "sk-env-break-glass";
    private static DynamoDbLocal dynamo;
    private static DynamoDbClient client;
    private static RedisServer redis;

    private String keysTable;
    private String usageTable;
    private AdminApi admin;
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private PrintStream out;
    private PrintStream err;

    @BeforeAll
    static void start() throws Exception {
        dynamo = DynamoDbLocal.start();
        client = dynamo.client();
        redis = RedisServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        dynamo.close();
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void tables() {
        keysTable = KeyDirectoryTest.newKeysTable(client);
        usageTable = "usage-" + keysTable;
        DynamoDbUsageStore.createTable(client, usageTable);
        admin = new AdminApi(new Authenticator(List.of(new ApiKeyEntry("ops", Authenticator.sha256Hex(ADMIN)))),
                new DynamoDbKeyStore(() -> client, keysTable), new DynamoDbUsageStore(() -> client, usageTable),
                InstantSource.system(), new SecureRandom());
        out = System.out;
        err = System.err;
        PrintStream tee = new PrintStream(logs, true, StandardCharsets.UTF_8);
        System.setOut(tee);
        System.setErr(tee);
    }

    @AfterEach
    void restore() {
        System.setOut(out);
        System.setErr(err);
    }

    private Gateway gateway() {
        Map<String, String> env = new HashMap<>();
        env.put("SWITCHBOARD_KEYS_TABLE", keysTable);
        env.put("SWITCHBOARD_USAGE_TABLE", usageTable);
        env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint().toString());
        env.put("SWITCHBOARD_CACHE_URL", redis.url());
        env.put("SWITCHBOARD_CACHE", "off");
        env.put("SWITCHBOARD_API_KEYS", "ops:" + Authenticator.sha256Hex(ENV_KEY));
        env.put("AWS_ACCESS_KEY_ID", "test");
        env.put("AWS_SECRET_ACCESS_KEY", "test");
        return Gateway.builder(Settings.from(env)).metrics(GatewayMetrics.noop()).build();
    }

    private GatewayResponse admin(String method, String path, String body, Map<String, String> query) {
        return admin.handle(new GatewayRequest(method, path, Map.of("authorization", "Bearer " + ADMIN,
                "content-type", "application/json"), body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8),
                "adm", Long.MAX_VALUE), query);
    }

    private static JsonNode json(GatewayResponse r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    private static GatewayResponse chat(Gateway g, String key, String model, String text) {
        byte[] body = ("{\"model\":\"" + model + "\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\""
                + text + "\"}]}").getBytes(StandardCharsets.UTF_8);
        return g.handle(new GatewayRequest("POST", "/v1/chat/completions", Map.of("authorization", "Bearer " + key,
                "content-type", "application/json"), body, "req", Long.MAX_VALUE));
    }

    @Test
    void storedKey_limitedAndPriced_endToEnd() throws Exception {
        GatewayResponse created = admin("POST", "/v1/admin/keys", "{\"tenant\":\"acme\",\"name\":\"app\","
                + "\"models\":[\"mock-*\"],\"rpm\":5}", Map.of());
        assertEquals(201, created.status());
        String secret = json(created).get("key").asText();
        String id = json(created).get("id").asText();
        assertTrue(secret.startsWith("sk-sb-"));

        try (Gateway g = gateway()) {
            BigDecimal expected = BigDecimal.ZERO;
            Price price = PriceTable.withOverrides(null).price("mock-1");
            for (int i = 0; i < 5; i++) {
                GatewayResponse r = chat(g, secret, "mock-1", "hello number " + i + " " + "x".repeat(i * 37));
                assertEquals(200, r.status(), new String(r.body(), StandardCharsets.UTF_8));
                assertEquals("5", r.headers().get("x-ratelimit-limit-requests"), logs.toString());
                assertEquals(Integer.toString(4 - i), r.headers().get("x-ratelimit-remaining-requests"));
                assertNotNull(r.headers().get("x-ratelimit-reset-requests"));
                JsonNode u = json(r).get("usage");
                expected = expected.add(price.cost(u.get("prompt_tokens").asLong(), 0,
                        u.get("completion_tokens").asLong()));
            }
            GatewayResponse limited = chat(g, secret, "mock-1", "one too many");
            assertEquals(429, limited.status());
            assertNotNull(limited.headers().get("retry-after"));
            assertEquals("0", limited.headers().get("x-ratelimit-remaining-requests"));
            JsonNode error = json(limited).get("error");
            assertEquals("rate_limit_exceeded", error.get("code").asText());
            assertEquals("rate_limit_error", error.get("type").asText());

            GatewayResponse hidden = chat(g, secret, "fast", "hi");
            assertEquals(404, hidden.status(), "a model outside the key's list answers as an unknown one");
            assertEquals("model_not_found", json(hidden).get("error").get("code").asText());
            assertFalse(new String(hidden.body(), StandardCharsets.UTF_8).contains("Did you mean"));

            assertEquals(200, chat(g, ENV_KEY, "fast", "break glass").status(), "environment keys still work");

            g.governance().flushAll(); // what the environment's shutdown or the next due flush does
            String today = LocalDate.now(ZoneOffset.UTC).toString();
            GatewayResponse usage = admin("GET", "/v1/admin/usage", null, Map.of("tenant", "acme", "from", today,
                    "to", today));
            assertEquals(200, usage.status());
            JsonNode total = json(usage).get("total");
            assertEquals(5, total.get("requests").asLong(), "refused requests are not spend");
            assertEquals(0, expected.compareTo(total.get("cost_usd").decimalValue()),
                    "spend = sum(usage x price) exactly: " + expected + " vs " + total.get("cost_usd"));
            assertEquals("mock-1", json(usage).get("data").get(0).get("model").asText());

            // revoke: refused within the key cache's bound (4 s; here the gateway's ticker is the system one)
            assertEquals(200, admin("PATCH", "/v1/admin/keys/" + id, "{\"revoked\":true}", Map.of()).status());
            g.governance().keys().clear(); // stands for the 4 s passing (KeyDirectoryTest steps through the bound)
            assertEquals(401, chat(g, secret, "mock-1", "after revoke").status());
        }
        String logged = logs.toString(StandardCharsets.UTF_8);
        assertFalse(logged.contains(secret), "the key is never logged");
        assertFalse(logged.contains(Authenticator.sha256Hex(secret)), "nor its hash");
    }

    @Test
    void budget_exceeded_is429WithItsCode() throws Exception {
        GatewayResponse created = admin("POST", "/v1/admin/keys", "{\"tenant\":\"thrifty\",\"name\":\"app\","
                + "\"budget_daily_usd\":0.00001}", Map.of());
        String secret = json(created).get("key").asText();
        try (Gateway g = gateway()) {
            int ok = 0;
            GatewayResponse r;
            do {
                r = chat(g, secret, "mock-1", "spend some money " + ok);
                ok += r.status() == 200 ? 1 : 0;
            } while (r.status() == 200 && ok < 100);
            assertTrue(ok >= 1 && ok < 100, "" + ok);
            assertEquals(429, r.status());
            assertEquals("budget_exceeded", json(r).get("error").get("code").asText());
            assertNotNull(r.headers().get("retry-after"));
        }
    }

    @Test
    void modelsList_showsOnlyTheKeysModels() throws Exception {
        String secret = json(admin("POST", "/v1/admin/keys", "{\"tenant\":\"acme\",\"name\":\"m\","
                + "\"models\":[\"mock-1\"]}", Map.of())).get("key").asText();
        KeyDirectory keys = new KeyDirectory(new Authenticator(List.of(new ApiKeyEntry("ops",
                Authenticator.sha256Hex(ENV_KEY)))), new DynamoDbKeyStore(() -> client, keysTable),
                Duration.ofSeconds(4), Duration.ofSeconds(60), System::nanoTime, InstantSource.system());
        ModelsApi api = new ModelsApi(keys, CatalogSnapshots.ofConfig(Settings.from(Map.of()).config()));
        JsonNode list = json(api.handle(get("/v1/models", secret), null));
        assertEquals(1, list.get("data").size());
        assertEquals("mock-1", list.get("data").get(0).get("id").asText());
        assertEquals(200, api.handle(get("/v1/models/mock-1", secret), null).status());
        GatewayResponse fast = api.handle(get("/v1/models/fast", secret), null);
        GatewayResponse none = api.handle(get("/v1/models/nonexistent", secret), null);
        assertEquals(404, fast.status());
        assertEquals(404, none.status());
        assertEquals(json(fast).get("error").get("code"), json(none).get("error").get("code"));
        assertTrue(json(api.handle(get("/v1/models", ENV_KEY), null)).get("data").size() > 1);
    }

    private static GatewayRequest get(String path, String key) {
        return new GatewayRequest("GET", path, Map.of("authorization", "Bearer " + key), new byte[0], "m",
                Long.MAX_VALUE);
    }

    @Test
    void adminInput_badFieldsAre400sNamingTheField() throws Exception {
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("{\"name\":\"x\"}", "tenant");
        cases.put("{\"tenant\":\"acme\"}", "name");
        cases.put("{\"tenant\":\"no spaces\",\"name\":\"x\"}", "tenant");
        cases.put("{\"tenant\":\"acme\",\"name\":\"\"}", "name");
        cases.put("{\"tenant\":\"acme\",\"name\":\"x\",\"rpm\":-1}", "rpm");
        cases.put("{\"tenant\":\"acme\",\"name\":\"x\",\"tpm\":1.5}", "tpm");
        cases.put("{\"tenant\":\"acme\",\"name\":\"x\",\"models\":\"gpt-4o\"}", "models");
        cases.put("{\"tenant\":\"acme\",\"name\":\"x\",\"models\":[1]}", "models");
        cases.put("{\"tenant\":\"acme\",\"name\":\"x\",\"budget_daily_usd\":-3}", "budget_daily_usd");
        cases.put("{\"tenant\":\"acme\",\"name\":\"x\",\"budget_monthly_usd\":\"ten\"}", "budget_monthly_usd");
        cases.put("{\"tenant\":\"acme\",\"name\":\"x\",\"expires_at\":\"tomorrow\"}", "expires_at");
        cases.put("{\"tenant\":\"acme\",\"name\":\"x\",\"expires_at\":\"2001-01-01T00:00:00Z\"}", "expires_at");
        cases.put("{\"tenant\":\"acme\",\"name\":\"x\",\"metadata\":{\"a\":1}}", "metadata");
        cases.put("{\"tenant\":\"acme\",\"name\":\"x\",\"colour\":\"red\"}", "colour");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            GatewayResponse r = admin("POST", "/v1/admin/keys", c.getKey(), Map.of());
            assertEquals(400, r.status(), c.getKey());
            assertEquals(c.getValue(), json(r).get("error").get("param").asText(), c.getKey());
        }
        assertEquals(400, admin("POST", "/v1/admin/keys", "not json", Map.of()).status());
        String id = json(admin("POST", "/v1/admin/keys", "{\"tenant\":\"acme\",\"name\":\"x\"}", Map.of()))
                .get("id").asText();
        GatewayResponse patch = admin("PATCH", "/v1/admin/keys/" + id, "{\"tenant\":\"other\"}", Map.of());
        assertEquals("tenant", json(patch).get("error").get("param").asText());
        assertEquals("revoked", json(admin("PATCH", "/v1/admin/keys/" + id, "{\"revoked\":\"yes\"}", Map.of()))
                .get("error").get("param").asText());
        assertEquals("tenant", json(admin("GET", "/v1/admin/usage", null, Map.of())).get("error").get("param")
                .asText());
        assertEquals("from", json(admin("GET", "/v1/admin/usage", null, Map.of("tenant", "a", "from", "yesterday")))
                .get("error").get("param").asText());
        assertEquals("limit", json(admin("GET", "/v1/admin/keys", null, Map.of("limit", "0"))).get("error")
                .get("param").asText());
        GatewayResponse noAuth = admin.handle(new GatewayRequest("GET", "/v1/admin/keys", Map.of(), new byte[0],
                "x", Long.MAX_VALUE), Map.of());
        assertEquals(401, noAuth.status());
        assertEquals(404, admin("GET", "/v1/admin/keys/key_0000000000000000", null, Map.of()).status());
    }

    @Test
    void keyIsShownOnce_neverListedOrReadBack_rotationReplacesIt() throws Exception {
        JsonNode created = json(admin("POST", "/v1/admin/keys", "{\"tenant\":\"acme\",\"name\":\"once\","
                + "\"rpm\":10,\"tpm\":1000,\"budget_monthly_usd\":25.5,\"expires_at\":\"2099-01-01T00:00:00Z\","
                + "\"metadata\":{\"owner\":\"team-a\"}}", Map.of()));
        String secret = created.get("key").asText();
        String id = created.get("id").asText();
        assertEquals(10, created.get("rpm").asLong());
        assertEquals("25.5", created.get("budget_monthly_usd").asText());
        String hash = Authenticator.sha256Hex(secret);
        for (GatewayResponse r : List.of(admin("GET", "/v1/admin/keys/" + id, null, Map.of()),
                admin("GET", "/v1/admin/keys", null, Map.of("tenant", "acme")),
                admin("GET", "/v1/admin/keys", null, Map.of()),
                admin("PATCH", "/v1/admin/keys/" + id, "{\"name\":\"renamed\",\"budget_monthly_usd\":null}",
                        Map.of()))) {
            String body = new String(r.body(), StandardCharsets.UTF_8);
            assertEquals(200, r.status(), body);
            assertFalse(body.contains(secret), body);
            assertFalse(body.contains(hash), body);
            assertFalse(body.contains("\"key\""), body);
        }
        JsonNode read = json(admin("GET", "/v1/admin/keys/" + id, null, Map.of()));
        assertEquals("renamed", read.get("name").asText());
        assertTrue(read.get("budget_monthly_usd").isNull());

        JsonNode rotated = json(admin("POST", "/v1/admin/keys/" + id + "/rotate", null, Map.of()));
        String next = rotated.get("key").asText();
        assertFalse(next.equals(secret));
        assertEquals(id, rotated.get("id").asText());
        try (Gateway g = gateway()) {
            assertEquals(401, chat(g, secret, "mock-1", "old").status());
            assertEquals(200, chat(g, next, "mock-1", "new").status());
        }
        assertEquals(200, admin("DELETE", "/v1/admin/keys/" + id, null, Map.of()).status());
        assertEquals(404, admin("GET", "/v1/admin/keys/" + id, null, Map.of()).status());
        assertNull(json(admin("GET", "/v1/admin/keys", null, Map.of("tenant", "nobody"))).get("next"));
    }
}
