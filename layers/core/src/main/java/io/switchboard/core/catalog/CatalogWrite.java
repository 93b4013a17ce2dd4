package io.switchboard.core.catalog;

import io.switchboard.shared.config.ModelRoute;
import java.util.List;
import java.util.Map;

/**
 * The changes one discovery run makes to the stored catalog.
 *
 * @param expectedGeneration the generation the changes were computed against
 * @param newGeneration the generation afterwards: {@code expectedGeneration + 1} for a change, equal to it when only
 *     {@code lastSeen} times are refreshed
 * @param puts entries to create or replace
 * @param deletes keys of entries to remove
 * @param aliasPuts aliases to create or replace
 * @param aliasDeletes aliases to remove
 */
public record CatalogWrite(long expectedGeneration, long newGeneration, List<CatalogEntry> puts, List<String> deletes,
        Map<String, ModelRoute> aliasPuts, List<String> aliasDeletes) {
    public CatalogWrite {
        puts = List.copyOf(puts);
        deletes = List.copyOf(deletes);
        aliasPuts = Map.copyOf(aliasPuts);
        aliasDeletes = List.copyOf(aliasDeletes);
        if (newGeneration != expectedGeneration && newGeneration != expectedGeneration + 1) {
            throw new IllegalArgumentException("a write keeps the generation or increases it by one");
        }
    }

    /** Whether nothing is to be written. */
    public boolean isEmpty() {
        return puts.isEmpty() && deletes.isEmpty() && aliasPuts.isEmpty() && aliasDeletes.isEmpty()
                && newGeneration == expectedGeneration;
    }
}
