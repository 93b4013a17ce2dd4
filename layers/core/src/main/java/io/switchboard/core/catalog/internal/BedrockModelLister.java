package io.switchboard.core.catalog.internal;

import io.switchboard.core.catalog.BedrockModels;
import io.switchboard.core.catalog.DiscoveredModel;
import io.switchboard.core.catalog.ModelLister;
import io.switchboard.shared.config.ProviderConfig;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * Amazon Bedrock: the foundation models followed by the inference profiles the gateway can call, each provider's from
 * its own region.
 */
public final class BedrockModelLister implements ModelLister {
    private final Function<ProviderConfig, BedrockModels> models;

    /** A lister asking {@code models} for each Bedrock provider's catalog (its region's). */
    public BedrockModelLister(Function<ProviderConfig, BedrockModels> models) {
        this.models = models;
    }

    @Override
    public List<DiscoveredModel> list(ProviderConfig p, Duration timeout) {
        return models.apply(p).models();
    }
}
