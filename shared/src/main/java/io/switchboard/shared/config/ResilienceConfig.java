package io.switchboard.shared.config;

import java.util.Map;
import java.util.Objects;

/**
 * Retries, circuit breakers and fallbacks: the model groups configured with more than a plain route, the retry
 * policy of every other model, and the circuit-breaker policy of every deployment.
 *
 * @param groups model groups by model name
 * @param retry the retry policy of models without one of their own
 * @param breaker the circuit-breaker policy of every deployment
 */
public record ResilienceConfig(Map<String, ModelGroup> groups, RetryPolicy retry, BreakerPolicy breaker) {
    /** No groups, default retry and breaker policies. */
    public static final ResilienceConfig DEFAULTS = new ResilienceConfig(Map.of(), RetryPolicy.DEFAULTS,
            BreakerPolicy.DEFAULTS);

    public ResilienceConfig {
        groups = Map.copyOf(groups);
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(breaker, "breaker");
    }
}
