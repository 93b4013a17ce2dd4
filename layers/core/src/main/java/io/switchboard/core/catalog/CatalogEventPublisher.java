package io.switchboard.core.catalog;

import io.switchboard.shared.catalog.ModelCatalogChanged;

/** Announces catalog changes (to EventBridge in production). */
@FunctionalInterface
public interface CatalogEventPublisher {
    /** Publishes {@code event}; throws when it could not be delivered. */
    void publish(ModelCatalogChanged event);

    /** A publisher that drops every event (no bus configured). */
    static CatalogEventPublisher none() {
        return e -> {
        };
    }
}
