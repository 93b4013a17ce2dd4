package io.switchboard.core.invalidation;

import io.switchboard.shared.cache.CacheInvalidationRequested;

/** Puts {@code CacheInvalidationRequested} on the bus (EventBridge in production). */
@FunctionalInterface
public interface InvalidationPublisher {
    /** Publishes {@code event}; returns the bus's event id; throws when it could not be delivered. */
    String publish(CacheInvalidationRequested event);
}
