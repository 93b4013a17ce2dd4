package io.switchboard.core.catalog;

import io.switchboard.shared.catalog.ModelRef;
import java.util.List;
import java.util.Map;

/**
 * What one discovery run did.
 *
 * @param generation the catalog generation after the run
 * @param previousGeneration the generation before it
 * @param added names that appeared
 * @param removed names that disappeared
 * @param changed names whose route or metadata changed
 * @param failedProviders provider name to short failure reason; their entries were kept
 * @param listed provider name to models listed, for the providers that answered
 * @param writes DynamoDB items written (0 when nothing changed)
 * @param published whether a {@code ModelCatalogChanged} event was published
 * @param wallNanos time of the whole run
 */
public record DiscoveryReport(long generation, long previousGeneration, List<ModelRef> added, List<ModelRef> removed,
        List<ModelRef> changed, Map<String, String> failedProviders, Map<String, Integer> listed, int writes,
        boolean published, long wallNanos) {
    public DiscoveryReport {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        changed = List.copyOf(changed);
        failedProviders = Map.copyOf(failedProviders);
        listed = Map.copyOf(listed);
    }

    /** Whether the run changed the catalog. */
    public boolean changedCatalog() {
        return generation != previousGeneration;
    }
}
