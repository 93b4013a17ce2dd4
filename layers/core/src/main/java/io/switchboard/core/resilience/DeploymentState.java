package io.switchboard.core.resilience;

import io.switchboard.shared.config.Deployment;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one execution environment knows of one deployment: its circuit breaker, its calls in flight, its recent
 * latency (an exponentially weighted moving average) and the time before which its {@code Retry-After} asks not to
 * call it again.
 */
public final class DeploymentState {
    private final Deployment deployment;
    private final CircuitBreaker breaker;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile long latencyNanos;
    private volatile long notBefore;
    private volatile boolean coolingDown;

    DeploymentState(Deployment deployment, CircuitBreaker breaker) {
        this.deployment = deployment;
        this.breaker = breaker;
    }

    /** The deployment. */
    public Deployment deployment() {
        return deployment;
    }

    /** Its breaker. */
    public CircuitBreaker breaker() {
        return breaker;
    }

    /** Calls in flight now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Recent latency (0: not measured yet). */
    public long latencyNanos() {
        return latencyNanos;
    }

    /** Whether the deployment may be called at {@code now} as far as {@code Retry-After} goes. */
    boolean ready(long now) {
        return !coolingDown || now - notBefore >= 0;
    }

    /** Nanoseconds until a {@code Retry-After} ends, or -1 when none is pending at {@code now}. */
    long coolingFor(long now) {
        return coolingDown && now - notBefore < 0 ? notBefore - now : -1;
    }

    void coolUntil(long until) {
        notBefore = until;
        coolingDown = true;
    }

    void started() {
        inFlight.incrementAndGet();
    }

    void ended(long nanos) {
        inFlight.decrementAndGet();
        long l = latencyNanos;
        latencyNanos = l == 0 ? nanos : l + (nanos - l) / 5;
    }
}
