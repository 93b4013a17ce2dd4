package io.switchboard.core.resilience;

import io.switchboard.shared.config.Deployment;

/** What a request learns while it is retried and falls back; it also says whether the caller has seen a byte. */
public interface Trail {
    /** Call number {@code number} (1-based, across fallbacks) goes to {@code deployment}. */
    void attempt(Deployment deployment, int number);

    /** The request now goes to fallback model {@code model}. */
    void fallback(String model);

    /** The request waited {@code nanos} (backoff or {@code Retry-After}). */
    void waited(long nanos);

    /** Whether the caller received its first byte: from then on nothing is retried. */
    boolean committed();
}
