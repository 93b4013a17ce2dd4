package io.switchboard.core.catalog;

import java.util.List;

/** Bedrock's model catalog: the foundation models and the inference profiles of the account's region. */
public interface BedrockModels {
    /** {@code ListFoundationModels}, active models only. */
    List<DiscoveredModel> foundationModels();

    /** {@code ListInferenceProfiles}, active profiles only; the profile id is the model id. */
    List<DiscoveredModel> inferenceProfiles();
}
