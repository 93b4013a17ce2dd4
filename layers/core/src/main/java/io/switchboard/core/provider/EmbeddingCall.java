package io.switchboard.core.provider;

import io.switchboard.core.Ticker;
import io.switchboard.shared.embeddings.EmbeddingRequest;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * One embeddings call to a provider: the validated request, the provider's model id, the time allowed, and the time
 * spent upstream. A call belongs to one request and one thread; it is not shared.
 */
public final class EmbeddingCall implements UpstreamCall {
    private final EmbeddingRequest request;
    private final String providerModel;
    private final Duration timeout;
    private final String requestId;
    private final Ticker ticker;
    private long upstreamNanos;

    /** A call of {@code request} to {@code providerModel}, allowed {@code timeout}. */
    public EmbeddingCall(EmbeddingRequest request, String providerModel, Duration timeout, String requestId,
            Ticker ticker) {
        this.request = Objects.requireNonNull(request, "request");
        this.providerModel = Objects.requireNonNull(providerModel, "providerModel");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.requestId = requestId;
        this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    /** The validated request, as the caller sent it. */
    public EmbeddingRequest request() {
        return request;
    }

    @Override
    public String providerModel() {
        return providerModel;
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    @Override
    public String requestId() {
        return requestId;
    }

    /** The request's clock. */
    public Ticker ticker() {
        return ticker;
    }

    /** Nanoseconds spent inside {@link #upstream(Callable)} so far. */
    public long upstreamNanos() {
        return upstreamNanos;
    }

    @Override
    public <T> T upstream(Callable<T> exchange) throws Exception {
        long start = ticker.read();
        try {
            return exchange.call();
        } finally {
            upstreamNanos += ticker.read() - start;
        }
    }
}
