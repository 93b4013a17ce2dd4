package io.switchboard.core.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.shared.config.BreakerPolicy;
import io.switchboard.shared.config.Deployment;
import io.switchboard.shared.config.GatewayConfig;
import io.switchboard.shared.config.Limits;
import io.switchboard.shared.config.ModelGroup;
import io.switchboard.shared.config.ModelRoute;
import io.switchboard.shared.config.RetryPolicy;
import io.switchboard.shared.config.Routing;
import io.switchboard.shared.json.GatewayConfigJson;
import io.switchboard.core.metrics.GatewayMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The breaker's state machine, the backoff's bounds, the balancer's picks and the configuration's reading. */
class ResilienceUnitsTest {
    private final FakeTime time = FakeTime.manual();
    private final List<String> transitions = new ArrayList<>();

    private CircuitBreaker breaker(BreakerPolicy p) {
        return new CircuitBreaker("d", p, time, (b, from, to, remote, open) -> transitions.add(from + ">" + to
                + (remote ? " remote" : "")));
    }

    @Test
    void breaker_consecutiveFailuresOpen_cooldownHalfOpens_probeCloses() {
        CircuitBreaker b = breaker(new BreakerPolicy(3, 0.5, 20, 20, Duration.ofSeconds(30), Duration.ZERO));
        for (int i = 0; i < 2; i++) {
            assertTrue(b.tryAcquire());
            b.failure();
        }
        assertTrue(b.tryAcquire());
        b.success(); // resets the run
        for (int i = 0; i < 3; i++) {
            assertTrue(b.tryAcquire());
            b.failure();
        }
        assertEquals(CircuitBreaker.State.OPEN, b.state());
        assertFalse(b.available());
        assertFalse(b.tryAcquire());
        time.advance(Duration.ofSeconds(30));
        assertTrue(b.available());
        assertTrue(b.tryAcquire(), "the probe");
        assertFalse(b.tryAcquire(), "one probe at a time");
        b.release(); // the probe said nothing (the caller's error)
        assertTrue(b.tryAcquire(), "another probe");
        b.success();
        assertEquals(CircuitBreaker.State.CLOSED, b.state());
        assertEquals(List.of("CLOSED>OPEN", "OPEN>HALF_OPEN", "HALF_OPEN>CLOSED"), transitions);
    }

    @Test
    void breaker_failedProbeReopens_rateOpensOnlyWhenExceeded() {
        CircuitBreaker b = breaker(new BreakerPolicy(100, 0.5, 10, 10, Duration.ofSeconds(5), Duration.ZERO));
        for (int i = 0; i < 40; i++) { // every other call fails: 50 % is not more than 50 %
            b.tryAcquire();
            if (i % 2 == 0) {
                b.failure();
            } else {
                b.success();
            }
        }
        assertEquals(CircuitBreaker.State.CLOSED, b.state());
        b.tryAcquire();
        b.failure();
        b.tryAcquire();
        b.failure(); // 6 of the last 10
        assertEquals(CircuitBreaker.State.OPEN, b.state());
        time.advance(Duration.ofSeconds(5));
        assertTrue(b.tryAcquire());
        b.failure();
        assertEquals(CircuitBreaker.State.OPEN, b.state());
        assertEquals(Duration.ofSeconds(5).toNanos(), b.openForNanos());
    }

    @Test
    void breaker_remoteTripOpensUntilItsTime_andOnlyExtends() {
        CircuitBreaker b = breaker(BreakerPolicy.DEFAULTS);
        b.openRemotely(Duration.ofSeconds(10).toNanos());
        assertFalse(b.tryAcquire());
        b.openRemotely(Duration.ofSeconds(2).toNanos()); // an older, shorter view does not shorten it
        assertEquals(Duration.ofSeconds(10).toNanos(), b.openForNanos());
        time.advance(Duration.ofSeconds(10));
        assertTrue(b.tryAcquire());
        assertEquals(List.of("CLOSED>OPEN remote", "OPEN>HALF_OPEN"), transitions);
    }

