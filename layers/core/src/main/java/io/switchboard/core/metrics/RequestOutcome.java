package io.switchboard.core.metrics;

/**
 * What one request did, recorded once at its end.
 *
 * @param status HTTP status returned
 * @param latencyNanos total time in the gateway
 * @param upstreamNanos time waiting for the provider (0 when not called)
 * @param provider the provider called, or null
 * @param model the provider's model id, or null
 * @param tokensIn prompt tokens
 * @param tokensOut completion tokens
 * @param errorCode the error's code, or null on success
 */
public record RequestOutcome(int status, long latencyNanos, long upstreamNanos, String provider, String model,
        int tokensIn, int tokensOut, String errorCode) {

    /** Time in the gateway outside the upstream call. */
    public long overheadNanos() {
        return Math.max(0, latencyNanos - upstreamNanos);
    }
}
