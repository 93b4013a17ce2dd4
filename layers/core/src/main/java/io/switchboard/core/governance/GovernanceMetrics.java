package io.switchboard.core.governance;

import io.switchboard.core.metrics.GatewayMetrics;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Governance's metrics, through the environment's {@link GatewayMetrics} (EMF, dimension {@code Service}):
 * {@code RateLimiterUnavailable} (a request admitted unchecked, fail-open, or refused, fail-closed, because L2 could
 * not be reached), {@code SpendFlushFailed} (sums kept for the next flush) and, per request, the tenant's tokens and
 * spend ({@code TenantTokensIn}, {@code TenantTokensOut}, {@code TenantSpendUsd}, dimension {@code Tenant}). Counted
 * in memory too, for tests.
 */
public final class GovernanceMetrics {
    private final GatewayMetrics out;
    private final AtomicLong limiterUnavailable = new AtomicLong();
    private final AtomicLong spendFlushFailed = new AtomicLong();

    /** Metrics written through {@code out}. */
    public GovernanceMetrics(GatewayMetrics out) {
        this.out = out == null ? GatewayMetrics.noop() : out;
    }

    /** Counted only, written nowhere (tests, priming). */
    public static GovernanceMetrics counting() {
        return new GovernanceMetrics(GatewayMetrics.noop());
    }

    void limiterUnavailable() {
        limiterUnavailable.incrementAndGet();
        out.limiterUnavailable();
    }

    void spendFlushFailed(int sums) {
        spendFlushFailed.addAndGet(sums);
        out.spendFlushFailed(sums);
    }

    void spent(String tenant, long tokensIn, long tokensOut, double usd) {
        out.spent(tenant, tokensIn, tokensOut, usd);
    }

    /** Requests that met an unreachable L2. */
    public long limiterUnavailableCount() {
        return limiterUnavailable.get();
    }

    /** Sums whose write failed. */
    public long spendFlushFailedCount() {
        return spendFlushFailed.get();
    }
}
