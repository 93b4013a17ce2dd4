/**
 * Wire formats of the model catalog: OpenAI's {@code Model} and {@code ListModelsResponse} as the gateway serves them,
 * and the {@code ModelCatalogChanged} event published when the catalog changes (schema:
 * {@code schemas/model-catalog-changed.schema.json} in this jar). {@link io.switchboard.shared.catalog.CatalogJson}
 * reads and writes them.
 */
package io.switchboard.shared.catalog;
