package io.switchboard.core.provider;

import io.switchboard.core.catalog.CatalogSnapshot;
import io.switchboard.core.catalog.CatalogSnapshots;
import io.switchboard.shared.config.GatewayConfig;
import io.switchboard.shared.config.ModelRoute;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Resolves the model name a caller sends: through the current catalog snapshot first (aliases, {@code
 * provider/model-id} of discovered models, the configured aliases), then an explicit {@code provider/model-id} for a
 * configured provider. Anything else is 404 {@code model_not_found} naming up to three close matches. The hit path
 * is one hash lookup in an immutable map.
 */
public final class ModelRouter {
    private final GatewayConfig config;
    private final Supplier<CatalogSnapshot> snapshots;

    /** A router over {@code config}'s aliases and providers alone. */
    public ModelRouter(GatewayConfig config) {
        this(config, CatalogSnapshots.ofConfig(config));
    }

    /** A router over the catalog snapshots, for {@code config}'s providers. */
    public ModelRouter(GatewayConfig config, Supplier<CatalogSnapshot> snapshots) {
        this.config = Objects.requireNonNull(config, "config");
        this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
    }

    /** The route for {@code model}. */
    public ModelRoute resolve(String model) {
        CatalogSnapshot s = snapshots.get();
        ModelRoute r = s.route(model);
        if (r != null) {
            return r;
        }
        int slash = model.indexOf('/');
        if (slash > 0 && slash < model.length() - 1 && config.providers().containsKey(model.substring(0, slash))) {
            return new ModelRoute(model.substring(0, slash), model.substring(slash + 1));
        }
        throw s.notFound(model);
    }
}
