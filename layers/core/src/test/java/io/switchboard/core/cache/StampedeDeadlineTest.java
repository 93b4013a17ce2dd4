package io.switchboard.core.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.Gateway;
import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.config.Settings;
import io.switchboard.core.http.GatewayRequest;
import io.switchboard.core.http.GatewayResponse;
import io.switchboard.shared.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: identical cacheable requests waiting on the stampede lock while the provider hangs. The waiter's wait and
 * its own provider call are bounded by what is left of its invocation, not by the lock wait and then the whole
 * provider timeout again: it answers our 504 in OpenAI's format within its deadline (before the fix it waited for the
 * holder, then gave the provider its full timeout, overran the function's time and got the platform's bare 500).
 * Two environments, a real {@code redis-server} as L2, an upstream on loopback that hangs.
 */
class StampedeDeadlineTest {
    private static RedisServer redis;
    private static FakeUpstream upstream;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        upstream = new FakeUpstream();
        upstream.delayMillis = 8_000;
    }

    @AfterAll
    static void stop() throws Exception {
        upstream.close();
        redis.close();
    }

    private static Gateway environment() {
        Map<String, String> env = new HashMap<>();
        env.put("SWITCHBOARD_API_KEYS", "a:" + Authenticator.sha256Hex("key-a"));
        env.put("SWITCHBOARD_METRICS", "off");
        env.put("SWITCHBOARD_CONFIG", "{\"providers\":{\"up\":{\"type\":\"openai\",\"baseUrl\":\"" + upstream.baseUrl()
                + "\"}},\"models\":{\"m\":\"up/model-x\"}}");
        env.put("SWITCHBOARD_CACHE_URL", redis.url());
        env.put("SWITCHBOARD_CACHE_LOCK_WAIT_MS", "20000"); // longer than any invocation: the deadline must bound it
        return Gateway.builder(Settings.from(env)).build();
    }

    private static GatewayResponse send(Gateway g, long remainingMillis) {
        Map<String, String> h = Map.of("authorization", "Bearer key-a", "content-type", "application/json");
        return g.handle(new GatewayRequest("POST", "/v1/chat/completions", h,
                "{\"model\":\"m\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"stampede\"}]}"
                        .getBytes(StandardCharsets.UTF_8), "req", remainingMillis));
    }

    @Test
    void waiterOnTheLockAnswers504WithinItsDeadline() throws Exception {
        try (Gateway holder = environment(); Gateway waiter = environment()) {
            CompletableFuture<GatewayResponse> first = CompletableFuture.supplyAsync(() -> send(holder, 6_000));
            while (upstream.calls.get() == 0) {
                Thread.sleep(10); // the holder has the lock and is waiting on the hanging provider
            }
            long remaining = 2_500;
            long t0 = System.nanoTime();
            GatewayResponse waited = send(waiter, remaining);
            long tookMillis = (System.nanoTime() - t0) / 1_000_000;

            assertEquals(504, waited.status(), new String(waited.body(), StandardCharsets.UTF_8));
            JsonNode error = Json.MAPPER.readTree(waited.body()).path("error");
            assertEquals("upstream_timeout", error.path("code").asText(), error.toString());
            assertEquals("timeout_error", error.path("type").asText());
            // the contract under test is the deadline itself: the answer comes before the invocation's time is up
            assertTrue(tookMillis < remaining, "the waiter answered after " + tookMillis + " ms of its " + remaining);
            // the lock wait ends early enough to leave the waiter one call of at least Resilience.MIN_ATTEMPT, which
            // the hanging provider also fails to answer in time
            assertTrue(upstream.calls.get() <= 2, "at most one call of its own: " + upstream.calls.get());
            assertEquals(504, first.get().status(), "the holder is bounded by its own deadline");
        }
    }
}