    @Test
    void fullJitter_staysWithinTheExponentialBoundAndTheCap() {
        RetryPolicy p = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofMillis(1000), Duration.ZERO, null);
        SplittableRandom r = new SplittableRandom(7);
        for (int n = 1; n <= 8; n++) {
            long bound = Math.min(1000, 100L << (n - 1)) * 1_000_000L;
            for (int i = 0; i < 200; i++) {
                long d = FullJitter.delayNanos(n, p, r);
                assertTrue(d >= 0 && d < bound, n + ": " + d);
            }
        }
        assertEquals(0, FullJitter.delayNanos(3, new RetryPolicy(2, Duration.ZERO, Duration.ZERO, Duration.ZERO,
                null), r));
    }

    @Test
    void balancer_weightedLeastInFlightLatency() {
        BreakerBoard board = new BreakerBoard(BreakerPolicy.DEFAULTS, time, null, null, GatewayMetrics.noop());
        DeploymentState a = board.state(new Deployment("a", ModelRoute.parse("p/a"), 3));
        DeploymentState b = board.state(new Deployment("b", ModelRoute.parse("p/b"), 1));
        DeploymentState[] states = {a, b};
        SplittableRandom r = new SplittableRandom(1);
        int[] picks = new int[2];
        for (int i = 0; i < 4000; i++) {
            picks[Balancer.pick(Routing.WEIGHTED, states, 0b11, r)]++;
        }
        assertTrue(picks[0] > 2700 && picks[0] < 3300, "3:1 weights: " + picks[0]);
        assertEquals(1, Balancer.pick(Routing.WEIGHTED, states, 0b10, r), "only the candidates");
        assertEquals(-1, Balancer.pick(Routing.WEIGHTED, states, 0, r));
        a.started();
        assertEquals(1, Balancer.pick(Routing.LEAST_IN_FLIGHT, states, 0b11, r));
        a.ended(5_000_000);
        b.started();
        b.ended(9_000_000);
        assertEquals(0, Balancer.pick(Routing.LATENCY, states, 0b11, r));
    }

    @Test
    void config_groupsParse_plainRoutesStayValid() {
        GatewayConfig c = GatewayConfigJson.parse("""
                {"providers": {"openai": {"type": "openai", "baseUrl": "https://api.openai.com/v1"},
                               "azure": {"type": "openai", "baseUrl": "https://x.openai.azure.com/v1"},
                               "anthropic": {"type": "anthropic", "baseUrl": "https://api.anthropic.com/v1"}},
                 "models": {"gpt-4o": {"deployments": [{"route": "openai/gpt-4o", "weight": 3}, "azure/gpt-4o"],
                                       "routing": "least-in-flight",
                                       "retry": {"maxAttempts": 4, "baseDelayMs": 50, "attemptTimeoutMs": 8000},
                                       "fallbacks": ["claude"], "contextWindowFallbacks": ["gpt-4.1"],
                                       "contentPolicyFallbacks": ["claude"]},
                            "claude": "anthropic/claude-sonnet-4-5", "gpt-4.1": "openai/gpt-4.1"},
                 "resilience": {"retry": {"maxAttempts": 2}, "breaker": {"consecutiveFailures": 3, "cooldownMs": 10000}}}
                """, Limits.DEFAULTS);
        ModelGroup g = c.resilience().groups().get("gpt-4o");
        assertEquals(ModelRoute.parse("openai/gpt-4o"), c.models().get("gpt-4o"), "listed once, by its first route");
        assertEquals(2, g.deployments().size());
        assertEquals("azure/gpt-4o", g.deployments().get(1).id());
        assertEquals(3, g.deployments().get(0).weight());
        assertEquals(Routing.LEAST_IN_FLIGHT, g.routing());
        assertEquals(4, g.retry().maxAttempts());
        assertEquals(Duration.ofMillis(50), g.retry().baseDelay());
        assertEquals(RetryPolicy.DEFAULTS.maxDelay(), g.retry().maxDelay());
        assertEquals(Duration.ofSeconds(8), g.retry().attemptTimeout());
        assertEquals(List.of("claude"), g.fallbacks());
        assertEquals(List.of("gpt-4.1"), g.contextWindowFallbacks());
        assertEquals(2, c.resilience().retry().maxAttempts());
        assertEquals(3, c.resilience().breaker().consecutiveFailures());
        assertEquals(Duration.ofSeconds(10), c.resilience().breaker().cooldown());
        assertEquals(3, c.models().size());
        assertEquals(c, c.withKeysAndLimits(c.apiKeys(), c.limits()));

        GatewayConfig plain = GatewayConfigJson.parse("""
                {"providers": {"mock": {"type": "mock"}}, "models": {"fast": "mock/mock-1"}}
                """, Limits.DEFAULTS);
        assertTrue(plain.resilience().groups().isEmpty());
        assertEquals(RetryPolicy.DEFAULTS, plain.resilience().retry());

        assertThrows(IllegalArgumentException.class, () -> GatewayConfigJson.parse("""
                {"providers": {"mock": {"type": "mock"}},
                 "models": {"m": {"deployments": ["nope/x"]}}}""", Limits.DEFAULTS));
        assertThrows(IllegalArgumentException.class, () -> GatewayConfigJson.parse("""
                {"providers": {"mock": {"type": "mock"}},
                 "models": {"m": {"deployments": ["mock/x"], "retries": 3}}}""", Limits.DEFAULTS));
        assertThrows(IllegalArgumentException.class, () -> GatewayConfigJson.parse("""
                {"providers": {"mock": {"type": "mock"}},
                 "models": {"m": {"deployments": ["mock/x", "mock/x"]}}}""", Limits.DEFAULTS));
    }
}
