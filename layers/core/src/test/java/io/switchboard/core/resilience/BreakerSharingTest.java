package io.switchboard.core.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.Gateway;
import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.cache.RedisServer;
import io.switchboard.core.config.Settings;
import io.switchboard.core.http.GatewayRequest;
import io.switchboard.core.http.GatewayResponse;
import io.valkey.Jedis;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two execution environments (two {@link Gateway}s, each with its own clock, breakers and L1) sharing a real
 * {@code redis-server} as L2: a breaker one opens is honoured by the other for every request it starts more than
 * {@code shareEveryMs} later; with Redis stopped each still opens its own breakers from its own failures and keeps
 * answering. Each environment's clock is manual ({@link FakeTime#manual()}): it moves only when the test says.
 */
class BreakerSharingTest {
    private static final Duration SHARE_EVERY = Duration.ofMillis(1000);

    private final AtomicInteger prompts = new AtomicInteger();
    private final List<Gateway> gateways = new ArrayList<>();
    private RedisServer redis;
    private FaultyUpstream bad;
    private FaultyUpstream good;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        bad = FaultyUpstream.openAi();
        good = FaultyUpstream.openAi();
    }

    @AfterEach
    void stop() throws Exception {
        gateways.forEach(Gateway::close);
        bad.close();
        good.close();
        redis.close();
    }

    private Gateway environment(FakeTime time, RecordingMetrics metrics) {
        String config = """
                {"providers": {"bad": {"type": "openai", "baseUrl": "%s"}, "good": {"type": "openai", "baseUrl": "%s"}},
                 "models": {"g": {"deployments": [{"route": "bad/m-1", "id": "bad"}, {"route": "good/m-1", "id": "good"}],
                                  "retry": {"maxAttempts": 2}}},
                 "resilience": {"breaker": {"consecutiveFailures": 2, "cooldownMs": 60000, "shareEveryMs": %d}}}
                """.formatted(bad.baseUrl(), good.baseUrl(), SHARE_EVERY.toMillis());
        Map<String, String> env = new HashMap<>();
        env.put("SWITCHBOARD_API_KEYS", "t:" + Authenticator.sha256Hex("key"));
        env.put("SWITCHBOARD_METRICS", "off");
        env.put("SWITCHBOARD_CONFIG", config);
        env.put("SWITCHBOARD_CACHE_URL", redis.url());
        env.put("SWITCHBOARD_CACHE_L2_TIMEOUT_MS", "200");
        Gateway g = Gateway.builder(Settings.from(env)).ticker(time).waits(time).random(() -> 0L).metrics(metrics)
                .build();
        gateways.add(g);
        return g;
    }

    private GatewayResponse send(Gateway g) {
        String body = "{\"model\":\"g\",\"messages\":[{\"role\":\"user\",\"content\":\"hello " + prompts.incrementAndGet()
                + "\"}]}";
        return g.handle(new GatewayRequest("POST", "/v1/chat/completions",
                Map.of("authorization", "Bearer key", "content-type", "application/json"),
                body.getBytes(StandardCharsets.UTF_8), "req-" + prompts.get(), 25_000));
    }

    private long sharedOpenMillis() {
        try (Jedis j = new Jedis("127.0.0.1", redis.port())) {
            return j.pttl(ValkeyBreakerState.PREFIX + "bad");
        }
    }

    @Test
    void tripInOneEnvironment_honouredByAnotherWithinShareEvery() {
        FakeTime timeA = FakeTime.manual();
        FakeTime timeB = FakeTime.manual();
        RecordingMetrics metricsA = new RecordingMetrics();
        RecordingMetrics metricsB = new RecordingMetrics();
        Gateway a = environment(timeA, metricsA);
        Gateway b = environment(timeB, metricsB);
        assertEquals("bad", send(b).headers().get("x-switchboard-deployment"), "B knows the deployment, healthy");

        bad.always(FaultyUpstream.status(503));
        for (int i = 0; i < 2; i++) {
            GatewayResponse r = send(a);
            assertEquals(200, r.status());
            assertEquals("good", r.headers().get("x-switchboard-deployment"));
        }
        assertEquals(List.of("breaker bad CLOSED>OPEN"), metricsA.events.stream()
                .filter(e -> e.startsWith("breaker")).toList());
        long shared = sharedOpenMillis();
        assertTrue(shared > 50_000 && shared <= 60_000, "the trip is in L2 for its cooldown: " + shared);
        GatewayResponse skipped = send(a);
        assertEquals("1", skipped.headers().get("x-switchboard-attempts"), "A skips its open deployment");
        int badCalls = bad.requests();

        GatewayResponse early = send(b);
        assertEquals(200, early.status());
        assertEquals("2", early.headers().get("x-switchboard-attempts"),
                "within shareEvery of its last read B has not looked: it still tries the deployment");
        assertEquals(badCalls + 1, bad.requests());

        timeB.advance(SHARE_EVERY);
        for (int i = 0; i < 3; i++) {
            GatewayResponse r = send(b);
            assertEquals(200, r.status());
            assertEquals("good", r.headers().get("x-switchboard-deployment"));
            assertEquals("1", r.headers().get("x-switchboard-attempts"), "B honours A's trip");
        }
        assertEquals(badCalls + 1, bad.requests(), "no call from B to the open deployment");
        assertTrue(metricsB.events.contains("breaker bad CLOSED>OPEN remote"), metricsB.events.toString());
    }

    @Test
    void redisStopped_eachEnvironmentDecidesOnItsOwn() throws Exception {
        FakeTime timeA = FakeTime.manual();
        FakeTime timeB = FakeTime.manual();
        RecordingMetrics metricsA = new RecordingMetrics();
        RecordingMetrics metricsB = new RecordingMetrics();
        Gateway a = environment(timeA, metricsA);
        Gateway b = environment(timeB, metricsB);
        send(a);
        send(b);
        redis.stop();
        bad.always(FaultyUpstream.status(503));

        for (int i = 0; i < 3; i++) {
            assertEquals(200, send(a).status());
        }
        assertEquals(1, metricsA.count("breaker bad CLOSED>OPEN"), "A trips on its own failures");
        assertEquals("1", send(a).headers().get("x-switchboard-attempts"));

        timeB.advance(SHARE_EVERY.multipliedBy(5));
        int badCalls = bad.requests();
        GatewayResponse first = send(b);
        assertEquals(200, first.status(), "B answers although L2 is gone");
        assertEquals("2", first.headers().get("x-switchboard-attempts"), "B cannot know of A's trip");
        assertEquals(badCalls + 1, bad.requests());
        for (int i = 0; i < 3; i++) {
            assertEquals(200, send(b).status());
        }
        assertEquals(1, metricsB.count("breaker bad CLOSED>OPEN"), "B trips on its own failures");
        assertEquals(0, metricsB.count("breaker bad CLOSED>OPEN remote"));
        assertEquals("1", send(b).headers().get("x-switchboard-attempts"));
    }
}
