package io.switchboard.core.embeddings;

import io.switchboard.core.Ticker;
import io.switchboard.core.cache.CacheKey;
import io.switchboard.core.cache.CacheTrace;
import io.switchboard.core.http.ErrorResponses;
import io.switchboard.core.http.GatewayRequest;
import io.switchboard.core.http.RequestPolicy;
import io.switchboard.core.http.ResponseSink;
import io.switchboard.core.metrics.Operation;
import io.switchboard.core.metrics.RequestOutcome;
import io.switchboard.core.provider.EmbeddingCall;
import io.switchboard.shared.config.Deployment;
import io.switchboard.core.resilience.Trail;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.json.ChatJson;
import java.util.HashMap;
import java.util.Map;

/**
 * One embeddings request's answer as it is being given: what it has learned (provider, cache trace and key, provider
 * call, tokens, error), the headers every answer carries (the same as a completion's), and the one
 * {@link RequestOutcome} recorded at its end. Belongs to one request and one thread.
 */
final class EmbeddingExchange implements Trail {
    private final GatewayRequest request;
    private final ResponseSink sink;
    private final long startNanos;
    private final Ticker ticker;
    private String provider;
    private CacheTrace trace;
    private CacheKey cacheKey;
    private EmbeddingCall call;
    private int status = 200;
    private String errorCode;
    private Map<String, String> rateLimits = Map.of();
    private int promptTokens;
    private long earlierUpstreamNanos;
    private String deployment;
    private int attempts;
    private String fallback;

    /** The {@link Ticker} time the request arrived. */
    long startNanos() {
        return startNanos;
    }

    EmbeddingExchange(GatewayRequest request, ResponseSink sink, long startNanos, Ticker ticker) {
        this.request = request;
        this.sink = sink;
        this.startNanos = startNanos;
        this.ticker = ticker;
    }

    GatewayRequest request() {
        return request;
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

    void cacheKey(CacheKey key) {
        cacheKey = key;
    }

    void call(EmbeddingCall c) {
        if (call != null) {
            earlierUpstreamNanos += call.upstreamNanos(); // an earlier attempt's time was the provider's
        }
        call = c;
    }

    private long upstreamNanos() {
        return earlierUpstreamNanos + (call == null ? 0 : call.upstreamNanos());
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

    /** An embeddings answer is sent whole: nothing reaches the caller before it, so every attempt may be retried. */
    @Override
    public boolean committed() {
        return false;
    }

    /** The fallback model that answered, or null. */
    String fallbackModel() {
        return fallback;
    }

    void tokens(int prompt) {
        promptTokens = prompt;
    }

    /** The prompt tokens the provider reported. */
    int promptTokens() {
        return promptTokens;
    }

    /** The {@code x-ratelimit-*} headers every answer of this request carries. */
    void rateLimits(Map<String, String> headers) {
        rateLimits = headers;
    }

    void callerGone() {
        status = 499; // nginx's "client closed request": the caller left before the answer was sent
    }

    void failed(GatewayException e) {
        status = e.status();
        errorCode = e.code();
    }

    /** The JSON answer. */
    void sendJson(byte[] body) {
        sink.send(200, headers("application/json"), body);
    }

    /** An error answer, with its own status. */
    void sendError(GatewayException e) {
        sink.send(e.status(), ErrorResponses.headers(e, headers(null)), ChatJson.writeError(e));
    }

    /** The headers every answer carries, timed as of now. */
    private Map<String, String> headers(String contentType) {
        Map<String, String> h = new HashMap<>(16);
        if (contentType != null) {
            h.put("content-type", contentType);
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
        h.put("x-switchboard-upstream-ms", RequestPolicy.millis(upstream));
        h.put("x-switchboard-overhead-ms", RequestPolicy.millis(Math.max(0, total - upstream)));
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
        if (trace == null) {
            return new RequestOutcome(status, total, upstream, provider, model, promptTokens, 0, errorCode, null, 0,
                    0, 0, 0, null, Operation.EMBEDDINGS);
        }
        return new RequestOutcome(status, total, upstream, provider, model, promptTokens, 0, errorCode,
                trace.status().header(), trace.l2Nanos(), trace.l2Errors(), trace.bytesStored(),
                trace.bytesStoredEncoded(), null, Operation.EMBEDDINGS);
    }
}
