package io.switchboard.invalidation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.core.Gateway;
import io.switchboard.core.Ticker;
import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.cache.FakeUpstream;
import io.switchboard.core.cache.RedisServer;
import io.switchboard.core.config.Settings;
import io.switchboard.core.http.GatewayRequest;
import io.switchboard.core.http.GatewayResponse;
import io.switchboard.shared.json.Json;
import io.valkey.Jedis;
import io.valkey.Pipeline;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Invalidation end to end: completion environments ({@link Gateway}s, each with its own L1) sharing a real
 * {@code redis-server} as L2 in front of a loopback upstream that numbers its answers, and the invalidation handler
 * fed the {@code events/} samples.
 */
class InvalidationTest {
    private static final String TENANT = "team-a";
    private static final String KEY = "key-a";
    private static RedisServer redis;
    private static FakeUpstream upstream;
    private final List<Gateway> gateways = new ArrayList<>();

    /** A ticker the test moves. */
    static final class FakeTicker implements Ticker {
        final AtomicLong nanos = new AtomicLong(1_000_000_000L);

        @Override
        public long read() {
            return nanos.get();
        }

        void advanceMillis(long ms) {
            nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
        }
    }

    @BeforeAll
    static void startServers() throws Exception {
        redis = RedisServer.start();
        upstream = new FakeUpstream();
    }

    @AfterAll
    static void stopServers() {
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
        try (Jedis j = jedis()) {
            j.flushAll();
        }
    }

    @AfterEach
    void closeGateways() {
        gateways.forEach(Gateway::close);
        gateways.clear();
    }

    private static Jedis jedis() {
        return new Jedis("127.0.0.1", redis.port());
    }

    private static Map<String, String> env(String... extra) {
        Map<String, String> env = new HashMap<>();
        env.put("SWITCHBOARD_API_KEYS", TENANT + ":" + Authenticator.sha256Hex(KEY) + ",team-b:"
                + Authenticator.sha256Hex("key-b"));
        env.put("SWITCHBOARD_METRICS", "off");
        env.put("SWITCHBOARD_CONFIG", "{\"providers\":{\"up\":{\"type\":\"openai\",\"baseUrl\":\""
                + upstream.baseUrl() + "\"}},\"models\":{\"m\":\"up/model-x\"}}");
        env.put("SWITCHBOARD_CACHE_URL", redis.url());
        env.put("SWITCHBOARD_CACHE_L2_TIMEOUT_MS", "300");
        for (int i = 0; i < extra.length; i += 2) {
            env.put(extra[i], extra[i + 1]);
        }
        return env;
    }

    private Gateway environment(Ticker ticker, String... extra) {
        Gateway g = Gateway.builder(Settings.from(env(extra))).ticker(ticker).build();
        gateways.add(g);
        return g;
    }

    private static InvalidationHandler handler(String... extra) {
        return new InvalidationHandler(env(extra));
    }

    private static GatewayResponse send(Gateway g, String prompt, String tags, String... headers) {
        Map<String, String> h = new HashMap<>();
        h.put("authorization", "Bearer " + KEY);
        h.put("content-type", "application/json");
        if (tags != null) {
            h.put("x-switchboard-cache-tags", tags);
        }
        for (int i = 0; i < headers.length; i += 2) {
            h.put(headers[i], headers[i + 1]);
        }
        String body = "{\"model\":\"m\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt
                + "\"}]}";
        return g.handle(new GatewayRequest("POST", "/v1/chat/completions", h, body.getBytes(StandardCharsets.UTF_8),
                "req", Long.MAX_VALUE));
    }

    private static String cache(GatewayResponse r) {
        return r.headers().get("x-switchboard-cache");
    }

    private static String content(GatewayResponse r) throws IOException {
        return Json.MAPPER.readTree(r.body()).path("choices").get(0).path("message").path("content").asText();
    }

    static byte[] sample(String name) throws IOException {
        try (InputStream in = InvalidationTest.class.getResourceAsStream("/events/" + name)) {
            return in.readAllBytes();
        }
    }

    /** A sample event with its detail (and id) replaced. */
    static byte[] event(String sample, String id, String detailJson) throws IOException {
        ObjectNode e = (ObjectNode) Json.MAPPER.readTree(sample(sample));
        e.put("id", id);
        e.set("detail", Json.MAPPER.readTree(detailJson));
        return Json.MAPPER.writeValueAsBytes(e);
    }

