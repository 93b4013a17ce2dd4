package io.switchboard.core.invalidation;

/** Metrics of the invalidation function: events processed, entries removed, duration, failures. */
public interface InvalidationMetrics {
    /** An event was processed (or recognised as a duplicate). */
    void processed(String detailType, InvalidationResult result);

    /** An event failed (it will be retried). */
    void failed(String detailType, long nanos);

    /** Metrics that record nothing. */
    static InvalidationMetrics noop() {
        return new InvalidationMetrics() {
            @Override
            public void processed(String detailType, InvalidationResult result) {
            }

            @Override
            public void failed(String detailType, long nanos) {
            }
        };
    }
}
