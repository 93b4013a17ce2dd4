/**
 * The discovery function: {@link io.switchboard.discovery.DiscoveryHandler} runs model discovery on a schedule or
 * on demand and syncs the DynamoDB catalog; {@link io.switchboard.discovery.ModelsHandler} serves
 * {@code GET /v1/models} and {@code GET /v1/models/{id}} from the catalog. Both are thin: the work is the layer's
 * {@link io.switchboard.core.catalog.ModelCatalog}.
 */
package io.switchboard.discovery;
