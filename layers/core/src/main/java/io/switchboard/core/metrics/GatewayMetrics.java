package io.switchboard.core.metrics;

import io.switchboard.core.Lazy;

/** What the gateway measures. Implementations must be safe to call from the request path; they never throw. */
public interface GatewayMetrics extends Lazy.Listener {

    /** The first request of an execution environment. */
    void coldStart();

    /** One request, at its end. */
    void request(RequestOutcome outcome);

    /** A lazily built object took {@code nanos} to build. */
    @Override
    void built(String name, long nanos);

    /** A request met an unreachable L2 where limits and budgets count (admitted fail-open, or refused). */
    default void limiterUnavailable() {
    }

    /** {@code sums} spend sums could not be written to the usage table (kept for the next flush). */
    default void spendFlushFailed(int sums) {
    }

    /** A governed request of {@code tenant} used these tokens and cost {@code usd}. */
    default void spent(String tenant, long tokensIn, long tokensOut, double usd) {
    }

    /**
     * One call to a deployment ended (retries and fallbacks each make one).
     *
     * @param deployment the deployment's id
     * @param nanos how long the call took
     * @param errorCode the error's code, or null when it succeeded
     */
    default void attempt(String deployment, long nanos, String errorCode) {
    }

    /** A failed call to {@code deployment} is retried. */
    default void retry(String deployment, String errorCode) {
    }

    /** A request moves from model {@code from} to its fallback {@code to}, for {@code reason}. */
    default void fallback(String from, String to, String reason) {
    }

    /** A deployment's circuit breaker changed state ({@code remote}: another environment's trip). */
    default void breaker(String deployment, String from, String to, boolean remote) {
    }

    /** Writes anything gathered but not yet written (before a SnapStart checkpoint, on shutdown). */
    default void flush() {
    }

    /** Metrics that go nowhere. */
    static GatewayMetrics noop() {
        return NoopMetrics.INSTANCE;
    }
}
