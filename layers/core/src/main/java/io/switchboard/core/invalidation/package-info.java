/**
 * Cache invalidation: {@link io.switchboard.core.invalidation.CacheInvalidator} turns a
 * {@code CacheInvalidationRequested} or {@code ModelCatalogChanged} event into scopes, removes their entries from
 * L2 in batches and records them in the invalidation log every environment's L1 follows;
 * {@link io.switchboard.core.invalidation.InvalidationPublisher} puts {@code CacheInvalidationRequested} on the bus
 * (the admin route); {@link io.switchboard.core.invalidation.InvalidationMetrics} counts what happened.
 */
package io.switchboard.core.invalidation;
