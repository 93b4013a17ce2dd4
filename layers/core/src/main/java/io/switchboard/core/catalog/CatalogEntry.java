package io.switchboard.core.catalog;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One (provider, model) item of the catalog.
 *
 * @param provider the provider's configured name
 * @param modelId the provider's own id
 * @param ownedBy the owner reported by the provider
 * @param created Unix seconds of creation, 0 when unknown
 * @param contextWindow tokens of context, or null when unknown
 * @param inputModalities input modalities, lower case
 * @param outputModalities output modalities, lower case
 * @param lastSeen when a discovery run last saw the model (to within the configured resolution)
 */
public record CatalogEntry(String provider, String modelId, String ownedBy, long created, Integer contextWindow,
        List<String> inputModalities, List<String> outputModalities, Instant lastSeen) {
    public CatalogEntry {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(ownedBy, "ownedBy");
        Objects.requireNonNull(lastSeen, "lastSeen");
        inputModalities = inputModalities == null ? List.of() : List.copyOf(inputModalities);
        outputModalities = outputModalities == null ? List.of() : List.copyOf(outputModalities);
    }

    /** The entry for {@code model} of {@code provider}, seen at {@code now}. */
    public static CatalogEntry of(String provider, DiscoveredModel model, Instant now) {
        return new CatalogEntry(provider, model.id(), model.ownedBy(), model.created(), model.contextWindow(),
                model.inputModalities(), model.outputModalities(), now);
    }

    /** {@code provider/modelId}: the name callers send and the catalog's key. */
    public String key() {
        return provider + "/" + modelId;
    }

    /** Whether {@code other} describes the same model the same way, whenever it was seen. */
    public boolean sameAs(CatalogEntry other) {
        return provider.equals(other.provider) && modelId.equals(other.modelId) && ownedBy.equals(other.ownedBy)
                && created == other.created && Objects.equals(contextWindow, other.contextWindow)
                && inputModalities.equals(other.inputModalities) && outputModalities.equals(other.outputModalities);
    }

    /** This entry seen again at {@code now}. */
    public CatalogEntry seenAt(Instant now) {
        return new CatalogEntry(provider, modelId, ownedBy, created, contextWindow, inputModalities, outputModalities,
                now);
    }
}
