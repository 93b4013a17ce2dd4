package io.switchboard.core.governance;

/**
 * Requests and tokens per minute, per key and per tenant, and the keys' budgets, checked and counted atomically
 * across every execution environment.
 */
public interface RateLimiter {
    /**
     * Checks every limit of {@code caller} and, only when all pass, counts one request and {@code estimatedTokens}
     * tokens against each: one L2 round trip. Throws when L2 cannot be reached.
     */
    Reservation acquire(Principal caller, long estimatedTokens, long nowMillis);

    /**
     * Corrects a reservation with what the request really used ({@code actualTokens}) and adds {@code costNanoUsd}
     * to the key's daily and monthly spend. Throws when L2 cannot be reached.
     */
    void settle(Reservation reservation, long actualTokens, long costNanoUsd);
}
