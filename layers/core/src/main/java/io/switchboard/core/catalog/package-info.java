/**
 * The model catalog: which models each configured provider really serves, under which names. Discovery
 * ({@link io.switchboard.core.catalog.ModelDiscovery}) lists every provider concurrently, bounded in parallelism and
 * time; {@link io.switchboard.core.catalog.CatalogSync} writes only what changed to the
 * {@link io.switchboard.core.catalog.CatalogStore} (DynamoDB), bumps its generation and publishes
 * {@code ModelCatalogChanged}; the request path resolves names through an immutable
 * {@link io.switchboard.core.catalog.CatalogSnapshot} that {@link io.switchboard.core.catalog.CatalogSnapshots}
 * refreshes when the generation moves. Implementations (DynamoDB, EventBridge, per-provider listers) live in
 * {@code internal}.
 */
package io.switchboard.core.catalog;
