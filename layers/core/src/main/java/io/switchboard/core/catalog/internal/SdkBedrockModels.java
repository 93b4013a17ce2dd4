package io.switchboard.core.catalog.internal;

import io.switchboard.core.catalog.BedrockModels;
import io.switchboard.core.catalog.DiscoveredModel;
import io.switchboard.core.provider.bedrock.BedrockProvider;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.services.bedrock.BedrockClient;
import software.amazon.awssdk.services.bedrock.model.FoundationModelSummary;
import software.amazon.awssdk.services.bedrock.model.InferenceProfileModel;
import software.amazon.awssdk.services.bedrock.model.InferenceProfileSummary;

/**
 * {@link BedrockModels} through the AWS SDK v2 Bedrock control-plane client of one region: the models the gateway can
 * call there, by their ids and by their inference profiles.
 */
public final class SdkBedrockModels implements BedrockModels {
    private static final String FOUNDATION_MODEL = ":foundation-model/";

    private final Supplier<BedrockClient> client;

    /** Models through {@code client}, built on first use. */
    public SdkBedrockModels(Supplier<BedrockClient> client) {
        this.client = client;
    }

    @Override
    public List<DiscoveredModel> foundationModels() {
        return foundation(summaries());
    }

    /** {@inheritDoc} Lists the foundation models too, to judge each profile's models. */
    @Override
    public List<DiscoveredModel> inferenceProfiles() {
        return profiles(summaries());
    }

    /** Both lists from one {@code ListFoundationModels} call (and {@code ListInferenceProfiles}' pages). */
    @Override
    public List<DiscoveredModel> models() {
        List<FoundationModelSummary> summaries = summaries();
        List<DiscoveredModel> out = foundation(summaries);
        out.addAll(profiles(summaries));
        return out;
    }

    private List<FoundationModelSummary> summaries() {
        return client.get().listFoundationModels(r -> { }).modelSummaries();
    }

    private static List<DiscoveredModel> foundation(List<FoundationModelSummary> summaries) {
        List<DiscoveredModel> out = new ArrayList<>();
        for (FoundationModelSummary m : summaries) {
            if (!active(m) || !callable(m)) {
                continue;
            }
            out.add(new DiscoveredModel(m.modelId(), m.providerName() == null ? "bedrock"
                    : m.providerName().toLowerCase(Locale.ROOT), 0, null, lower(m.inputModalitiesAsStrings()),
                    lower(m.outputModalitiesAsStrings())));
        }
        return out;
    }

    /**
     * The active profiles whose models are all callable through them (see {@link #callableThrough}), each with its
     * models' modalities; a profile naming a model this region does not list, or none, is left out.
     */
    private List<DiscoveredModel> profiles(List<FoundationModelSummary> summaries) {
        Map<String, FoundationModelSummary> byId = new HashMap<>();
        for (FoundationModelSummary m : summaries) {
            byId.put(m.modelId(), m);
        }
        List<DiscoveredModel> out = new ArrayList<>();
        for (InferenceProfileSummary p : client.get().listInferenceProfilesPaginator(r -> { })
                .inferenceProfileSummaries()) {
            if (p.status() != null && !"ACTIVE".equals(p.statusAsString())) {
                continue;
            }
            List<FoundationModelSummary> models = modelsOf(p, byId);
            if (models.isEmpty() || !models.stream().allMatch(m -> callableThrough(p.inferenceProfileId(), m))) {
                continue;
            }
            FoundationModelSummary first = models.get(0);
            out.add(new DiscoveredModel(p.inferenceProfileId(), "bedrock",
                    p.createdAt() == null ? 0 : p.createdAt().getEpochSecond(), null,
                    lower(first.inputModalitiesAsStrings()), lower(first.outputModalitiesAsStrings())));
        }
        return out;
    }

    /**
     * The foundation models {@code p} routes to, one per model id (a cross-region profile names the same model in
     * each of its regions); empty when it names none, or one {@code byId} does not hold.
     */
    static List<FoundationModelSummary> modelsOf(InferenceProfileSummary p, Map<String, FoundationModelSummary> byId) {
        Set<String> ids = new LinkedHashSet<>();
        for (InferenceProfileModel m : p.models()) {
            String arn = m.modelArn();
            int at = arn == null ? -1 : arn.indexOf(FOUNDATION_MODEL);
            if (at < 0) {
                return List.of();
            }
            ids.add(arn.substring(at + FOUNDATION_MODEL.length()));
        }
        List<FoundationModelSummary> out = new ArrayList<>();
        for (String id : ids) {
            FoundationModelSummary m = byId.get(id);
            if (m == null) {
                return List.of();
            }
            out.add(m);
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
        return answers(m.modelId(), m);
    }

    /**
     * Whether the gateway can call {@code m} through the profile {@code profileId}: an active model answering text, or
     * embeddings of a family the provider recognises from the profile id (what it sends as {@code modelId}). How the
     * model is offered on its own (on demand or only through profiles) does not matter here.
     */
    static boolean callableThrough(String profileId, FoundationModelSummary m) {
        return active(m) && answers(profileId, m);
    }

    private static boolean answers(String calledAs, FoundationModelSummary m) {
        List<String> out = lower(m.outputModalitiesAsStrings());
        return out.contains("text") || out.contains("embedding") && BedrockProvider.embeds(calledAs);
    }

    private static boolean active(FoundationModelSummary m) {
        return m.modelLifecycle() == null || "ACTIVE".equals(m.modelLifecycle().statusAsString());
    }

    private static List<String> lower(List<String> in) {
        return in == null ? List.of() : in.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
    }
}
