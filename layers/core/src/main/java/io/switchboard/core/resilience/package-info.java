/**
 * Surviving provider failures: model groups of several deployments and how one is picked ({@link
 * io.switchboard.core.resilience.Balancer}), retries with full-jitter backoff and {@code Retry-After} within the
 * invocation's deadline ({@link io.switchboard.core.resilience.Resilience}), a circuit breaker per deployment ({@link
 * io.switchboard.core.resilience.CircuitBreaker}) whose trips are shared across execution environments through L2
 * ({@link io.switchboard.core.resilience.BreakerBoard}, {@link io.switchboard.core.resilience.ValkeyBreakerState}),
 * and fallbacks to other model groups.
 */
package io.switchboard.core.resilience;
