package io.switchboard.shared.config;

import java.util.Objects;

/**
 * One place a model group's requests can go: a provider, that provider's model id, and a routing weight.
 *
 * @param id the deployment's name in headers, metrics and the shared circuit-breaker state (default: the route,
 *     {@code provider/model-id})
 * @param route the provider and its model id
 * @param weight relative share of requests under weighted routing (at least 1)
 */
public record Deployment(String id, ModelRoute route, int weight) {
    public Deployment {
        Objects.requireNonNull(route, "route");
        id = id == null || id.isBlank() ? route.toString() : id;
        if (weight < 1) {
            throw new IllegalArgumentException("deployment '" + id + "' needs a weight of at least 1");
        }
        if (!id.matches("[A-Za-z0-9._:/@-]{1,200}")) {
            throw new IllegalArgumentException("deployment id '" + id + "' may only hold letters, digits and ._:/@-");
        }
    }

    /** The route as a deployment of weight 1. */
    public static Deployment of(ModelRoute route) {
        return new Deployment(null, route, 1);
    }
}
