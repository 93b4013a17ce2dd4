package io.switchboard.shared.config;

import java.util.Objects;

/**
 * Where a model name goes: a provider and that provider's own model id.
 *
 * @param provider the provider's configured name
 * @param providerModel the id the provider knows the model by
 */
public record ModelRoute(String provider, String providerModel) {
    public ModelRoute {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(providerModel, "providerModel");
        if (provider.isBlank() || providerModel.isBlank()) {
            throw new IllegalArgumentException("a route needs a provider and a model id");
        }
    }

    /** Parses {@code provider/model-id}; the model id may itself contain slashes. */
    public static ModelRoute parse(String spec) {
        int slash = spec.indexOf('/');
        if (slash <= 0 || slash == spec.length() - 1) {
            throw new IllegalArgumentException("a route is provider/model-id, got '" + spec + "'");
        }
        return new ModelRoute(spec.substring(0, slash), spec.substring(slash + 1));
    }

    @Override
    public String toString() {
        return provider + "/" + providerModel;
    }
}
