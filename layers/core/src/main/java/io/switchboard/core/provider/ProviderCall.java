package io.switchboard.core.provider;

import io.switchboard.core.Ticker;
import io.switchboard.shared.chat.ChatRequest;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * One call to a provider: the request, the provider's model id, the time allowed, and the time spent upstream. A
 * call belongs to one request and one thread; it is not shared.
 */
public final class ProviderCall {
    private ChatRequest request;
    private final String providerModel;
    private final Duration timeout;
    private final String requestId;
    private final Ticker ticker;
    private long upstreamNanos;

    /** A call of {@code request} to {@code providerModel}, allowed {@code timeout}. */
    public ProviderCall(ChatRequest request, String providerModel, Duration timeout, String requestId,
            Ticker ticker) {
        this.request = Objects.requireNonNull(request, "request");
        this.providerModel = Objects.requireNonNull(providerModel, "providerModel");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.requestId = requestId;
        this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    /** The validated request (defaults applied once the provider has it). */
    public ChatRequest request() {
        return request;
    }

    /** The provider's own id of the model. */
    public String providerModel() {
        return providerModel;
    }

    /** Time allowed for the whole upstream exchange. */
    public Duration timeout() {
        return timeout;
    }

    /** The gateway's request id, for the provider's logs. */
    public String requestId() {
        return requestId;
    }

    /** Nanoseconds spent inside {@link #upstream(Callable)} so far. */
    public long upstreamNanos() {
        return upstreamNanos;
    }

    void replaceRequest(ChatRequest newRequest) {
        request = Objects.requireNonNull(newRequest, "request");
    }

    /**
     * Runs the wire exchange, counting its time as upstream time (the gateway's overhead is everything else).
     * Providers wrap exactly the part that waits for the provider.
     */
    public <T> T upstream(Callable<T> exchange) throws Exception {
        long start = ticker.read();
        try {
            return exchange.call();
        } finally {
            upstreamNanos += ticker.read() - start;
        }
    }
}
