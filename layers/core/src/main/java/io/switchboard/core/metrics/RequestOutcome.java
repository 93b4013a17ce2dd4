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
 * @param cache what the cache did ({@code HIT-L1}, {@code HIT-L2}, {@code MISS}, {@code BYPASS}, {@code REFRESH}),
 *     or null when the request never reached it
 * @param l2Nanos time spent in L2 commands
 * @param l2Errors L2 commands that failed
 * @param bytesStored completion bytes stored in the cache (0 when nothing was stored)
 * @param bytesStoredEncoded the same bytes as written to L2, after compression (0 when not written)
 * @param stream what the stream did, or null for an answer that was not streamed
 * @param operation what the request asked for
 */
public record RequestOutcome(int status, long latencyNanos, long upstreamNanos, String provider, String model,
        int tokensIn, int tokensOut, String errorCode, String cache, long l2Nanos, int l2Errors, long bytesStored,
        long bytesStoredEncoded, StreamStats stream, Operation operation) {

    public RequestOutcome {
        java.util.Objects.requireNonNull(operation, "operation");
    }

    /** An outcome of a chat completion. */
    public RequestOutcome(int status, long latencyNanos, long upstreamNanos, String provider, String model,
            int tokensIn, int tokensOut, String errorCode, String cache, long l2Nanos, int l2Errors, long bytesStored,
            long bytesStoredEncoded, StreamStats stream) {
        this(status, latencyNanos, upstreamNanos, provider, model, tokensIn, tokensOut, errorCode, cache, l2Nanos,
                l2Errors, bytesStored, bytesStoredEncoded, stream, Operation.CHAT_COMPLETIONS);
    }

    /** An outcome of an answer that was not streamed. */
    public RequestOutcome(int status, long latencyNanos, long upstreamNanos, String provider, String model,
            int tokensIn, int tokensOut, String errorCode, String cache, long l2Nanos, int l2Errors, long bytesStored,
            long bytesStoredEncoded) {
        this(status, latencyNanos, upstreamNanos, provider, model, tokensIn, tokensOut, errorCode, cache, l2Nanos,
                l2Errors, bytesStored, bytesStoredEncoded, null);
    }

    /** An outcome that never reached the cache. */
    public RequestOutcome(int status, long latencyNanos, long upstreamNanos, String provider, String model,
            int tokensIn, int tokensOut, String errorCode) {
        this(status, latencyNanos, upstreamNanos, provider, model, tokensIn, tokensOut, errorCode, null, 0, 0, 0, 0,
                null);
    }

    /** Time in the gateway outside the upstream call. */
    public long overheadNanos() {
        return Math.max(0, latencyNanos - upstreamNanos);
    }
}
