package io.switchboard.core.provider;

import io.switchboard.shared.config.ProviderConfig;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The providers of one execution environment, keyed by (name, configuration hash): a provider is built once and
 * rebuilt only when its configuration changes, and the replaced one is closed. The hash is checked by full equality
 * of the configuration record, so a collision can never hand out a provider built for another configuration.
 */
public final class ProviderRegistry implements AutoCloseable {
    private record Entry(int configHash, ProviderConfig config, ChatProvider provider) {
    }

    private final Function<ProviderConfig, ChatProvider> factory;
    private final Map<String, Entry> byName = new ConcurrentHashMap<>();
    private final AtomicInteger builds = new AtomicInteger();

    /** A registry building providers with {@code factory}. */
    public ProviderRegistry(Function<ProviderConfig, ChatProvider> factory) {
        this.factory = factory;
    }

    /** The provider for {@code config}, built on first use. */
    public ChatProvider get(ProviderConfig config) {
        Entry e = byName.get(config.name());
        if (e != null && e.configHash() == config.hashCode() && e.config().equals(config)) {
            return e.provider();
        }
        Entry[] replaced = new Entry[1];
        Entry current = byName.compute(config.name(), (name, old) -> {
            if (old != null && old.configHash() == config.hashCode() && old.config().equals(config)) {
                return old;
            }
            replaced[0] = old;
            builds.incrementAndGet();
            return new Entry(config.hashCode(), config, factory.apply(config));
        });
        if (replaced[0] != null) {
            replaced[0].provider().close();
        }
        return current.provider();
    }

    /** How many providers were built so far. */
    public int builds() {
        return builds.get();
    }

    @Override
    public void close() {
        byName.values().forEach(e -> e.provider().close());
        byName.clear();
    }
}
