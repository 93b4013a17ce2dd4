package io.switchboard.core.catalog;

import java.util.List;
import java.util.Objects;

/**
 * A model as one provider lists it.
 *
 * @param id the provider's own id
 * @param ownedBy the owner the provider reports, or the provider's name
 * @param created Unix seconds of creation, 0 when unknown
 * @param contextWindow tokens of context, or null when the provider does not say
 * @param inputModalities lower-case input modalities the provider reports ({@code text}, {@code image}...)
 * @param outputModalities lower-case output modalities
 */
public record DiscoveredModel(String id, String ownedBy, long created, Integer contextWindow,
        List<String> inputModalities, List<String> outputModalities) {
    public DiscoveredModel {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(ownedBy, "ownedBy");
        if (id.isBlank()) {
            throw new IllegalArgumentException("a model id must not be blank");
        }
        created = Math.max(0, created);
        if (contextWindow != null && contextWindow < 1) {
            contextWindow = null;
        }
        inputModalities = inputModalities == null ? List.of() : List.copyOf(inputModalities);
        outputModalities = outputModalities == null ? List.of() : List.copyOf(outputModalities);
    }

    /** A model known only by its id. */
    public static DiscoveredModel of(String id, String ownedBy) {
        return new DiscoveredModel(id, ownedBy, 0, null, List.of(), List.of());
    }
}
