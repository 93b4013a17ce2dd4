package io.switchboard.core.embeddings;

import io.switchboard.core.Ticker;
import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.auth.Tenant;
import io.switchboard.core.cache.CacheDirectives;
import io.switchboard.core.cache.CacheKey;
import io.switchboard.core.cache.CacheSettings;
import io.switchboard.core.cache.CacheStatus;
import io.switchboard.core.cache.CacheTrace;
import io.switchboard.core.cache.CanonicalRequests;
import io.switchboard.core.cache.ResponseCache;
import io.switchboard.core.governance.Governance;
import io.switchboard.core.governance.Grant;
import io.switchboard.core.governance.Principal;
import io.switchboard.core.http.BufferedResponse;
import io.switchboard.core.http.CallerGoneException;
import io.switchboard.core.http.GatewayRequest;
import io.switchboard.core.http.GatewayResponse;
import io.switchboard.core.http.RequestPolicy;
import io.switchboard.core.http.ResponseSink;
import io.switchboard.core.metrics.GatewayMetrics;
import io.switchboard.core.provider.ChatProvider;
import io.switchboard.core.provider.EmbeddingCall;
import io.switchboard.core.provider.ModelRouter;
import io.switchboard.core.provider.ProviderRegistry;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.config.GatewayConfig;
import io.switchboard.shared.config.ModelRoute;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.embeddings.EmbeddingRequest;
import io.switchboard.shared.embeddings.EmbeddingResponse;
import io.switchboard.shared.embeddings.EncodingFormat;
import io.switchboard.shared.json.EmbeddingJson;
import io.switchboard.shared.json.EmbeddingRequestReader;
import io.switchboard.core.resilience.Plan;
import io.switchboard.core.resilience.Resilience;
import java.time.Duration;
import java.util.Objects;

/**
 * {@code POST /v1/embeddings}, in the completion pipeline's named stages: {@link #admit} (key, content type, size, the
 * request and its cache directives), {@link #target} (model to provider), {@link #consultCache} (L1, L2, the stampede
 * lease), then {@link #replay} a cached answer or {@link #callProvider}, whose answer is stored and written in the
 * caller's {@code encoding_format}.
 *
 * <p>Embeddings are deterministic, so they are cached by default whatever the completion policy says
 * ({@code SWITCHBOARD_CACHE_POLICY} is for sampled completions); {@code SWITCHBOARD_CACHE=off} and
 * {@code Cache-Control: no-store} still turn caching off, {@code no-cache} refreshes, and the TTL, namespace and tag
 * headers apply as they do to completions. The entry is the answer with base64 vectors whatever the caller asked for
 * (compact, exact float32): a base64 request is answered with the stored bytes, a float request with the same vectors
 * written as numbers, so the two encodings share one entry.
 *
 * <p>Every response carries the completion route's headers ({@code x-request-id}, {@code x-switchboard-upstream-ms},
 * {@code x-switchboard-overhead-ms}, {@code x-switchboard-cache}, {@code x-switchboard-cache-key},
 * {@code x-switchboard-provider}). Unexpected failures are logged by class name only, never with a message, an input
 * or a key.
 */
public final class EmbeddingService {
    private final GatewayConfig config;
    private final Authenticator authenticator;
    private final ModelRouter router;
    private final ProviderRegistry registry;
    private final GatewayMetrics metrics;
    private final Ticker ticker;
    private final ResponseCache cache;
    private final CacheSettings cacheSettings;
    private final Resilience resilience;
    private final Governance governance;

    /**
     * A service over one environment's collaborators; {@code cache} is null when caching is off. Its breakers are
     * its own (not shared through L2) and retries wait in real time.
     */
    public EmbeddingService(GatewayConfig config, Authenticator authenticator, ModelRouter router,
            ProviderRegistry registry, GatewayMetrics metrics, Ticker ticker, ResponseCache cache,
            CacheSettings cacheSettings) {
        this(config, authenticator, router, registry, metrics, ticker, cache, cacheSettings,
                Resilience.local(config.resilience(), router::resolve, ticker, metrics), null);
    }

