package io.switchboard.shared.config;

import java.time.Duration;

/**
 * Request limits.
 *
 * @param maxRequestBytes largest accepted body (413 above)
 * @param maxResponseBytes largest response the platform can return (Lambda: 6 MB); above it the gateway answers 502
 *     {@code response_too_large} instead of failing opaquely
 * @param upstreamTimeout upper bound of an upstream call, kept under API Gateway's 30-second integration timeout
 */
public record Limits(int maxRequestBytes, int maxResponseBytes, Duration upstreamTimeout) {

    /** Defaults sized for API Gateway HTTP API and Lambda. */
    public static final Limits DEFAULTS = new Limits(4 * 1024 * 1024, 6 * 1000 * 1000 - 64 * 1024,
            Duration.ofSeconds(25));

    public Limits {
        if (maxRequestBytes < 1 || maxResponseBytes < 1) {
            throw new IllegalArgumentException("byte limits must be positive");
        }
        if (upstreamTimeout == null || upstreamTimeout.isNegative() || upstreamTimeout.isZero()) {
            throw new IllegalArgumentException("upstreamTimeout must be positive");
        }
    }
}
