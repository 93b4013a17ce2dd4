package io.switchboard.core.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.Gateway;
import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.config.Settings;
import io.switchboard.core.http.GatewayRequest;
import io.switchboard.core.http.GatewayResponse;
import io.switchboard.shared.json.Json;
import io.valkey.Jedis;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tiered cache end to end through {@link Gateway}s (each one an execution environment with its own L1) sharing a
 * real {@code redis-server} as L2, in front of an upstream on loopback that numbers its answers.
 */
class TieredCacheTest {
    private static RedisServer redis;
    private static FakeUpstream upstream;
    private final List<Gateway> gateways = new ArrayList<>();

    @BeforeAll
    static void startServers() throws Exception {
        redis = RedisServer.start();
        upstream = new FakeUpstream();
    }

    @AfterAll
    static void stopServers() throws Exception {
        if (upstream != null) {
            upstream.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void reset() {
        upstream.calls.set(0);
        upstream.delayMillis = 0;
        upstream.failWith = 0;
        upstream.padBytes = 0;
        try (Jedis j = new Jedis("127.0.0.1", redis.port())) {
            j.flushAll();
        }
    }

    @AfterEach
    void closeGateways() {
        gateways.forEach(Gateway::close);
    }

    private Gateway environment(String... extra) {
        Map<String, String> env = new HashMap<>();
        env.put("SWITCHBOARD_API_KEYS", "a:" + Authenticator.sha256Hex("key-a") + ",b:" + Authenticator.sha256Hex("key-b")
                + ",c:" + Authenticator.sha256Hex("key-c"));
        env.put("SWITCHBOARD_METRICS", "off");
        env.put("SWITCHBOARD_CONFIG", "{\"providers\":{\"up\":{\"type\":\"openai\",\"baseUrl\":\"" + upstream.baseUrl()
                + "\"}},\"models\":{\"m\":\"up/model-x\"}}");
        env.put("SWITCHBOARD_CACHE_URL", redis.url());
        env.put("SWITCHBOARD_CACHE_L2_TIMEOUT_MS", "200");
        for (int i = 0; i < extra.length; i += 2) {
            env.put(extra[i], extra[i + 1]);
        }
        Gateway g = Gateway.builder(Settings.from(env)).build();
        gateways.add(g);
        return g;
    }

    private static GatewayResponse send(Gateway g, String key, String body, String... headers) {
        Map<String, String> h = new HashMap<>();
        h.put("authorization", "Bearer " + key);
        h.put("content-type", "application/json");
        for (int i = 0; i < headers.length; i += 2) {
            h.put(headers[i], headers[i + 1]);
        }
        return g.handle(new GatewayRequest("POST", "/v1/chat/completions", h, body.getBytes(StandardCharsets.UTF_8),
                "req", Long.MAX_VALUE));
    }

    private static String chat(String prompt) {
        return "{\"model\":\"m\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
    }

    private static String cache(GatewayResponse r) {
        return r.headers().get("x-switchboard-cache");
    }

    private static String content(GatewayResponse r) throws Exception {
        return Json.MAPPER.readTree(r.body()).path("choices").get(0).path("message").path("content").asText();
    }

    @Test
    void handle_identicalRequests_missThenL1ThenL2InAnotherEnvironment() throws Exception {
        Gateway one = environment();
        GatewayResponse miss = send(one, "key-a", chat("hello"));
        assertEquals(200, miss.status());
        assertEquals("MISS", cache(miss));
        assertNotNull(miss.headers().get("x-switchboard-cache-key"));

        GatewayResponse l1 = send(one, "key-a", chat("hello"));
        assertEquals("HIT-L1", cache(l1));
        assertEquals(content(miss), content(l1));
        assertEquals("0.000", l1.headers().get("x-switchboard-upstream-ms"));

        Gateway two = environment();
        GatewayResponse l2 = send(two, "key-a", chat("hello"));
        assertEquals("HIT-L2", cache(l2));
        assertEquals(content(miss), content(l2));
        assertEquals("HIT-L1", cache(send(two, "key-a", chat("hello"))), "an L2 hit is promoted to L1");
        assertEquals(1, upstream.calls.get());
    }

    @Test
    void handle_equivalentJsonSpellings_shareOneEntry() {
        Gateway g = environment();
        send(g, "key-a", "{\"model\":\"m\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        GatewayResponse r = send(g, "key-a", "{ \"messages\" : [ {\"content\":\"x\", \"role\":\"user\"} ],"
                + " \"temperature\": 0.0e0, \"model\": \"m\", \"user\": \"someone\" }");
        assertEquals("HIT-L1", cache(r));
    }

    @Test
    void handle_controls_noCacheRefreshesNoStoreBypassesNondeterministicBypasses() throws Exception {
        Gateway g = environment();
        GatewayResponse first = send(g, "key-a", chat("c"));
        GatewayResponse refresh = send(g, "key-a", chat("c"), "cache-control", "no-cache");
        assertEquals("REFRESH", cache(refresh));
        assertNotEquals(content(first), content(refresh));
        assertEquals(content(refresh), content(send(g, "key-a", chat("c"))), "the refreshed entry replaced the old");

        GatewayResponse noStore = send(g, "key-a", chat("d"), "cache-control", "no-store");
        assertEquals("BYPASS", cache(noStore));
        assertEquals("MISS", cache(send(g, "key-a", chat("d"))), "no-store wrote nothing");

        String hot = "{\"model\":\"m\",\"temperature\":0.7,\"messages\":[{\"role\":\"user\",\"content\":\"e\"}]}";
        assertEquals("BYPASS", cache(send(g, "key-a", hot)));
        assertEquals("BYPASS", cache(send(g, "key-a", hot)));
        String seeded = "{\"model\":\"m\",\"temperature\":0.7,\"seed\":3,\"messages\":[{\"role\":\"user\",\"content\":\"e\"}]}";
        assertEquals("MISS", cache(send(g, "key-a", seeded)));
        assertEquals("HIT-L1", cache(send(g, "key-a", seeded)));
        String twoChoices = "{\"model\":\"m\",\"temperature\":0,\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"e\"}]}";
        assertEquals("BYPASS", cache(send(g, "key-a", twoChoices)));
    }

    @Test
    void handle_errors_areNeverCached() {
        Gateway g = environment();
        upstream.failWith = 500;
        assertEquals(502, send(g, "key-a", chat("err")).status());
        upstream.failWith = 0;
        GatewayResponse ok = send(g, "key-a", chat("err"));
        assertEquals(200, ok.status());
        assertEquals("MISS", cache(ok));
    }

    @Test
    void handle_ttlNamespaceAndTags_areRecordedForInvalidation() {
        Gateway g = environment();
        GatewayResponse r = send(g, "key-a", chat("tagged"), "x-switchboard-cache-ttl", "120",
                "x-switchboard-cache-namespace", "team-x", "x-switchboard-cache-tags", "project:x, prompt:v3");
        assertEquals("MISS", cache(r));
        String header = r.headers().get("x-switchboard-cache-key");
        assertTrue(header.startsWith("team-x:"));
        String entry = CacheKey.PREFIX + "e:a:" + header;
        try (Jedis j = new Jedis("127.0.0.1", redis.port())) {
            long pttl = j.pttl(entry);
            assertTrue(pttl > 110_000 && pttl <= 120_000, "TTL override applied: " + pttl);
            assertTrue(j.sismember("sb:v1:idx:tag:a:project:x", entry));
            assertTrue(j.sismember("sb:v1:idx:tag:a:prompt:v3", entry));
            assertTrue(j.sismember("sb:v1:idx:ns:a:team-x", entry));
            assertTrue(j.sismember("sb:v1:idx:model:up/model-x", entry));
            assertTrue(j.sismember("sb:v1:idx:tenant:a", entry));
            assertTrue(j.pttl("sb:v1:idx:tag:a:project:x") >= pttl, "indexes outlive their entries");
        }
        assertEquals("MISS", cache(send(g, "key-a", chat("tagged"))), "another namespace is another entry");
    }

    @Test
    void handle_randomizedTenants_neverSeeAnotherTenantsEntry() throws Exception {
        Random random = new Random(42);
        List<Gateway> envs = List.of(environment(), environment(), environment());
        String[] keys = {"key-a", "key-b", "key-c"};
        Map<String, String> firstAnswer = new HashMap<>(); // tenant|prompt -> content it got on its miss
        for (int i = 0; i < 150; i++) {
            int t = random.nextInt(3);
            String prompt = "p" + random.nextInt(6);
            GatewayResponse r = send(envs.get(random.nextInt(3)), keys[t], chat(prompt));
            assertEquals(200, r.status());
            String k = t + "|" + prompt;
            String c = content(r);
            if (cache(r).equals("MISS")) {
                assertFalse(firstAnswer.containsKey(k), "a tenant missed on a prompt it had stored: " + k);
                assertFalse(firstAnswer.containsValue(c), "an upstream answer is unique per call");
                firstAnswer.put(k, c);
            } else {
                assertEquals(firstAnswer.get(k), c, "a hit must be the same tenant's own answer: " + k);
            }
        }
        assertEquals(firstAnswer.size(), upstream.calls.get(), "one upstream call per (tenant, prompt)");
        assertTrue(firstAnswer.size() > 6, "several tenants stored the same prompts separately");
    }

    @Test
    void handle_burstAcrossEnvironments_costsOneUpstreamCall() throws Exception {
        upstream.delayMillis = 400;
        int n = 6;
        List<Gateway> envs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            envs.add(environment());
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<GatewayResponse>> results = new ArrayList<>();
        for (Gateway g : envs) {
            results.add(pool.submit(() -> {
                go.await();
                return send(g, "key-a", chat("burst"));
            }));
        }
        go.countDown();
        List<String> statuses = new ArrayList<>();
        String expected = null;
        for (Future<GatewayResponse> f : results) {
            GatewayResponse r = f.get();
            assertEquals(200, r.status());
            statuses.add(cache(r));
            expected = expected == null ? content(r) : expected;
            assertEquals(expected, content(r));
        }
        pool.shutdown();
        assertEquals(1, upstream.calls.get(), "statuses " + statuses);
        assertEquals(1, statuses.stream().filter("MISS"::equals).count());
        assertEquals(n - 1, statuses.stream().filter("HIT-L2"::equals).count());
    }

    @Test
    void handle_streams_replayedFromCacheAndStoredOnceComplete() throws Exception {
        Gateway g = environment();
        GatewayResponse stored = send(g, "key-a", chat("s1"));
        String streamBody = chat("s1").replace("{\"model\"", "{\"stream\":true,\"stream_options\":{\"include_usage\":true},\"model\"");
        GatewayResponse replay = send(g, "key-a", streamBody);
        assertEquals("HIT-L1", cache(replay));
        assertTrue(replay.headers().get("content-type").startsWith("text/event-stream"));
        String sse = replay.bodyText();
        assertTrue(sse.endsWith("data: [DONE]\n\n"));
        StringBuilder text = new StringBuilder();
        JsonNode last = null;
        for (String event : sse.split("\n\n")) {
            String data = event.substring("data: ".length());
            if (!data.equals("[DONE]")) {
                last = Json.MAPPER.readTree(data);
                assertEquals("chat.completion.chunk", last.path("object").asText());
                for (JsonNode c : last.path("choices")) {
                    text.append(c.path("delta").path("content").asText(""));
                }
            }
        }
        assertEquals(content(stored), text.toString());
        assertEquals(7, last.path("usage").path("total_tokens").asInt(), "include_usage honoured on replay");

        String streamOnly = chat("s2").replace("{\"model\"", "{\"stream\":true,\"model\"");
        GatewayResponse streamed = send(g, "key-a", streamOnly);
        assertEquals("MISS", cache(streamed));
        GatewayResponse fromStream = send(environment(), "key-a", chat("s2"));
        assertEquals("HIT-L2", cache(fromStream), "the streamed answer was stored once complete");
        assertTrue(content(fromStream).startsWith("answer-") && content(fromStream).endsWith("streamed"));
        assertEquals(2, upstream.calls.get());
    }

    @Test
    void handle_largeValues_areCompressedInL2() {
        upstream.padBytes = 20_000;
        Gateway g = environment();
        GatewayResponse r = send(g, "key-a", chat("big"));
        String entry = CacheKey.PREFIX + "e:a:" + r.headers().get("x-switchboard-cache-key");
        try (Jedis j = new Jedis("127.0.0.1", redis.port())) {
            byte[] stored = j.get(entry.getBytes(StandardCharsets.UTF_8));
            assertEquals(ValueCodec.DEFLATE, stored[0]);
            assertTrue(stored.length * 10 < r.body().length, "padding compresses well: " + stored.length);
        }
        assertEquals("HIT-L2", cache(send(environment(), "key-a", chat("big"))));
    }

    @Test
    void handle_l2DownThenBack_failsOpenThenReconnects() throws Exception {
        Gateway g = environment();
        assertEquals("MISS", cache(send(g, "key-a", chat("before"))));
        redis.stop();
        try {
            for (int i = 0; i < 5; i++) {
                GatewayResponse r = send(g, "key-a", chat("down-" + i));
                assertEquals(200, r.status(), "L2 down never fails a request");
                assertEquals("MISS", cache(r));
            }
            assertTrue(g.cache().guard().isOpen(), "repeated failures stop paying the L2 timeout");
            assertEquals("HIT-L1", cache(send(g, "key-a", chat("down-0"))), "L1 keeps serving");
        } finally {
            redis.restart();
        }
        Gateway fresh = environment("SWITCHBOARD_CACHE_L2_TIMEOUT_MS", "200");
        assertEquals("MISS", cache(send(fresh, "key-a", chat("after"))));
        assertEquals("HIT-L2", cache(send(environment(), "key-a", chat("after"))), "a new connection works");
        Thread.sleep(5_200); // the guard's cool-down (5 s by default)
        assertEquals("HIT-L2", cache(send(g, "key-a", chat("after"))), "the old environment reconnected");
    }

    @Test
    void handle_cacheOff_bypassesEverything() {
        Gateway g = environment("SWITCHBOARD_CACHE", "off");
        assertNull(g.cache());
        assertEquals("BYPASS", cache(send(g, "key-a", chat("off"))));
        assertEquals("BYPASS", cache(send(g, "key-a", chat("off"))));
        assertEquals(2, upstream.calls.get());
    }
}
