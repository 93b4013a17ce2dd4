package io.switchboard.core.health;

import java.util.Map;

/**
 * A part of the gateway that reports its state in {@code GET /health} under its own {@link #name()} — the extension
 * point for features such as circuit breakers ({@code "breakers": {"openai": "closed", ...}}). Register one with
 * {@link HealthService#register(HealthContributor)}. Must answer quickly, do no I/O, and put no key, prompt or
 * secret in what it returns.
 */
public interface HealthContributor {
    /** The field this contributor's state appears under. */
    String name();

    /**
     * Its state as JSON-ready values (strings, numbers, booleans, lists, maps).
     *
     * @param deep whether an admin asked for the deep variant (more detail is fine there; secrets never)
     */
    Map<String, Object> health(boolean deep);
}
