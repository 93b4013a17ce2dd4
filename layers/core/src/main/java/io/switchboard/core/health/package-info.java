/**
 * {@code GET /health}: what an operator needs to know about one execution environment without a key and without a
 * secret ({@link io.switchboard.core.health.HealthService}), the init timings it is built from
 * ({@link io.switchboard.core.health.InitTimings}), and the extension point other features report through
 * ({@link io.switchboard.core.health.HealthContributor}, e.g. circuit breaker states).
 */
package io.switchboard.core.health;
