package io.switchboard.core.catalog.internal;

import io.switchboard.core.catalog.BedrockModels;
import io.switchboard.core.catalog.DiscoveredModel;
import io.switchboard.core.catalog.ModelLister;
import io.switchboard.shared.config.ProviderConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Amazon Bedrock: its active foundation models followed by its active inference profiles. */
public final class BedrockModelLister implements ModelLister {
    private final Function<ProviderConfig, BedrockModels> models;

    /** A lister asking {@code models} for each Bedrock provider's catalog. */
    public BedrockModelLister(Function<ProviderConfig, BedrockModels> models) {
        this.models = models;
    }

    @Override
    public List<DiscoveredModel> list(ProviderConfig p, Duration timeout) {
        BedrockModels m = models.apply(p);
        List<DiscoveredModel> out = new ArrayList<>(m.foundationModels());
        out.addAll(m.inferenceProfiles());
        return out;
    }
}