    /**
     * A service over one environment's collaborators, calling providers through {@code resilience}, governed by
     * {@code governance} (null: environment keys only).
     */
    public EmbeddingService(GatewayConfig config, Authenticator authenticator, ModelRouter router,
            ProviderRegistry registry, GatewayMetrics metrics, Ticker ticker, ResponseCache cache,
            CacheSettings cacheSettings, Resilience resilience, Governance governance) {
        this.resilience = Objects.requireNonNull(resilience, "resilience");
        this.governance = governance;
        this.config = Objects.requireNonNull(config, "config");
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.router = Objects.requireNonNull(router, "router");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.cache = cache;
        this.cacheSettings = Objects.requireNonNull(cacheSettings, "cacheSettings");
    }

    /** Serves one request into {@code sink}; never throws (a caller that went away ends it quietly). */
    public void serve(GatewayRequest request, ResponseSink sink, long startNanos) {
        serve(request, sink, startNanos, null);
    }

    /** Serves one request and answers it whole; never throws. */
    public GatewayResponse handle(GatewayRequest request, long startNanos) {
        BufferedResponse out = new BufferedResponse();
        serve(request, out, startNanos, null);
        return out.response();
    }

    /** Serves one request for an already known tenant (SnapStart priming, which holds no key); never throws. */
    public GatewayResponse handleAs(Tenant tenant, GatewayRequest request, long startNanos) {
        BufferedResponse out = new BufferedResponse();
        serve(request, out, startNanos, Objects.requireNonNull(tenant, "tenant"));
        return out.response();
    }

    /** A validated request of a known tenant, with its cache directives. */
    private record Admission(Tenant tenant, EmbeddingRequest embeddings, CacheDirectives directives, Grant grant) {
    }

    /** Where a request goes. */
    private record Target(ModelRoute route, ProviderConfig config, ChatProvider provider, Plan plan) {
    }

    /** What the cache said: the key (null: not cacheable), a stored answer, the stampede lease. */
    private record CacheLookup(CacheKey key, byte[] stored, ResponseCache.Lease lease) {
        static final CacheLookup NONE = new CacheLookup(null, null, null);
    }

    private void serve(GatewayRequest request, ResponseSink sink, long startNanos, Tenant known) {
        EmbeddingExchange x = new EmbeddingExchange(request, sink, startNanos, ticker);
        CacheLookup lookup = CacheLookup.NONE;
        Admission a = null;
        try {
            a = admit(request, known);
            if (a.grant() != null) {
                x.rateLimits(a.grant().headers());
                a.grant().check();
            }
            Target t = target(a.embeddings());
            x.provider(t.provider().name());
            x.trace(new CacheTrace());
            lookup = consultCache(a, t, x.trace(), lockDeadline(request, x));
            x.cacheKey(lookup.key());
            if (lookup.stored() != null) {
                replay(a.embeddings(), lookup.stored(), x);
            } else {
                callProvider(request, a, t, lookup.key(), x);
            }
        } catch (CallerGoneException e) {
            x.callerGone();
        } catch (GatewayException e) {
            fail(x, e, null);
        } catch (RuntimeException | Error e) {
            fail(x, GatewayException.of(ErrorKind.INTERNAL, "The gateway failed to serve the request."), e);
        } finally {
            if (lookup.lease() != null && lookup.lease().owned()) {
                cache.release(lookup.key(), lookup.lease(), x.trace());
            }
            if (a != null && a.grant() != null) {
                governance.settle(a.grant(), a.embeddings().model(),
                        io.switchboard.shared.chat.Usage.of(x.promptTokens(), 0));
            }
            metrics.request(x.outcome());
        }
    }

