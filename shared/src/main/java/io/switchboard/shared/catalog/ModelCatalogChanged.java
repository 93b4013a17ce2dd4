package io.switchboard.shared.catalog;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The event published to the gateway's EventBridge bus ({@code source} {@value #SOURCE}, {@code detail-type}
 * {@value #DETAIL_TYPE}) when a discovery run changed the catalog. This record is its {@code detail}.
 *
 * @param generation the catalog's generation after the change (strictly greater than {@code previousGeneration})
 * @param previousGeneration the generation before it
 * @param added names that appeared
 * @param removed names that disappeared
 * @param changed names whose route or metadata changed
 * @param failedProviders providers that could not be listed in this run (their entries were kept)
 * @param occurredAt when the change was written
 * @param truncated whether the lists were cut to fit EventBridge's entry size (consumers then reload everything)
 */
public record ModelCatalogChanged(long generation, long previousGeneration, List<ModelRef> added,
        List<ModelRef> removed, List<ModelRef> changed, List<String> failedProviders, Instant occurredAt,
        boolean truncated) {
    /** The event's {@code source}. */
    public static final String SOURCE = "io.switchboard.discovery";
    /** The event's {@code detail-type}. */
    public static final String DETAIL_TYPE = "ModelCatalogChanged";

    public ModelCatalogChanged {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        changed = List.copyOf(changed);
        failedProviders = List.copyOf(failedProviders);
        Objects.requireNonNull(occurredAt, "occurredAt");
        if (generation <= previousGeneration) {
            throw new IllegalArgumentException("a change increases the generation");
        }
    }
}
