package io.switchboard.core.snapstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.Gateway;
import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.cache.FakeUpstream;
import io.switchboard.core.cache.RedisServer;
import io.switchboard.core.config.Settings;
import io.switchboard.core.http.GatewayRequest;
import io.switchboard.core.http.GatewayResponse;
import io.switchboard.core.metrics.GatewayMetrics;
import io.switchboard.core.metrics.RequestOutcome;
import io.valkey.Jedis;
import io.switchboard.core.net.Http1Client;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SnapStart cycle with the hooks called directly (a normal JVM cannot checkpoint): priming is offline, every
 * socket is closed before the snapshot, and after a restore connections, credentials and the cold-start flag are new.
 */
class SnapStartHooksTest {
    private static RedisServer redis;
    private static FakeUpstream upstream;
    private Gateway gateway;
    private final AtomicInteger coldStarts = new AtomicInteger();
    private final AtomicInteger secretReads = new AtomicInteger();

    @BeforeAll
    static void servers() throws Exception {
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

    @AfterEach
    void close() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private Gateway gateway() {
        Map<String, String> env = new HashMap<>();
        env.put("SWITCHBOARD_API_KEYS", "a:" + Authenticator.sha256Hex("key-a"));
        env.put("SWITCHBOARD_CONFIG", "{\"providers\":{\"up\":{\"type\":\"openai\",\"baseUrl\":\"" + upstream.baseUrl()
                + "\",\"apiKey\":\"ssm:/switchboard/up\"},\"mock\":{\"type\":\"mock\"}},"
                + "\"models\":{\"m\":\"up/model-x\",\"fast\":\"mock/mock-1\"}}");
        env.put("SWITCHBOARD_CACHE_URL", redis.url());
        env.put("SWITCHBOARD_CACHE_L2_TIMEOUT_MS", "200");
        gateway = Gateway.builder(Settings.from(env))
                .secretStore(name -> {
                    secretReads.incrementAndGet();
                    return "sk-upstream";
                })
                .metrics(new GatewayMetrics() {
                    @Override
                    public void coldStart() {
                        coldStarts.incrementAndGet();
                    }

                    @Override
                    public void request(RequestOutcome outcome) {
                    }

                    @Override
                    public void built(String name, long nanos) {
                    }
                })
                .build();
        return gateway;
    }

    private static GatewayResponse send(Gateway g, String prompt) {
        String body = "{\"model\":\"m\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
        return g.handle(new GatewayRequest("POST", "/v1/chat/completions", Map.of("authorization", "Bearer key-a",
                "content-type", "application/json"), body.getBytes(StandardCharsets.UTF_8), "r", Long.MAX_VALUE));
    }

    private static long switchboardConnections() {
        try (Jedis j = new Jedis("127.0.0.1", redis.port())) {
            return j.clientList().lines().filter(l -> l.contains(" name=switchboard ")).count();
        }
    }

    @Test
    void hooks_areOrderedClientsFirstPrimersLast() {
        List<String> order = gateway().hooks().describe();
        assertEquals("close clients", order.get(0), "every client of the environment, from its one holder");
        assertEquals("prime request path", order.get(order.size() - 1));
        assertTrue(order.contains("close l2-connection"));
    }

    @Test
    void beforeCheckpoint_primesOfflineAndLeavesNoSocketOpen() throws Exception {
        Gateway g = gateway();
        assertEquals(200, send(g, "warm").status());
        assertTrue(g.httpClient().isBuilt());
        assertEquals(1, switchboardConnections(), "one L2 connection per environment");
        int upstreamCalls = upstream.calls.get();

        g.hooks().beforeCheckpoint();

        assertEquals(upstreamCalls, upstream.calls.get(), "priming never calls a provider");
        assertFalse(g.httpClient().isBuilt(), "the HTTP client and its pooled connections are gone");
        assertEquals(0, switchboardConnections(), "the L2 connection is closed");
        assertEquals(0, g.cache().l1().size(), "nothing filled while priming stays in L1");
    }

    @Test
    void afterRestore_nextRequestSucceeds_withRedisRestartedAndNewConnections() throws Exception {
        Gateway g = gateway();
        assertEquals("MISS", send(g, "before").headers().get("x-switchboard-cache"));
        Http1Client before = g.httpClient().get();
        assertEquals(1, secretReads.get());
        assertEquals(1, coldStarts.get());

        g.hooks().beforeCheckpoint();
        redis.stop();
        redis.restart();
        g.hooks().afterRestore();

        GatewayResponse r = send(g, "after");
        assertEquals(200, r.status());
        assertEquals("MISS", r.headers().get("x-switchboard-cache"));
        assertEquals(1, switchboardConnections(), "a new L2 connection to the restarted server");
        assertNotSame(before, g.httpClient().get(), "a new HTTP client: fresh DNS and connections");
        assertEquals(2, secretReads.get(), "the provider key is read again after a restore");
        assertEquals(2, coldStarts.get(), "a restored environment reports its first request as a cold start");
        assertEquals("HIT-L1", send(g, "after").headers().get("x-switchboard-cache"));
    }

    @Test
    void twoRestoresOfOnePrimedState_shareNoConnectionOrClient() throws Exception {
        Gateway g = gateway();
        send(g, "x");
        g.hooks().beforeCheckpoint();
        g.hooks().afterRestore();
        send(g, "y");
        Http1Client first = g.httpClient().get();
        g.hooks().beforeCheckpoint();
        g.hooks().afterRestore();
        send(g, "z");
        assertNotSame(first, g.httpClient().get());
        assertEquals(3, secretReads.get(), "each restore reads the key anew");
    }

    @Test
    void prime_servesEverySampleWithoutKeysOrNetwork() {
        Gateway g = gateway();
        int calls = upstream.calls.get();
        assertEquals(PrimingSamples.REQUESTS.size() + PrimingSamples.EMBEDDING_REQUESTS.size(), g.prime());
        assertEquals(calls, upstream.calls.get(), "no provider was called");
        assertFalse(g.httpClient().isBuilt(), "priming needs no HTTP client");
        assertEquals(0, secretReads.get(), "priming reads no key");
    }
}