    /** Stage 1: who is asking, and is the request well-formed. */
    private Admission admit(GatewayRequest request, Tenant known) {
        Principal principal = known == null && governance != null
                ? governance.authenticate(request.header("authorization")) : null;
        Tenant tenant = known != null ? known : principal != null ? principal.tenant()
                : authenticator.authenticate(request.header("authorization"));
        RequestPolicy.checkContentType(request.header("content-type"));
        RequestPolicy.checkContentEncoding(request.header("content-encoding"));
        RequestPolicy.checkSize(request.body(), config.limits().maxRequestBytes());
        EmbeddingRequest embeddings = EmbeddingRequestReader.read(request.body());
        CacheDirectives directives = CacheDirectives.parse(request.header("cache-control"),
                request.header(CacheDirectives.TTL_HEADER), request.header(CacheDirectives.NAMESPACE_HEADER),
                request.header(CacheDirectives.TAGS_HEADER), cacheSettings.maxTtl());
        Grant grant = principal == null ? null : governance.admit(principal, embeddings.model(),
                (embeddings.input().json().toString().length() + 3) / 4);
        return new Admission(tenant, embeddings, directives, grant);
    }

    /** Stage 2: the model's provider. */
    private Target target(EmbeddingRequest embeddings) {
        ModelRoute route = router.resolve(embeddings.model());
        ProviderConfig providerConfig = config.providers().get(route.provider());
        return new Target(route, providerConfig, registry.get(providerConfig),
                resilience.plan(embeddings.model(), route));
    }

    /**
     * Stage 3: a stored answer, or the lease to produce one (waiting for another environment's if it has it). On by
     * default: only the cache switch and {@code no-store} turn it off.
     */
    private CacheLookup consultCache(Admission a, Target t, CacheTrace trace, long lockDeadline) {
        if (cache == null || !cache.cacheable(a.directives())) {
            return CacheLookup.NONE;
        }
        CacheKey key = new CacheKey(a.tenant().id(), a.directives().namespace(),
                CanonicalRequests.digest(t.route().provider(), t.route().providerModel(), a.embeddings()),
                t.route().provider(), t.route().providerModel());
        if (a.directives().noCache()) {
            trace.status(CacheStatus.REFRESH);
            return new CacheLookup(key, null, null);
        }
        byte[] stored = cache.lookup(key, trace);
        if (stored != null) {
            return new CacheLookup(key, stored, null);
        }
        ResponseCache.Lease lease = cache.acquire(key, trace, lockDeadline);
        if (lease.value() == null) {
            trace.status(CacheStatus.MISS);
        }
        return new CacheLookup(key, lease.value(), lease);
    }

    /** The {@link Ticker} time by which every call and wait of the request must be over. */
    private static long deadline(GatewayRequest request, EmbeddingExchange x) {
        return request.remainingMillis() == Long.MAX_VALUE ? Long.MAX_VALUE
                : x.startNanos() + (request.remainingMillis() - RequestPolicy.DEADLINE_MARGIN_MILLIS) * 1_000_000L;
    }

    /** The latest a cache-lock wait may end: leaving {@link Resilience#MIN_ATTEMPT} for the provider's call. */
    private static long lockDeadline(GatewayRequest request, EmbeddingExchange x) {
        long d = deadline(request, x);
        return d == Long.MAX_VALUE ? d : d - Resilience.MIN_ATTEMPT.toNanos();
    }

    /** Stage 4a: a stored answer (base64 vectors), sent as it is or with its vectors written as numbers. */
    private void replay(EmbeddingRequest embeddings, byte[] stored, EmbeddingExchange x) {
        if (embeddings.format() == EncodingFormat.BASE64) {
            x.sendJson(checkSize(stored));
            return;
        }
        x.sendJson(write(EmbeddingJson.readResponse(stored, embeddings.model()), EncodingFormat.FLOAT));
    }

