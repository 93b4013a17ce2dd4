package io.switchboard.core.completion;

import io.switchboard.core.Ticker;
import io.switchboard.core.cache.CacheTrace;
import io.switchboard.core.http.ErrorResponses;
import io.switchboard.core.http.GatewayRequest;
import io.switchboard.core.http.ResponseSink;
import io.switchboard.core.metrics.RequestOutcome;
import io.switchboard.core.metrics.StreamStats;
import io.switchboard.core.provider.ProviderCall;
import io.switchboard.core.resilience.Trail;
import io.switchboard.shared.config.Deployment;
import io.switchboard.core.stream.EventStreamWriter;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.Usage;
import io.switchboard.shared.json.ChatJson;
import java.util.HashMap;
import java.util.Map;

/**
 * One request's answer as it is being given: where it goes, what it has learned (provider, cache trace, provider
 * call, tokens, error), the headers every answer carries, and the one {@link RequestOutcome} recorded at its end.
 * Belongs to one request and one thread (a keep-alive may commit the stream's headers from the watch's thread, under
 * the writer's lock). As the request's {@link Trail} it learns each call to a deployment, retry wait and fallback.
 */
final class Exchange implements Trail {
    private static final String EVENT_STREAM = "text/event-stream; charset=utf-8";

    private final GatewayRequest request;
    private final ResponseSink sink;
    private final long startNanos;
    private final Ticker ticker;
    private String provider;
    private CacheTrace trace;
    private io.switchboard.core.cache.CacheKey cacheKey;
    private ProviderCall call;
    private EventStreamWriter writer;
    private int status = 200;
    private String errorCode;
    private Usage usage = Usage.NONE;
    private boolean aborted;
    private boolean truncated;
    private long streamEndNanos = -1;
    private long earlierUpstreamNanos;
    private String deployment;
    private int attempts;
    private String fallback;
    private Map<String, String> rateLimits = Map.of();

    /** The {@link Ticker} time the request arrived. */
    long startNanos() {
        return startNanos;
    }

    Exchange(GatewayRequest request, ResponseSink sink, long startNanos, Ticker ticker) {
        this.request = request;
        this.sink = sink;
        this.startNanos = startNanos;
        this.ticker = ticker;
    }

    GatewayRequest request() {
        return request;
    }

    ResponseSink sink() {
        return sink;
    }

    void provider(String name) {
        provider = name;
    }

    void trace(CacheTrace t) {
        trace = t;
    }

    CacheTrace trace() {
        return trace;
    }

    void cacheKey(io.switchboard.core.cache.CacheKey key) {
        cacheKey = key;
    }

    void call(ProviderCall c) {
        if (call != null) {
            earlierUpstreamNanos += call.upstreamNanos();
        }
        call = c;
    }

    @Override
    public void attempt(Deployment d, int number) {
        deployment = d.id();
        attempts = number;
        provider = d.route().provider();
    }

    @Override
    public void fallback(String model) {
        fallback = model;
    }

    @Override
    public void waited(long nanos) {
        earlierUpstreamNanos += nanos; // waiting out the provider is the provider's time, not the gateway's
    }

    @Override
    public boolean committed() {
        return writer != null && writer.committed();
    }

    /** The fallback model that answered, or null. */
    String fallbackModel() {
        return fallback;
    }

    private long upstreamNanos() {
        return earlierUpstreamNanos + (call == null ? 0 : call.upstreamNanos());
    }

    void tokens(Usage u) {
        usage = u;
    }

    /** The tokens the provider reported (none for a cached answer or a failure). */
    Usage usage() {
        return usage;
    }

    /** The {@code x-ratelimit-*} headers every answer of this request carries. */
    void rateLimits(Map<String, String> headers) {
        rateLimits = headers;
    }

    /** The stream's writer, created on first use. */
    EventStreamWriter writer(boolean includeUsage, long maxBufferedBytes) {
        if (writer == null) {
            writer = new EventStreamWriter(sink, () -> headers(EVENT_STREAM), ticker, includeUsage,
                    maxBufferedBytes);
        }
        return writer;
    }

    EventStreamWriter writerIfAny() {
        return writer;
    }

    void streamEnded() {
        streamEndNanos = ticker.read();
    }

    void callerGone() {
        aborted = true;
        status = 499; // nginx's "client closed request": the caller left before the answer ended
        streamEndNanos = ticker.read();
    }

    void failed(GatewayException e) {
        status = writer != null && writer.committed() && sink.streams() ? 200 : e.status();
        errorCode = e.code();
        truncated = e.kind() == ErrorKind.STREAM_TRUNCATED;
    }

    /** A whole JSON answer. */
    void sendJson(byte[] body) {
        sink.send(200, headers("application/json"), body);
    }

    /** An error answer, with its own status. */
    void sendError(GatewayException e) {
        sink.send(e.status(), ErrorResponses.headers(e, headers(null)), ChatJson.writeError(e));
    }

    /** The headers every answer carries, timed as of now (for a stream: its first byte). */
    private Map<String, String> headers(String contentType) {
        Map<String, String> h = new HashMap<>(16);
        if (contentType != null) {
            h.put("content-type", contentType);
        }
        if (EVENT_STREAM.equals(contentType)) {
            h.put("cache-control", "no-cache");
            h.put("x-accel-buffering", "no");
        }
        if (provider != null && errorCode == null) {
            h.put("x-switchboard-provider", provider);
        }
        if (deployment != null) {
            if (errorCode == null) {
                h.put("x-switchboard-deployment", deployment);
            }
            h.put("x-switchboard-attempts", Integer.toString(attempts));
            if (fallback != null) {
                h.put("x-switchboard-fallback", fallback);
            }
        }
        long upstream = upstreamNanos();
        long total = ticker.read() - startNanos;
        h.put("x-switchboard-upstream-ms", CompletionService.millis(upstream));
        h.put("x-switchboard-overhead-ms", CompletionService.millis(Math.max(0, total - upstream)));
        if (trace != null) {
            h.put("x-switchboard-cache", trace.status().header());
            if (cacheKey != null) {
                h.put("x-switchboard-cache-key", cacheKey.header());
            }
        }
        if (request.requestId() != null) {
            h.put("x-request-id", request.requestId());
        }
        h.putAll(rateLimits);
        return h;
    }

    /** What the request did, once it ended. */
    RequestOutcome outcome() {
        long upstream = upstreamNanos();
        long total = ticker.read() - startNanos;
        String model = call == null ? null : call.providerModel();
        StreamStats stream = null;
        if (writer != null) {
            long first = writer.firstByteNanos();
            long upstreamFirst = call == null ? -1 : call.firstEventNanos();
            stream = new StreamStats(first < 0 ? -1 : first - startNanos,
                    first < 0 || upstreamFirst < 0 || writer.keepAlives() > 0 ? -1 : first - upstreamFirst,
                    first < 0 ? 0 : Math.max(0, (streamEndNanos < 0 ? ticker.read() : streamEndNanos) - first),
                    writer.chunks(), writer.keepAlives(), aborted, truncated);
        }
        if (trace == null) {
            return new RequestOutcome(status, total, upstream, provider, model, usage.promptTokens(),
                    usage.completionTokens(), errorCode, null, 0, 0, 0, 0, stream);
        }
        return new RequestOutcome(status, total, upstream, provider, model, usage.promptTokens(),
                usage.completionTokens(), errorCode, trace.status().header(), trace.l2Nanos(), trace.l2Errors(),
                trace.bytesStored(), trace.bytesStoredEncoded(), stream);
    }
}
