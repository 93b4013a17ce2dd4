package io.switchboard.core.catalog.internal;

import io.switchboard.core.catalog.DiscoveredModel;
import io.switchboard.core.catalog.ModelLister;
import io.switchboard.core.provider.mock.Sleeper;
import io.switchboard.shared.config.GatewayConfig;
import io.switchboard.shared.config.ModelRoute;
import io.switchboard.shared.config.ProviderConfig;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The mock provider's models: {@code mock-1} plus every model id the configuration routes to it, after the
 * provider's simulated latency.
 */
public final class MockModelLister implements ModelLister {
    /** The model every mock provider serves. */
    public static final String MOCK_MODEL = "mock-1";

    private final Supplier<GatewayConfig> config;
    private final Sleeper sleeper;

    /** A lister reading routes from {@code config}, waiting with {@code sleeper}. */
    public MockModelLister(Supplier<GatewayConfig> config, Sleeper sleeper) {
        this.config = config;
        this.sleeper = sleeper;
    }

    @Override
    public List<DiscoveredModel> list(ProviderConfig p, Duration timeout) throws Exception {
        if (!p.latency().isZero()) {
            sleeper.sleep(p.latency());
        }
        TreeSet<String> ids = new TreeSet<>(List.of(MOCK_MODEL));
        for (ModelRoute r : config.get().models().values()) {
            if (r.provider().equals(p.name())) {
                ids.add(r.providerModel());
            }
        }
        return ids.stream().map(id -> new DiscoveredModel(id, "switchboard", 0, 128_000, List.of("text"),
                List.of("text"))).toList();
    }
}
