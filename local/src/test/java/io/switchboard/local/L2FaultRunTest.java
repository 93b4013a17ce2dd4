package io.switchboard.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.cache.RedisServer;
import io.switchboard.local.FaultLoad.Latency;
import io.switchboard.local.FaultLoad.Result;
import io.valkey.Jedis;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * L2 fails under steady load through the local run (cache on, a stored key with rpm and tpm limits so every request
 * runs the limiter's script in L2, breakers shared through L2): the {@code redis-server} is killed and restarted, or
 * frozen with {@code SIGSTOP} and thawed. Every request must still be answered 200 by the upstream (the cache and
 * the limiter fail open), none may wait on the dead or frozen L2 longer than its command timeout allows, and once L2
 * is back the cache hits L2 again and the limits are enforced again. Prints p50/p99/max per phase
 * (docs/reliability.md records them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class L2FaultRunTest {
    /** Client threads. */
    static final int CLIENTS = 6;
    /**
     * The most any one request may take while L2 is down or frozen. L2's command timeout is 50 ms; a request makes
     * at most a handful of L2 calls before the cache's guard and the limiter's back-off skip L2; the rest is margin
     * for a loaded 2-core machine. A request that waited on the frozen server would take the whole freeze (3 s).
     */
    static final double BOUND_MS = 1500;

    private RedisServer redis;
    private FaultUpstream upstream;
    private FaultStack stack;
    private String loadKey;
    private final AtomicInteger runs = new AtomicInteger();

    @BeforeAll
    void start() throws Exception {
        redis = RedisServer.start();
        upstream = new FaultUpstream();
        stack = FaultStack.start(Map.of("UP_KEY", "sk-up", "SWITCHBOARD_CACHE_URL", redis.url(),
                "SWITCHBOARD_CONFIG", FaultStack.config(FaultStack.provider("up", upstream.baseUrl()),
                        "{\"fast\":\"up/m\"}")), null, false, false, Duration.ofMillis(200));
        loadKey = stack.newKey("{\"tenant\":\"load\",\"name\":\"load\",\"rpm\":1000000,\"tpm\":1000000000}");
    }

    @AfterAll
    void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    /**
     * Half cacheable, half not (temperature 1: the upstream each time). The cacheable ones are 8 prompts that change
     * every 400 ms, so there are always fresh ones: the first environment to ask misses and stores the answer in L2,
     * the others then hit L2 (or their own L1 once they have it).
     */
    private FaultLoad load() {
        long base = System.nanoTime();
        String run = Integer.toString(runs.incrementAndGet());
        return FaultLoad.start(CLIENTS, (client, n) -> stack.chat(loadKey, n % 2 == 0
                ? FaultStack.chatBody("fast", 0, "run " + run + " window " + (System.nanoTime() - base) / 400_000_000L
                        + " prompt " + ((client + n) % 8))
                : FaultStack.chatBody("fast", 1, "uncached " + client + " " + n)));
    }

    @Test
    void l2Killed_underLoad_everyRequestAnswered_andCacheAndLimitsRecover() throws Exception {
        run("killed", redis::stop, redis::restart, Duration.ofSeconds(2));
    }

    @Test
    void l2Frozen_underLoad_everyRequestAnswered_withinTheTimeout() throws Exception {
        run("frozen", redis::pause, redis::resume, Duration.ofSeconds(3));
    }

    /**
     * {@code SWITCHBOARD_LIMITS_FAILURE=closed}: while L2 is killed, then frozen, a limited key's requests are refused
     * with the README's 429 {@code rate_limiter_unavailable} ({@code Retry-After: 1}, OpenAI's format) or answered
     * 200; nothing else. Break-glass (environment) keys have no limits and keep working. After each fault the limited
     * key is served again.
     */
    @Test
    void failClosed_limitedKeyGets429RateLimiterUnavailable_whileL2IsDown() throws Exception {
        assertTrue(java.nio.file.Files.readString(Project.dir().resolve("README.md")).contains("| 429 | "
                + "`rate_limiter_unavailable` | only with `SWITCHBOARD_LIMITS_FAILURE=closed`"),
                "the README documents the fail-closed answer");
        try (FaultStack closed = FaultStack.start(Map.of("UP_KEY", "sk-up", "SWITCHBOARD_CACHE_URL", redis.url(),
                "SWITCHBOARD_LIMITS_FAILURE", "closed", "SWITCHBOARD_CONFIG", FaultStack.config(
                        FaultStack.provider("up", upstream.baseUrl()), "{\"fast\":\"up/m\"}")), null, false, false,
                Duration.ofMillis(200))) {
            String limited = closed.newKey("{\"tenant\":\"strict\",\"name\":\"s\",\"rpm\":1000000}");
            FaultLoad load = FaultLoad.start(CLIENTS, (client, n) -> closed.chat(client == 0 ? FaultStack.KEY : limited,
                    FaultStack.chatBody("fast", 1, "closed " + client + " " + n)));
            try {
                load.awaitMore(100, Duration.ofSeconds(10));
                long[][] faults = new long[2][];
                Step[][] steps = {{redis::stop, redis::restart}, {redis::pause, redis::resume}};
                for (int i = 0; i < 2; i++) {
                    long from = FaultLoad.mark();
                    steps[i][0].run();
                    long to;
                    try {
                        Thread.sleep(1500);
                    } finally {
                        to = FaultLoad.mark();
                        steps[i][1].run();
                    }
                    faults[i] = new long[] {from, to};
                    FaultStack.await("the limited key served again", Duration.ofSeconds(10), () -> {
                        List<Result> since = load.startedBetween(to, FaultLoad.mark());
                        return since.size() > 40 && since.subList(since.size() - 40, since.size()).stream()
                                .allMatch(Result::ok);
                    });
                }
                load.close();
                List<Result> all = load.results();
                System.out.printf("fail-closed, L2 killed then frozen for 1500 ms each: %d requests, outcomes %s%n",
                        all.size(), FaultLoad.outcomes(all));
                for (int i = 0; i < 2; i++) {
                    List<Result> during = load.overlapping(faults[i][0], faults[i][1]);
                    System.out.printf("  %s: %s, outcomes %s%n", i == 0 ? "killed" : "frozen", Latency.of(during),
                            FaultLoad.outcomes(during));
                    assertTrue(FaultLoad.count(during, r -> r.status() == 429) > 0, "refused while L2 is down");
                    assertTrue(Latency.of(during).max() < BOUND_MS, "bounded: " + Latency.of(during));
                }
                for (Result r : all) {
                    if (r.ok()) {
                        continue;
                    }
                    assertEquals("429 rate_limiter_unavailable", r.outcome(), r.body());
                    assertEquals("1", r.header("retry-after"));
                    assertEquals("rate_limit_error", FaultStack.json(r.body()).get("error").get("type").asText());
                }
                assertTrue(FaultLoad.count(all, r -> r.status() == 429 && r.body().contains("Rate limits cannot")) > 0);
            } finally {
                load.close();
            }
        }
    }

    interface Step {
        void run() throws Exception;
    }

    private void run(String fault, Step inject, Step heal, Duration outage) throws Exception {
        FaultLoad load = load();
        try {
            load.awaitMore(100, Duration.ofSeconds(10)); // every environment warm
            long t0 = FaultLoad.mark();
            load.awaitMore(150, Duration.ofSeconds(10)); // steady state: the baseline
            long faultStart = FaultLoad.mark();
            inject.run();
            long faultEnd;
            try {
                Thread.sleep(outage.toMillis());
            } finally {
                faultEnd = FaultLoad.mark();
                heal.run();
            }
            // recovery: L2 hits again, and the limiter's headers on every answer again
            FaultStack.await("L2 hits and limits after the " + fault + " L2 came back", Duration.ofSeconds(12), () -> {
                List<Result> after = load.startedBetween(faultEnd, FaultLoad.mark());
                boolean hitL2 = after.stream().anyMatch(r -> "HIT-L2".equals(r.header("x-switchboard-cache")));
                List<Result> last = after.subList(Math.max(0, after.size() - 30), after.size());
                boolean limited = last.size() == 30 && last.stream()
                        .allMatch(r -> r.header("x-ratelimit-remaining-requests") != null);
                return hitL2 && limited;
            });
            long recovered = FaultLoad.mark();
            load.awaitMore(30, Duration.ofSeconds(5));
            load.close();
            long end = FaultLoad.mark();

            List<Result> all = load.results();
            List<Result> before = load.startedBetween(t0, faultStart);
            List<Result> during = load.overlapping(faultStart, faultEnd);
            List<Result> after = load.startedBetween(faultEnd, end);
            Latency b = Latency.of(before);
            Latency d = Latency.of(during);
            Latency a = Latency.of(after);
            long unlimitedDuring = FaultLoad.count(during, r -> r.header("x-ratelimit-remaining-requests") == null);
            System.out.printf("L2 %s for %d ms under %d clients: %d requests, outcomes %s%n  before: %s%n  during: %s "
                    + "(%d admitted without a limit check)%n  after:  %s (L2 hits and limits back %.0f ms after the "
                    + "fault ended)%n", fault, outage.toMillis(), CLIENTS, all.size(), FaultLoad.outcomes(all), b, d,
                    unlimitedDuring, a, (recovered - faultEnd) / 1e6);

            assertEquals(Map.of("200", all.size()), FaultLoad.outcomes(all), "every request answered 200 (fail-open)");
            assertTrue(during.size() >= CLIENTS, "load kept going during the fault: " + during.size());
            assertTrue(d.max() < BOUND_MS, "no request waited on the " + fault + " L2: max " + d.max() + " ms");
            assertTrue(unlimitedDuring > 0, "the limiter could not be asked during the fault (fail-open), yet the "
                    + "requests were admitted");
            assertTrue(FaultLoad.count(after, r -> "HIT-L2".equals(r.header("x-switchboard-cache"))) > 0);

            // the limits are enforced again: a key with rpm 3 gets its fourth request refused
            String small = stack.newKey("{\"tenant\":\"small-" + fault + "\",\"name\":\"s\",\"rpm\":3}");
            for (int i = 0; i < 3; i++) {
                Result r = stack.send(stack.chat(small, FaultStack.chatBody("fast", 1, "small " + i)));
                assertEquals(200, r.status(), r.body());
            }
            Result refused = stack.send(stack.chat(small, FaultStack.chatBody("fast", 1, "small 4")));
            assertEquals(429, refused.status(), refused.body());
            assertEquals("rate_limit_exceeded", refused.code());
            try (Jedis j = new Jedis("127.0.0.1", redis.port())) {
                assertTrue(j.dbSize() > 0, "L2 holds entries and counters again");
            }
        } finally {
            load.close();
        }
    }
}
