package io.switchboard.core.provider;

import io.switchboard.core.Ticker;
import io.switchboard.core.stream.StreamWatch;
import io.switchboard.shared.chat.ChatRequest;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * One call to a provider: the request, the provider's model id, the time allowed, and the time spent upstream. A
 * call belongs to one request and one thread; it is not shared.
 */
public final class ProviderCall implements UpstreamCall {
    private ChatRequest request;
    private final String providerModel;
    private final Duration timeout;
    private final String requestId;
    private final Ticker ticker;
    private long upstreamNanos;
    private long firstEventNanos = -1;
    private Duration idleTimeout;
    private long deadlineNanos = Long.MAX_VALUE;
    private Duration keepAlive;
    private StreamWatch.Caller caller;

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

    /** Nanoseconds spent inside {@link #upstream(Callable)} so far. */
    public long upstreamNanos() {
        return upstreamNanos;
    }

    /**
     * How a streamed call is watched: the longest silence between two upstream events, the {@link Ticker} time by
     * which it must end ({@link Long#MAX_VALUE}: none), and the caller to keep alive while nothing is sent (null:
     * none). Without it a stream's silences are bounded by {@link #timeout()} alone.
     */
    public ProviderCall streaming(Duration idle, long deadline, Duration keepAliveEvery, StreamWatch.Caller to) {
        this.idleTimeout = Objects.requireNonNull(idle, "idle");
        this.deadlineNanos = deadline;
        this.keepAlive = keepAliveEvery;
        this.caller = to;
        return this;
    }

    /**
     * Starts the watch of a streamed call: the first event within {@link #timeout()}, then no silence longer than
     * the idle timeout, nothing past the deadline; keep-alives to the caller. Providers close it when the stream ends.
     */
    public StreamWatch watch() {
        return StreamWatch.start(ticker, timeout, idleTimeout != null ? idleTimeout : timeout, deadlineNanos,
                keepAlive, caller);
    }

    /** Notes an upstream event's arrival; the first one's time is the upstream's first byte. */
    public void event(StreamWatch watch) {
        if (firstEventNanos < 0) {
            firstEventNanos = ticker.read();
        }
        watch.event();
    }

    /** {@link Ticker} time of the first upstream event of a stream, or -1. */
    public long firstEventNanos() {
        return firstEventNanos;
    }

    /** Adds time spent waiting for the provider (providers that time their own reads). */
    public void addUpstreamNanos(long nanos) {
        upstreamNanos += nanos;
    }

    /** The call's {@link Ticker}. */
    public Ticker ticker() {
        return ticker;
    }

    void replaceRequest(ChatRequest newRequest) {
        request = Objects.requireNonNull(newRequest, "request");
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
