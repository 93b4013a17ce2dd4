/**
 * Wire format of cache invalidation: the {@code CacheInvalidationRequested} EventBridge event's detail (schema:
 * {@code schemas/cache-invalidation-requested.schema.json} in this jar), its record and its codec
 * ({@link io.switchboard.shared.cache.InvalidationJson}), shared by the admin route that publishes it and the
 * invalidation function that consumes it.
 */
package io.switchboard.shared.cache;
