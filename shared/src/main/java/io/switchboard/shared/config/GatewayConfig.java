package io.switchboard.shared.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The whole configuration of a gateway environment.
 *
 * @param providers providers by name
 * @param models model aliases: the name a caller sends to its route
 * @param apiKeys the gateway keys accepted; none means every request is refused
 * @param limits request limits
 * @param resilience model groups (several deployments, fallbacks), retry and circuit-breaker policies; a group's
 *     model also appears in {@code models} with its first deployment's route
 */
public record GatewayConfig(Map<String, ProviderConfig> providers, Map<String, ModelRoute> models,
        List<ApiKeyEntry> apiKeys, Limits limits, ResilienceConfig resilience) {

    public GatewayConfig {
        providers = Map.copyOf(providers);
        models = Map.copyOf(models);
        apiKeys = List.copyOf(apiKeys);
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(resilience, "resilience");
        for (Map.Entry<String, ModelGroup> g : resilience.groups().entrySet()) {
            if (!g.getValue().primary().equals(models.get(g.getKey()))) {
                throw new IllegalArgumentException("model group '" + g.getKey() + "' must be listed in models with "
                        + "its first deployment's route");
            }
            for (Deployment d : g.getValue().deployments()) {
                if (!providers.containsKey(d.route().provider())) {
                    throw new IllegalArgumentException("model '" + g.getKey() + "' has a deployment on unknown "
                            + "provider '" + d.route().provider() + "'");
                }
            }
        }
        for (Map.Entry<String, ProviderConfig> e : providers.entrySet()) {
            if (!e.getKey().equals(e.getValue().name())) {
                throw new IllegalArgumentException("provider key '" + e.getKey() + "' differs from its name "
                        + e.getValue().name());
            }
        }
        for (Map.Entry<String, ModelRoute> e : models.entrySet()) {
            if (!providers.containsKey(e.getValue().provider())) {
                throw new IllegalArgumentException("model '" + e.getKey() + "' routes to unknown provider '"
                        + e.getValue().provider() + "'");
            }
        }
    }

    /** A configuration with the default retry and breaker policies and no model groups. */
    public GatewayConfig(Map<String, ProviderConfig> providers, Map<String, ModelRoute> models,
            List<ApiKeyEntry> apiKeys, Limits limits) {
        this(providers, models, apiKeys, limits, ResilienceConfig.DEFAULTS);
    }

    /** A builder-style copy with other keys and limits. */
    public GatewayConfig withKeysAndLimits(List<ApiKeyEntry> newKeys, Limits newLimits) {
        return new GatewayConfig(providers, models, newKeys, newLimits, resilience);
    }

    /** A builder-style copy with another provider added. */
    public GatewayConfig withProvider(ProviderConfig provider) {
        Map<String, ProviderConfig> p = new LinkedHashMap<>(providers);
        p.put(provider.name(), provider);
        return new GatewayConfig(p, models, apiKeys, limits, resilience);
    }
}
