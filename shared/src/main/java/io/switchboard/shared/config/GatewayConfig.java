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
 */
public record GatewayConfig(Map<String, ProviderConfig> providers, Map<String, ModelRoute> models,
        List<ApiKeyEntry> apiKeys, Limits limits) {

    public GatewayConfig {
        providers = Map.copyOf(providers);
        models = Map.copyOf(models);
        apiKeys = List.copyOf(apiKeys);
        Objects.requireNonNull(limits, "limits");
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

    /** A builder-style copy with another provider added. */
    public GatewayConfig withProvider(ProviderConfig provider) {
        Map<String, ProviderConfig> p = new LinkedHashMap<>(providers);
        p.put(provider.name(), provider);
        return new GatewayConfig(p, models, apiKeys, limits);
    }
}
