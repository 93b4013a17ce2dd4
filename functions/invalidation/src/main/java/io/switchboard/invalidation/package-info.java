/**
 * The cache invalidation functions: {@link io.switchboard.invalidation.InvalidationHandler} consumes
 * {@code CacheInvalidationRequested} and {@code ModelCatalogChanged} from EventBridge;
 * {@link io.switchboard.invalidation.InvalidateRouteHandler} serves {@code POST /v1/cache/invalidate} for admin keys
 * and publishes {@code CacheInvalidationRequested}. Both are thin: the work is in the layer's
 * {@code io.switchboard.core.invalidation}.
 */
package io.switchboard.invalidation;
