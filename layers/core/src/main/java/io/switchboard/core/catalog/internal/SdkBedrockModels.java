package io.switchboard.core.catalog.internal;

import io.switchboard.core.catalog.BedrockModels;
import io.switchboard.core.catalog.DiscoveredModel;
import io.switchboard.core.provider.bedrock.BedrockProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import software.amazon.awssdk.services.bedrock.BedrockClient;
import software.amazon.awssdk.services.bedrock.model.FoundationModelSummary;
import software.amazon.awssdk.services.bedrock.model.InferenceProfileSummary;

/** {@link BedrockModels} through the AWS SDK v2 Bedrock control-plane client: the models the gateway can call. */
public final class SdkBedrockModels implements BedrockModels {
    private final Supplier<BedrockClient> client;

    /** Models through {@code client}, built on first use. */
    public SdkBedrockModels(Supplier<BedrockClient> client) {
        this.client = client;
    }

    @Override
    public List<DiscoveredModel> foundationModels() {
        List<DiscoveredModel> out = new ArrayList<>();
        for (FoundationModelSummary m : client.get().listFoundationModels(r -> { }).modelSummaries()) {
            if (m.modelLifecycle() != null && !"ACTIVE".equals(m.modelLifecycle().statusAsString())
                    || !callable(m)) {
                continue;
            }
            out.add(new DiscoveredModel(m.modelId(), m.providerName() == null ? "bedrock"
                    : m.providerName().toLowerCase(Locale.ROOT), 0, null, lower(m.inputModalitiesAsStrings()),
                    lower(m.outputModalitiesAsStrings())));
        }
        return out;
    }

    @Override
    public List<DiscoveredModel> inferenceProfiles() {
        List<DiscoveredModel> out = new ArrayList<>();
        for (InferenceProfileSummary p : client.get().listInferenceProfilesPaginator(r -> { })
                .inferenceProfileSummaries()) {
            if (p.status() != null && !"ACTIVE".equals(p.statusAsString())) {
                continue;
            }
            out.add(new DiscoveredModel(p.inferenceProfileId(), "bedrock",
                    p.createdAt() == null ? 0 : p.createdAt().getEpochSecond(), null, List.of(), List.of()));
        }
        return out;
    }

    /**
     * Whether the gateway can call the model by its id: on demand (a model offered only through inference profiles
     * is listed by its profiles; one offered only with provisioned throughput needs its ARN), and answering text
     * (Converse) or embeddings of a family the provider speaks to (InvokeModel). Image, video and speech models are
     * left out: no OpenAI route here serves them.
     */
    static boolean callable(FoundationModelSummary m) {
        List<String> types = m.inferenceTypesSupportedAsStrings();
        if (types != null && !types.isEmpty() && !types.contains("ON_DEMAND")) {
            return false;
        }
        List<String> out = lower(m.outputModalitiesAsStrings());
        return out.contains("text") || out.contains("embedding") && BedrockProvider.embeds(m.modelId());
    }

    private static List<String> lower(List<String> in) {
        return in == null ? List.of() : in.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
    }
}