    /**
     * Stage 4b: the provider's answer through {@link Resilience} (retries, deployments, breakers and fallbacks, as for
     * chat; an embeddings answer is sent whole, so every failure may be retried within the deadline), stored (base64
     * form) when cacheable and not a fallback's, written in the caller's encoding.
     */
    private void callProvider(GatewayRequest request, Admission a, Target t, CacheKey key, EmbeddingExchange x) {
        EmbeddingRequest embeddings = a.embeddings();
        long deadline = deadline(request, x);
        EmbeddingResponse response = resilience.call(t.plan(), deadline, x, (d, cap) -> {
            ProviderConfig pc = config.providers().get(d.route().provider());
            long remaining = request.remainingMillis() == Long.MAX_VALUE ? Long.MAX_VALUE
                    : request.remainingMillis() - (ticker.read() - x.startNanos()) / 1_000_000L;
            Duration timeout = RequestPolicy.upstreamTimeout(pc.timeout(), config.limits().upstreamTimeout(),
                    remaining);
            if (cap != null && cap.compareTo(timeout) < 0) {
                timeout = cap;
            }
            EmbeddingCall call = new EmbeddingCall(embeddings, d.route().providerModel(), timeout,
                    request.requestId(), ticker);
            x.call(call);
            return registry.get(pc).embed(call);
        });
        if (x.fallbackModel() != null) {
            key = null; // another model's vectors are not this model's answer
        }
        x.tokens(response.promptTokens());
        byte[] stored = null;
        int limit = config.limits().maxResponseBytes();
        if (key != null && EmbeddingJson.minimumSize(response, EncodingFormat.BASE64) <= limit) {
            stored = EmbeddingJson.writeResponse(response, EncodingFormat.BASE64);
            if (stored.length <= limit) { // larger, no caller could ever be answered from it
                cache.store(key, a.directives(), stored, x.trace());
            } else {
                stored = null;
            }
        }
        EncodingFormat format = embeddings.format();
        x.sendJson(format == EncodingFormat.BASE64 && stored != null ? stored : write(response, format));
    }

    /** The answer in {@code format}, refused before it is written when it cannot fit the platform's limit. */
    private byte[] write(EmbeddingResponse response, EncodingFormat format) {
        if (EmbeddingJson.minimumSize(response, format) > config.limits().maxResponseBytes()) {
            throw tooLarge();
        }
        return checkSize(EmbeddingJson.writeResponse(response, format));
    }

    private byte[] checkSize(byte[] body) {
        if (body.length > config.limits().maxResponseBytes()) {
            throw tooLarge();
        }
        return body;
    }

    private GatewayException tooLarge() {
        return GatewayException.of(ErrorKind.RESPONSE_TOO_LARGE, "The embeddings are larger than the "
                + config.limits().maxResponseBytes() + " bytes the platform can return; ask for "
                + "'encoding_format': 'base64', fewer inputs or fewer dimensions.");
    }

    /** Answers {@code e} with its own status and OpenAI's error body. */
    private void fail(EmbeddingExchange x, GatewayException e, Throwable unexpected) {
        x.failed(e);
        if (e.status() >= 500) {
            log(x.request(), e.status(), e.code(), unexpected != null ? unexpected : e.getCause());
        }
        try {
            x.sendError(e);
        } catch (CallerGoneException gone) {
            x.callerGone();
        }
    }

    private static void log(GatewayRequest request, int status, String code, Throwable cause) {
        System.err.println("{\"level\":\"ERROR\",\"route\":\"embeddings\",\"requestId\":\""
                + safe(request.requestId()) + "\",\"status\":" + status + ",\"code\":\"" + code + "\",\"cause\":\""
                + (cause == null ? "" : cause.getClass().getName()) + "\"}");
    }

    private static String safe(String s) {
        return s == null ? "" : s.replaceAll("[^A-Za-z0-9_.:-]", "");
    }
}
