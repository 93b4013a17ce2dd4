package io.switchboard.core.catalog;

import java.util.ArrayList;
import java.util.List;

/** Bedrock's model catalog in one region: its foundation models and its inference profiles. */
public interface BedrockModels {
    /** {@code ListFoundationModels}: the active models the gateway can call by their ids. */
    List<DiscoveredModel> foundationModels();

    /**
     * {@code ListInferenceProfiles}: the active profiles whose models the gateway can call through them; the profile
     * id is the model id.
     */
    List<DiscoveredModel> inferenceProfiles();

    /** The foundation models followed by the inference profiles (an implementation may list each kind only once). */
    default List<DiscoveredModel> models() {
        List<DiscoveredModel> out = new ArrayList<>(foundationModels());
        out.addAll(inferenceProfiles());
        return out;
    }
}