    static JsonNode invoke(InvalidationHandler h, byte[] event) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        h.handleRequest(new ByteArrayInputStream(event), out, null);
        return Json.MAPPER.readTree(out.toByteArray());
    }

    private static Set<String> entries() {
        try (Jedis j = jedis()) {
            return new TreeSet<>(j.keys("sb:v1:e:*")); // test inspection only; the function never scans
        }
    }

    @Test
    void handleRequest_tagEvent_twoEnvironmentsStopServingWithinTheBound() throws Exception {
        FakeTicker ticker = new FakeTicker();
        Gateway one = environment(ticker);
        Gateway two = environment(ticker);
        GatewayResponse first = send(one, "hello", "prompt:v3");
        assertEquals("MISS", cache(first));
        String old = content(first);
        assertEquals("HIT-L1", cache(send(one, "hello", "prompt:v3")));
        assertEquals("HIT-L2", cache(send(two, "hello", null)));
        assertEquals("HIT-L1", cache(send(two, "hello", null)));
        GatewayResponse other = send(one, "untagged", null);
        assertEquals(2, upstream.calls.get());

        JsonNode result = invoke(handler(), sample("cache-invalidate-tag.json"));
        assertEquals(1, result.path("removed").asLong(), result.toString());
        assertEquals(1, result.path("sequence").asLong());

        // Within the bound both may still serve it from L1 (they have not re-read the log) ...
        ticker.advanceMillis(999);
        assertEquals("HIT-L1", cache(send(one, "hello", null)));
        assertEquals("HIT-L1", cache(send(two, "hello", null)));
        // ... and at the bound neither does: the next request goes upstream.
        ticker.advanceMillis(1);
        GatewayResponse after = send(one, "hello", null);
        assertEquals("MISS", cache(after));
        assertNotEquals(old, content(after));
        assertEquals(3, upstream.calls.get());
        GatewayResponse afterTwo = send(two, "hello", null);
        assertNotEquals("HIT-L1", cache(afterTwo));
        assertEquals(content(after), content(afterTwo), "the new answer, from L2");
        // what the invalidation did not name stays cached
        assertEquals("HIT-L1", cache(send(one, "untagged", null)));
        assertEquals(content(other), content(send(one, "untagged", null)));
        assertEquals(3, upstream.calls.get());
    }

    @Test
    void handleRequest_tagEvent_measuredStalenessOnTheRealClock() throws Exception {
        long bound = 1000;
        Gateway one = environment(Ticker.system());
        Gateway two = environment(Ticker.system());
        send(one, "measured", "prompt:v3");
        send(two, "measured", null);
        // stagger the environments' refreshes: env2 re-reads the log just before the event is recorded (its worst
        // case, about one bound), env1 half a bound earlier
        Thread.sleep(bound + 50);
        assertEquals("HIT-L1", cache(send(one, "measured", null)));
        Thread.sleep(bound / 2);
        assertEquals("HIT-L1", cache(send(two, "measured", null)));
        long start = System.nanoTime();
        invoke(handler(), sample("cache-invalidate-tag.json"));
        long recorded = System.nanoTime();
        long[] stale = {-1, -1};
        Gateway[] envs = {one, two};
        while ((stale[0] < 0 || stale[1] < 0) && System.nanoTime() - recorded < TimeUnit.SECONDS.toNanos(5)) {
            for (int i = 0; i < 2; i++) {
                if (stale[i] < 0 && !"HIT-L1".equals(cache(send(envs[i], "measured", null)))) {
                    stale[i] = System.nanoTime() - recorded;
                }
            }
            Thread.sleep(1);
        }
        System.out.printf("invalidation staleness across environments: env1 %.1f ms, env2 %.1f ms after the event"
                + " was recorded (handler %.1f ms; bound %d ms)%n", stale[0] / 1e6, stale[1] / 1e6,
                (recorded - start) / 1e6, bound);
        for (long s : stale) {
            assertTrue(s >= 0 && s <= TimeUnit.MILLISECONDS.toNanos(bound + 50), "stale for " + s / 1e6 + " ms");
        }
    }

    @Test
    void handleRequest_sameEventTwice_secondDeliveryChangesNothing() throws Exception {
        Gateway g = environment(Ticker.system());
        send(g, "dup-1", "prompt:v3");
        JsonNode first = invoke(handler(), sample("cache-invalidate-tag.json"));
        assertEquals(1, first.path("removed").asLong());
        assertFalse(first.path("duplicate").asBoolean());
        send(g, "dup-2", "prompt:v3"); // written after the invalidation: not its business
        Set<String> before = entries();
        JsonNode again = invoke(handler(), sample("cache-invalidate-tag.json"));
        assertTrue(again.path("duplicate").asBoolean());
        assertEquals(0, again.path("removed").asLong());
        assertEquals(before, entries());
        try (Jedis j = jedis()) {
            assertEquals("1", j.get("sb:v1:inv:{log}:seq"), "one log record for one event");
        }
    }

    @Test
    void handleRequest_eventsInEitherOrder_leaveTheSameState() throws Exception {
        String tagEvent = "{\"tenant\":\"team-a\",\"tags\":[\"t1\"],\"reason\":\"r\"}";
        String nsEvent = "{\"tenant\":\"team-a\",\"namespace\":\"ns\",\"reason\":\"r\"}";
        String modelEvent = "{\"model\":\"m\",\"reason\":\"r\"}";
        List<Set<String>> states = new ArrayList<>();
        for (List<String> order : List.of(List.of("A", "B"), List.of("B", "A"))) {
            try (Jedis j = jedis()) {
                j.flushAll();
            }
            Gateway g = environment(Ticker.system());
            send(g, "x1", "t1");
            send(g, "x2", "t2");
            send(g, "x3", "t2", "x-switchboard-cache-namespace", "ns");
            send(g, "x4", null, "x-switchboard-cache-namespace", "other");
            InvalidationHandler h = handler();
            for (String which : order) {
                invoke(h, event("cache-invalidate-tag.json", "ev-" + which, which.equals("A") ? tagEvent : nsEvent));
            }
            for (String which : order) { // and each delivered once more
                invoke(h, event("cache-invalidate-tag.json", "ev-" + which, which.equals("A") ? tagEvent : nsEvent));
            }
            states.add(entries());
        }
        assertEquals(states.get(0), states.get(1));
        assertEquals(2, states.get(0).size(), "x2 and x4 remain: " + states.get(0));
        // a model (alias resolved through the catalog) removes the rest
        invoke(handler(), event("cache-invalidate-model.json", "ev-model", modelEvent));
        assertEquals(Set.of(), entries());
    }

    @Test
    void handleRequest_tagWith100000Entries_removedInBatchesWithoutScanning() throws Exception {
        int n = 100_000;
        String index = "sb:v1:idx:tag:team-a:big";
        try (Jedis j = jedis()) {
            Pipeline p = j.pipelined();
            for (int i = 0; i < n; i++) {
                String k = "sb:v1:e:team-a:default:" + String.format("%064x", i);
                p.psetex(k, 3_600_000, "\0{}");
                p.sadd(index, k);
                if (i % 10_000 == 9_999) {
                    p.sync();
                    p = j.pipelined();
                }
            }
            p.sync();
            j.set("sb:v1:e:team-a:default:keep", "\0{}");
            assertEquals(n, j.scard(index));
        }
        long start = System.nanoTime();
        JsonNode r = invoke(handler("SWITCHBOARD_CACHE_L2_TIMEOUT_MS", "5000"), event("cache-invalidate-tag.json",
                "ev-big", "{\"tenant\":\"team-a\",\"tags\":[\"big\"],\"reason\":\"load test\"}"));
        long nanos = System.nanoTime() - start;
        System.out.printf("invalidated a %,d-entry tag in %.0f ms (handler's own figure %.0f ms)%n", n, nanos / 1e6,
                r.path("millis").asDouble());
        assertEquals(n, r.path("removed").asLong());
        try (Jedis j = jedis()) {
            assertFalse(j.exists(index));
            assertEquals(Set.of("sb:v1:e:team-a:default:keep"), entries());
        }
        assertTrue(nanos < TimeUnit.SECONDS.toNanos(30));
    }

    @Test
    void handleRequest_l2DownDuringEvent_failsAndTheRetryCompletes() throws Exception {
        Gateway g = environment(Ticker.system(), "SWITCHBOARD_CACHE_STALENESS_MS", "200");
        send(g, "down-1", "prompt:v3");
        send(g, "down-2", "prompt:v3");
        send(g, "down-3", "prompt:v3");
        InvalidationHandler h = handler();
        redis.pause();
        try {
            assertThrows(RuntimeException.class, () -> invoke(h, sample("cache-invalidate-tag.json")));
        } finally {
            redis.resume();
        }
        assertEquals(3, entries().size(), "nothing was recorded, nothing lost");
        JsonNode retry = invoke(h, sample("cache-invalidate-tag.json")); // EventBridge/Lambda's retry
        assertFalse(retry.path("duplicate").asBoolean());
        assertEquals(3, retry.path("removed").asLong());
        assertEquals(Set.of(), entries());
        Thread.sleep(250);
        assertEquals("MISS", cache(send(g, "down-1", null)));
    }

    @Test
    void lookup_l2UnreachableFromTheEnvironment_l1ServesUntilItsTtlOnly() throws Exception {
        FakeTicker ticker = new FakeTicker();
        Gateway g = environment(ticker, "SWITCHBOARD_CACHE_L1_TTL_SECONDS", "60");
        assertEquals("MISS", cache(send(g, "partition", "prompt:v3")));
        redis.pause();
        try {
            ticker.advanceMillis(5_000);
            assertEquals("HIT-L1", cache(send(g, "partition", null)), "fail-open: the refresh failed");
            ticker.advanceMillis(55_000);
            GatewayResponse r = send(g, "partition", null);
            assertEquals("MISS", cache(r), "past the L1 TTL the entry is gone");
        } finally {
            redis.resume();
        }
    }

    @Test
    void handleRequest_modelCatalogChanged_removesRemovedAndChangedModels() throws Exception {
        Gateway g = environment(Ticker.system());
        send(g, "catalog", null);
        assertEquals(1, entries().size());
        JsonNode sample = invoke(handler(), sample("model-catalog-changed.json"));
        assertEquals(2, sample.path("scopes").asInt(), "a removed and a changed model; aliases need nothing");
        assertEquals(1, entries().size());
        String detail = "{\"generation\":9,\"previousGeneration\":8,\"added\":[],\"removed\":[{\"name\":\"up/model-x\","
                + "\"kind\":\"model\",\"provider\":\"up\",\"providerModel\":\"model-x\"}],\"changed\":[],"
                + "\"failedProviders\":[],\"occurredAt\":\"2026-11-23T08:00:02Z\",\"truncated\":false}";
        JsonNode r = invoke(handler(), event("model-catalog-changed.json", "catalog-9", detail));
        assertEquals(1, r.path("removed").asLong());
        assertEquals(Set.of(), entries());
    }

    @Test
    void handleRequest_everySample_isProcessed() throws Exception {
        for (String s : List.of("cache-invalidate-tag.json", "cache-invalidate-keys.json",
                "cache-invalidate-namespace.json", "cache-invalidate-model.json", "cache-invalidate-tenant.json",
                "cache-invalidate-all.json", "model-catalog-changed.json")) {
            JsonNode r = invoke(handler(), sample(s));
            assertTrue(r.path("sequence").asLong() > 0, s + ": " + r);
        }
    }

    @Test
    void handleRequest_allEvent_clearsEveryConfiguredTenant() throws Exception {
        Gateway g = environment(Ticker.system());
        send(g, "all-1", null);
        send(g, "all-2", "x", "x-switchboard-cache-namespace", "n2");
        assertEquals(2, entries().size());
        JsonNode r = invoke(handler(), sample("cache-invalidate-all.json"));
        assertEquals(2, r.path("removed").asLong());
        assertEquals(Set.of(), entries());
    }

    @Test
    void handleRequest_invalidOrUnknownEvent_failsTheInvocation() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> invoke(handler(), event("cache-invalidate-tag.json",
                "bad", "{\"tags\":[\"x\"],\"reason\":\"no tenant\"}")));
        ObjectNode e = (ObjectNode) Json.MAPPER.readTree(sample("cache-invalidate-tag.json"));
        e.put("detail-type", "SomethingElse");
        assertThrows(IllegalArgumentException.class, () -> invoke(handler(), Json.MAPPER.writeValueAsBytes(e)));
    }

    @Test
    void handleRequest_noL2_doesNothing() throws Exception {
        Map<String, String> env = env();
        env.remove("SWITCHBOARD_CACHE_URL");
        JsonNode r = invoke(new InvalidationHandler(env), sample("cache-invalidate-tag.json"));
        assertEquals(-1, r.path("sequence").asLong());
    }
}
