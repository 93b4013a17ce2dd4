package io.switchboard.shared.config;

import java.util.List;
import java.util.Objects;

/**
 * A model name that routes to several deployments, with its routing, retry policy and fallbacks. A model configured
 * as a plain {@code provider/model-id} is a group of one deployment with the default policy and no fallbacks.
 *
 * @param deployments where requests go (at least one)
 * @param routing how a deployment is picked
 * @param retry how failures are retried within the group
 * @param fallbacks model names tried in order once the group failed (retries spent, every deployment open)
 * @param contextWindowFallbacks model names tried in order when a deployment says the request exceeds its context
 *     window ({@code context_length_exceeded}); empty: the general {@code fallbacks}
 * @param contentPolicyFallbacks model names tried in order when a deployment refuses the request under its content
 *     policy ({@code content_policy_violation}, {@code content_filter}); empty: the general {@code fallbacks}
 */
public record ModelGroup(List<Deployment> deployments, Routing routing, RetryPolicy retry, List<String> fallbacks,
        List<String> contextWindowFallbacks, List<String> contentPolicyFallbacks) {
    public ModelGroup {
        deployments = List.copyOf(deployments);
        Objects.requireNonNull(routing, "routing");
        Objects.requireNonNull(retry, "retry");
        fallbacks = List.copyOf(fallbacks);
        contextWindowFallbacks = List.copyOf(contextWindowFallbacks);
        contentPolicyFallbacks = List.copyOf(contentPolicyFallbacks);
        if (deployments.isEmpty() || deployments.size() > 64) {
            throw new IllegalArgumentException("a model group needs 1 to 64 deployments");
        }
        for (int i = 0; i < deployments.size(); i++) { // no stream: this runs on the first request of a model
            for (int j = 0; j < i; j++) {
                if (deployments.get(i).id().equals(deployments.get(j).id())) {
                    throw new IllegalArgumentException("deployment ids of a model group must differ");
                }
            }
        }
    }

    /** One deployment, weighted routing, {@code retry}, no fallbacks. */
    public static ModelGroup single(ModelRoute route, RetryPolicy retry) {
        return new ModelGroup(List.of(Deployment.of(route)), Routing.WEIGHTED, retry, List.of(), List.of(),
                List.of());
    }

    /** The first deployment: the group's route for the catalog, the cache key and {@code /v1/models}. */
    public ModelRoute primary() {
        return deployments.get(0).route();
    }
}
