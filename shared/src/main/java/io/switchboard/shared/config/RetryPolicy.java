package io.switchboard.shared.config;

import java.time.Duration;

/**
 * How a model group retries a retriable failure (connect errors, timeouts, 429, 5xx, Anthropic's 529, a stream cut
 * before its first byte reached the caller).
 *
 * @param maxAttempts calls per model group, the first included (1: no retry)
 * @param baseDelay the first backoff's upper bound; the n-th retry of a deployment waits a uniformly random time in
 *     {@code [0, min(maxDelay, baseDelay * 2^(n-1))]} (full jitter)
 * @param maxDelay the cap of a backoff
 * @param maxRetryAfter the longest {@code Retry-After} the gateway waits out itself; a longer one, or one that does
 *     not fit the invocation's remaining time, moves the request to another deployment or is answered (429)
 * @param attemptTimeout the longest one attempt may take, or null for the provider's own timeout alone; lets a hung
 *     deployment leave time for another
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, Duration maxRetryAfter,
        Duration attemptTimeout) {
    /** Three attempts, 100 ms base, 2 s cap, Retry-After waited up to 10 s, no per-attempt cap. */
    public static final RetryPolicy DEFAULTS = new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(2),
            Duration.ofSeconds(10), null);

    public RetryPolicy {
        if (maxAttempts < 1 || maxAttempts > 10) {
            throw new IllegalArgumentException("retry.maxAttempts must be within 1..10");
        }
        if (baseDelay == null || baseDelay.isNegative() || maxDelay == null || maxDelay.compareTo(baseDelay) < 0) {
            throw new IllegalArgumentException("retry delays must satisfy 0 <= baseDelayMs <= maxDelayMs");
        }
        if (maxRetryAfter == null || maxRetryAfter.isNegative()) {
            throw new IllegalArgumentException("retry.maxRetryAfterMs must not be negative");
        }
        if (attemptTimeout != null && (attemptTimeout.isNegative() || attemptTimeout.isZero())) {
            throw new IllegalArgumentException("retry.attemptTimeoutMs must be positive");
        }
    }
}
