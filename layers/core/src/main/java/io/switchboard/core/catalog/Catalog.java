package io.switchboard.core.catalog;

import io.switchboard.shared.config.ModelRoute;
import java.util.Map;

/**
 * The catalog as stored: its generation, one entry per (provider, model) keyed by {@code provider/modelId}, and the
 * aliases (canonical name to provider and provider model id).
 *
 * @param generation increases on every change; 0 for a catalog never written
 * @param models entries by {@link CatalogEntry#key()}
 * @param aliases routes by alias
 */
public record Catalog(long generation, Map<String, CatalogEntry> models, Map<String, ModelRoute> aliases) {
    /** The catalog of a table no discovery has written yet. */
    public static final Catalog EMPTY = new Catalog(0, Map.of(), Map.of());

    public Catalog {
        if (generation < 0) {
            throw new IllegalArgumentException("generation must not be negative");
        }
        models = Map.copyOf(models);
        aliases = Map.copyOf(aliases);
        for (Map.Entry<String, CatalogEntry> e : models.entrySet()) {
            if (!e.getKey().equals(e.getValue().key())) {
                throw new IllegalArgumentException("entry keyed " + e.getKey() + " is " + e.getValue().key());
            }
        }
    }
}
