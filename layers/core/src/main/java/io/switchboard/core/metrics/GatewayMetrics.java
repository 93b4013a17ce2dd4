package io.switchboard.core.metrics;

import io.switchboard.core.Lazy;

/** What the gateway measures. Implementations must be safe to call from the request path; they never throw. */
public interface GatewayMetrics extends Lazy.Listener {

    /** The first request of an execution environment. */
    void coldStart();

    /** One request, at its end. */
    void request(RequestOutcome outcome);

    /** A lazily built object took {@code nanos} to build. */
    @Override
    void built(String name, long nanos);

    /** Metrics that go nowhere. */
    static GatewayMetrics noop() {
        return NoopMetrics.INSTANCE;
    }
}
