package io.switchboard.core.catalog;

import java.util.List;
import java.util.Objects;

/**
 * What listing one provider gave: its models, or why it failed.
 *
 * @param provider the provider's configured name
 * @param models the models listed (empty on failure)
 * @param failure a short reason ({@code timeout}, {@code unreachable}, {@code http_503}, an exception class) or null
 * @param nanos how long the listing took
 */
public record ProviderListing(String provider, List<DiscoveredModel> models, String failure, long nanos) {
    public ProviderListing {
        Objects.requireNonNull(provider, "provider");
        models = List.copyOf(models);
    }

    /** Whether the provider was listed. */
    public boolean ok() {
        return failure == null;
    }
}
