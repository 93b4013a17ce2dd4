package io.switchboard.shared.config;

import java.util.Locale;

/** How a model group picks among its healthy deployments. */
public enum Routing {
    /** Weighted random, by each deployment's weight (the default). */
    WEIGHTED("weighted"),
    /** The deployment with the fewest calls in flight in this execution environment (ties: weighted random). */
    LEAST_IN_FLIGHT("least-in-flight"),
    /** The deployment with the lowest recent latency in this environment (unmeasured ones first). */
    LATENCY("latency");

    private final String id;

    Routing(String id) {
        this.id = id;
    }

    /** The name in the JSON configuration. */
    public String id() {
        return id;
    }

    /** Parses a configuration name. */
    public static Routing fromId(String s) {
        for (Routing r : values()) {
            if (r.id.equals(s.toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        throw new IllegalArgumentException("routing must be weighted, least-in-flight or latency, got '" + s + "'");
    }
}
