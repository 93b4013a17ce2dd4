package io.switchboard.core.metrics;

/** Discards everything. */
enum NoopMetrics implements GatewayMetrics {
    INSTANCE;

    @Override
    public void coldStart() {
    }

    @Override
    public void request(RequestOutcome outcome) {
    }

    @Override
    public void built(String name, long nanos) {
    }
}
