package io.switchboard.core.catalog;

import io.switchboard.shared.config.ProviderConfig;
import java.time.Duration;
import java.util.List;

/** Lists the models one kind of provider serves, from the provider itself. Implementations are thread-safe. */
@FunctionalInterface
public interface ModelLister {
    /**
     * The models {@code provider} serves now.
     *
     * @param provider the provider's configuration
     * @param timeout the time the whole listing may take (the caller also enforces it)
     * @throws Exception when the provider cannot be listed; the caller records it as a failure of that provider
     */
    List<DiscoveredModel> list(ProviderConfig provider, Duration timeout) throws Exception;
}
