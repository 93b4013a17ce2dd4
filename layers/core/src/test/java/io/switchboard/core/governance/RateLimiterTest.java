package io.switchboard.core.governance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.auth.Tenant;
import io.switchboard.core.cache.RedisServer;
import io.switchboard.core.cache.ValkeyL2Store;
import io.switchboard.core.config.Settings;
import io.switchboard.core.governance.internal.ValkeyRateLimiter;
import io.switchboard.core.metrics.GatewayMetrics;
import io.valkey.Jedis;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Lua rate limiter on a real redis-server, hammered by emulated execution environments. */
class RateLimiterTest {
    /**
     * Noon (and 10 s) of today, UTC: spend counters expire at the end of their day in real time (redis's clock), so the
     * test's day must be today's.
     */
    private static final long NOW = java.time.LocalDate.now(java.time.ZoneOffset.UTC).atStartOfDay(java.time.ZoneOffset.UTC)
            .plusHours(12).plusSeconds(10).toInstant().toEpochMilli();
    private static final Instant END_OF_DAY = Instant.ofEpochMilli(NOW).truncatedTo(java.time.temporal.ChronoUnit.DAYS)
            .plus(java.time.Duration.ofDays(1));
    private static final AtomicInteger TENANTS = new AtomicInteger();
    private static RedisServer redis;
    private static final List<ValkeyL2Store> STORES = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stop() {
        STORES.forEach(ValkeyL2Store::close);
        if (redis != null) {
            redis.close();
        }
    }

    /** One environment's own L2 connection and limiter. */
    static ValkeyRateLimiter environment(String url) {
        ValkeyL2Store store = new ValkeyL2Store(Settings.from(Map.of("SWITCHBOARD_CACHE_URL", url)).cache(),
                "us-east-1", () -> null, Clock.systemUTC(), System::nanoTime, GatewayMetrics.noop());
        STORES.add(store);
        return new ValkeyRateLimiter(store);
    }

    static Principal caller(String tenant, String id, long rpm, long tpm, TenantLimits limits, BigDecimal daily) {
        Instant t = Instant.parse("2026-12-01T00:00:00Z");
        KeyRecord k = new KeyRecord(id, "h" + id, tenant, "n", List.of(), rpm, tpm, daily, null, null, false,
                Map.of(), t, t, 1);
        return new Principal(new Tenant(tenant), k, limits);
    }

    private static String tenant() {
        return "t" + TENANTS.incrementAndGet();
    }

