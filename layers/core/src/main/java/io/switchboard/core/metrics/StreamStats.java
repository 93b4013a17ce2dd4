package io.switchboard.core.metrics;

/**
 * What one streamed answer did.
 *
 * @param timeToFirstByteNanos request start to the caller's first byte (-1: nothing reached the caller)
 * @param upstreamToCallerNanos the provider's first event to the caller's first byte: the gateway's own share of the
 *     time to first token (-1: not measured, e.g. a cache replay or a keep-alive went first)
 * @param durationNanos the caller's first byte to the end of the stream
 * @param chunks chunks written to the caller
 * @param keepAlives keep-alive comments written
 * @param aborted the caller went away before the end
 * @param truncated the provider's stream ended before it was complete
 */
public record StreamStats(long timeToFirstByteNanos, long upstreamToCallerNanos, long durationNanos, int chunks,
        int keepAlives, boolean aborted, boolean truncated) {
}
