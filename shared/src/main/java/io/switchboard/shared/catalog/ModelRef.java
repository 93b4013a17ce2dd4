package io.switchboard.shared.catalog;

import java.util.Objects;

/**
 * A name in the catalog and where it routes, as the {@code ModelCatalogChanged} event lists it.
 *
 * @param name the name callers send: {@code provider/model-id} for a model, the alias itself for an alias
 * @param kind {@code model} or {@code alias}
 * @param provider the provider's configured name
 * @param providerModel the provider's own id
 */
public record ModelRef(String name, Kind kind, String provider, String providerModel) {
    /** What the name is. */
    public enum Kind {
        /** A model a provider lists. */
        MODEL,
        /** A canonical name for a provider's model. */
        ALIAS
    }

    public ModelRef {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(providerModel, "providerModel");
    }
}