    /** Every environment calls {@code acquire} {@code each} times at once; returns how many were admitted. */
    private static int hammer(List<ValkeyRateLimiter> envs, List<Principal> callers, int each, long tokens)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(envs.size());
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> done = new ArrayList<>();
        for (int i = 0; i < envs.size(); i++) {
            ValkeyRateLimiter env = envs.get(i);
            Principal p = callers.get(i % callers.size());
            done.add(pool.submit(() -> {
                go.await();
                int admitted = 0;
                for (int j = 0; j < each; j++) {
                    if (env.acquire(p, tokens, NOW).denied() == null) {
                        admitted++;
                    }
                }
                return admitted;
            }));
        }
        go.countDown();
        int admitted = 0;
        for (Future<Integer> f : done) {
            admitted += f.get();
        }
        pool.shutdown();
        return admitted;
    }

    private static List<ValkeyRateLimiter> four() {
        List<ValkeyRateLimiter> envs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            envs.add(environment(redis.url()));
        }
        return envs;
    }

    @Test
    void fourEnvironments_oneKey_neverAdmitMoreThanItsRequestsPerMinute() throws Exception {
        String t = tenant();
        Principal p = caller(t, "key_rpm", 50, 0, TenantLimits.none(t), null);
        assertEquals(50, hammer(four(), List.of(p), 40, 10), "exactly the limit, +0, across 160 attempts");
    }

    @Test
    void fourEnvironments_oneKey_neverAdmitMoreThanItsTokensPerMinute() throws Exception {
        String t = tenant();
        Principal p = caller(t, "key_tpm", 0, 1000, TenantLimits.none(t), null);
        assertEquals(1000 / 30, hammer(four(), List.of(p), 25, 30));
    }

    @Test
    void tenantLimit_spansItsKeys() throws Exception {
        String t = tenant();
        TenantLimits limits = new TenantLimits(t, 30, 0);
        List<Principal> keys = List.of(caller(t, "key_a", 100, 0, limits, null),
                caller(t, "key_b", 100, 0, limits, null));
        assertEquals(30, hammer(four(), keys, 20, 1));
    }

    @Test
    void denial_saysWhenToRetry_andTheHeadersCount() {
        String t = tenant();
        ValkeyRateLimiter env = environment(redis.url());
        Principal p = caller(t, "key_r", 2, 0, TenantLimits.none(t), null);
        Reservation first = env.acquire(p, 1, NOW);
        assertNull(first.denied());
        assertEquals(new Reservation.LimitState(2, 1, 50_000), first.requests());
        assertNull(env.acquire(p, 1, NOW).denied());
        Reservation third = env.acquire(p, 1, NOW);
        assertEquals(Reservation.Denial.REQUESTS, third.denied());
        assertEquals(0, third.requests().remaining());
        assertTrue(third.retryAfterMillis() > 0 && third.retryAfterMillis() <= 2 * ValkeyRateLimiter.WINDOW_MILLIS,
                "" + third.retryAfterMillis());
        Map<String, String> h = Governance.headers(third);
        assertEquals(Map.of("x-ratelimit-limit-requests", "2", "x-ratelimit-remaining-requests", "0",
                "x-ratelimit-reset-requests", "50s"), h);
        // the window slides: just before retry-after the request is still refused, from then on it passes
        assertEquals(Reservation.Denial.REQUESTS, env.acquire(p, 1, NOW + third.retryAfterMillis() - 1000).denied());
        assertNull(env.acquire(p, 1, NOW + third.retryAfterMillis()).denied());
    }

    @Test
    void tokens_reservedFromTheEstimate_correctedByUsage() {
        String t = tenant();
        ValkeyRateLimiter env = environment(redis.url());
        Principal p = caller(t, "key_c", 0, 100, TenantLimits.none(t), null);
        Reservation r = env.acquire(p, 80, NOW);
        assertNull(r.denied());
        assertEquals(20, r.tokens().remaining());
        assertEquals(Reservation.Denial.TOKENS, env.acquire(p, 80, NOW).denied());
        env.settle(r, 10, 0); // the request used 10 tokens, not 80
        Reservation again = env.acquire(p, 80, NOW);
        assertNull(again.denied(), "the correction gave the 70 tokens back");
        assertEquals(10, again.tokens().remaining());
    }

    @Test
    void everyCounterHasATtl_andExpiresWithItsWindow() throws Exception {
        String t = tenant();
        ValkeyRateLimiter env = environment(redis.url());
        Principal p = caller(t, "key_ttl", 5, 500, new TenantLimits(t, 50, 5000), new BigDecimal("0.01"));
        for (int i = 0; i < 5; i++) {
            Reservation r = env.acquire(p, 10, NOW);
            assertNull(r.denied());
            env.settle(r, 12, 1_000);
        }
        assertEquals(Reservation.Denial.REQUESTS, env.acquire(p, 10, NOW).denied());
        try (Jedis j = new Jedis("127.0.0.1", redis.port())) {
            Set<String> keys = j.keys("gov:{t:" + t + "}:*");
            assertEquals(5, keys.size(), keys.toString()); // key rpm, key tpm, tenant rpm, tenant tpm, daily spend
            for (String k : keys) {
                long ttl = j.pttl(k);
                assertTrue(ttl > 0, k + " has no TTL");
                if (k.contains(":spend:")) {
                    long endOfDayPlusHour = END_OF_DAY.plusSeconds(3600).toEpochMilli();
                    assertTrue(ttl <= endOfDayPlusHour - System.currentTimeMillis() + 1000, k);
                } else {
                    assertTrue(ttl <= 2 * ValkeyRateLimiter.WINDOW_MILLIS, k + " " + ttl);
                }
            }
        }
        assertNull(env.acquire(p, 10, NOW + 2 * ValkeyRateLimiter.WINDOW_MILLIS).denied(),
                "two windows later nothing of the old counts remains");
    }

    @Test
    void counterFoundNewAfterItsTtlWasSet_getsOneAgain() throws Exception {
        String t = tenant();
        ValkeyRateLimiter env = environment(redis.url());
        ValkeyRateLimiter other = environment(redis.url());
        Principal p = caller(t, "key_evicted", 100, 0, TenantLimits.none(t), null);
        assertNull(env.acquire(p, 10, NOW).denied()); // sets the TTL: this environment's first count of the window
        try (Jedis j = new Jedis("127.0.0.1", redis.port())) {
            Set<String> keys = j.keys("gov:{t:" + t + "}:*");
            assertEquals(1, keys.size(), keys.toString());
            String counter = keys.iterator().next();
            assertNull(other.acquire(p, 10, NOW).denied(), "a second environment counts the same counter");
            assertEquals("2", j.get(counter));
            j.persist(counter); // as if the TTL were lost...
            j.del(counter); // ...and the counter evicted: the next count creates it anew
            assertNull(env.acquire(p, 10, NOW).denied());
            assertEquals("1", j.get(counter));
            long ttl = j.pttl(counter);
            assertTrue(ttl > 0 && ttl <= 2 * ValkeyRateLimiter.WINDOW_MILLIS, counter + " has TTL " + ttl);
            for (int i = 0; i < 3; i++) {
                assertNull(env.acquire(p, 10, NOW).denied());
            }
            assertEquals("4", j.get(counter));
            assertTrue(j.pttl(counter) > 0);
        }
    }

    @Test
    void budget_spent_refusesUntilTheDayEnds() {
        String t = tenant();
        ValkeyRateLimiter env = environment(redis.url());
        Principal p = caller(t, "key_b", 0, 0, TenantLimits.none(t), new BigDecimal("0.000002"));
        Reservation r = env.acquire(p, 10, NOW);
        assertNull(r.denied());
        env.settle(r, 10, 2_000); // 2000 nano-USD = the whole budget
        Reservation refused = env.acquire(p, 10, NOW);
        assertEquals(Reservation.Denial.BUDGET_DAILY, refused.denied());
        assertEquals(END_OF_DAY.toEpochMilli() - NOW, refused.retryAfterMillis());
    }

    @Test
    void unreachableL2_failsOpenWithAMetric_orClosed() throws Exception {
        String dead;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            dead = "redis://127.0.0.1:" + s.getLocalPort();
        }
        String t = tenant();
        Principal p = caller(t, "key_x", 1, 0, TenantLimits.none(t), null);
        for (boolean closed : new boolean[] {false, true}) {
            GovernanceMetrics metrics = GovernanceMetrics.counting();
            Governance g = new Governance(new KeyDirectory(new io.switchboard.core.auth.Authenticator(List.of()), null,
                    java.time.Duration.ZERO, java.time.Duration.ZERO, System::nanoTime, InstantSource.system()),
                    environment(dead), closed, PriceTable.of(Map.of()), null, InstantSource.system(),
                    System::nanoTime, metrics, 16);
            Grant grant = g.admit(p, "m", 1);
            assertEquals(1, metrics.limiterUnavailableCount());
            if (closed) {
                assertNotNull(grant.refusal());
                assertEquals(429, grant.refusal().status());
                assertEquals("rate_limiter_unavailable", grant.refusal().code());
            } else {
                assertNull(grant.refusal(), "fail-open admits");
                assertNull(g.admit(p, "m", 1).refusal(), "and keeps admitting while L2 is down");
            }
        }
    }
}
