package io.switchboard.shared.config;

import java.time.Duration;

/**
 * When a deployment's circuit breaker opens, how long it stays open, and how often an execution environment reads
 * the breakers other environments opened (through L2).
 *
 * @param consecutiveFailures failures in a row that open the breaker
 * @param failureRate the share of failures among the last {@code window} calls that, when exceeded, opens it (once
 *     {@code minCalls} were seen): at the default 0.5, a deployment whose every other call fails stays closed
 * @param window calls the failure rate is computed over
 * @param minCalls calls needed before the failure rate counts
 * @param cooldown how long an open breaker stays open before one probe call is let through (half-open)
 * @param shareEvery the longest an environment goes without reading the shared state: a breaker opened in one
 *     environment is honoured by every other one that serves a request more than this after the trip
 */
public record BreakerPolicy(int consecutiveFailures, double failureRate, int window, int minCalls,
        Duration cooldown, Duration shareEvery) {
    /** 5 in a row or more than 50 % of the last 20 (20 seen), 30 s open, shared state read at most every second. */
    public static final BreakerPolicy DEFAULTS = new BreakerPolicy(5, 0.5, 20, 20, Duration.ofSeconds(30),
            Duration.ofSeconds(1));

    public BreakerPolicy {
        if (consecutiveFailures < 1) {
            throw new IllegalArgumentException("breaker.consecutiveFailures must be at least 1");
        }
        if (!(failureRate > 0 && failureRate <= 1)) {
            throw new IllegalArgumentException("breaker.failureRate must be within (0, 1]");
        }
        if (window < 1 || window > 1000 || minCalls < 1 || minCalls > window) {
            throw new IllegalArgumentException("breaker needs 1 <= minCalls <= window <= 1000");
        }
        if (cooldown == null || cooldown.toMillis() < 1 || shareEvery == null || shareEvery.isNegative()) {
            throw new IllegalArgumentException("breaker.cooldownMs must be positive, shareEveryMs not negative");
        }
    }
}
