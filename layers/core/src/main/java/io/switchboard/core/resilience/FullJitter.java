package io.switchboard.core.resilience;

import io.switchboard.shared.config.RetryPolicy;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): the n-th retry
 * waits a uniformly random time in {@code [0, min(maxDelay, baseDelay * 2^(n-1))]}.
 */
public final class FullJitter {
    private FullJitter() {
    }

    /** The wait before retry {@code n} (1-based), in nanoseconds. */
    public static long delayNanos(int n, RetryPolicy policy, RandomGenerator random) {
        long base = policy.baseDelay().toNanos();
        long cap = policy.maxDelay().toNanos();
        if (base <= 0 || cap <= 0) {
            return 0;
        }
        int shift = Math.min(Math.max(0, n - 1), 30);
        long bound = base > (cap >> shift) ? cap : Math.min(cap, base << shift);
        return (long) (random.nextDouble() * bound);
    }
}
