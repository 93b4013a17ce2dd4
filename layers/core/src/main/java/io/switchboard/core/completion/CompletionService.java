package io.switchboard.core.completion;

import com.fasterxml.jackson.databind.JsonNode;
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
import io.switchboard.core.config.StreamSettings;
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
import io.switchboard.core.provider.ModelRouter;
import io.switchboard.core.provider.ProviderCall;
import io.switchboard.core.provider.ProviderRegistry;
import io.switchboard.core.resilience.Plan;
import io.switchboard.core.resilience.Resilience;
import io.switchboard.core.stream.EventStreamWriter;
import io.switchboard.core.stream.StreamAssembler;
import io.switchboard.core.stream.StreamResult;
import io.switchboard.core.stream.StreamSink;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatRequest;
import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.config.Deployment;
import io.switchboard.shared.config.GatewayConfig;
import io.switchboard.shared.config.ModelRoute;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.json.ChatJson;
import io.switchboard.shared.json.ChatRequestReader;
import io.switchboard.shared.json.ChatResponseReader;
import java.time.Duration;
import java.util.Objects;

/**
 * {@code POST /v1/chat/completions}, in named stages: {@link #admit} (key, content type, size, the request and its
 * cache directives), {@link #target} (model to provider), {@link #consultCache} (L1, L2, the stampede lease), then
 * {@link #replay} a cached answer or {@link #callProvider}, whose events flow to the caller as they arrive (a stream)
 * or into the one answer they add up to (a whole completion), and into the cache when the answer is complete. Errors
 * before the caller's first byte get their own status and OpenAI error body; after it, an error event ends the
 * stream. The provider is called through {@link Resilience}: retries, deployments, breakers and fallbacks of the
 * model's group. Every response carries {@code x-switchboard-upstream-ms} and {@code x-switchboard-overhead-ms} (for a stream:
 * as of its first byte). Unexpected failures are logged by class name only, never with a message, prompt or key.
 */
public final class CompletionService {
    /** Time kept back from the invocation's remaining time so the gateway can still answer 504 itself. */
    static final long DEADLINE_MARGIN_MILLIS = RequestPolicy.DEADLINE_MARGIN_MILLIS;

    private final GatewayConfig config;
    private final Authenticator authenticator;
    private final ModelRouter router;
    private final ProviderRegistry registry;
    private final GatewayMetrics metrics;
    private final Ticker ticker;
    private final ResponseCache cache;
    private final CacheSettings cacheSettings;
    private final StreamSettings streamSettings;
    private final Resilience resilience;
    private final Governance governance;

    /**
     * A service over one environment's collaborators; {@code cache} is null when caching is off. Its breakers are
     * its own (not shared through L2) and retries wait in real time.
     */
    public CompletionService(GatewayConfig config, Authenticator authenticator, ModelRouter router,
            ProviderRegistry registry, GatewayMetrics metrics, Ticker ticker, ResponseCache cache,
            CacheSettings cacheSettings, StreamSettings streamSettings) {
        this(config, authenticator, router, registry, metrics, ticker, cache, cacheSettings, streamSettings,
                Resilience.local(config.resilience(), router::resolve, ticker, metrics), null);
    }

    /**
     * A service over one environment's collaborators, calling providers through {@code resilience}, governed by
     * {@code governance} (stored keys, limits, spend; null: environment keys only, through {@code authenticator}).
     */
    public CompletionService(GatewayConfig config, Authenticator authenticator, ModelRouter router,
            ProviderRegistry registry, GatewayMetrics metrics, Ticker ticker, ResponseCache cache,
            CacheSettings cacheSettings, StreamSettings streamSettings, Resilience resilience, Governance governance) {
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
        this.streamSettings = Objects.requireNonNull(streamSettings, "streamSettings");
    }

    /** Serves one request into {@code sink}; never throws (a caller that went away ends it quietly). */
    public void serve(GatewayRequest request, ResponseSink sink, long startNanos) {
        serve(request, sink, startNanos, null);
    }

    /** Serves one request and answers it whole (edges that cannot stream); never throws. */
    public GatewayResponse handle(GatewayRequest request, long startNanos) {
        BufferedResponse out = new BufferedResponse();
        serve(request, out, startNanos, null);
        return out.response();
    }

    /** Serves one request into {@code sink} for an already known tenant (SnapStart priming, which holds no key). */
    public void serveAs(Tenant tenant, GatewayRequest request, ResponseSink sink, long startNanos) {
        serve(request, sink, startNanos, Objects.requireNonNull(tenant, "tenant"));
    }

    /** Serves one request for an already known tenant (SnapStart priming, which holds no key); never throws. */
    public GatewayResponse handleAs(Tenant tenant, GatewayRequest request, long startNanos) {
        BufferedResponse out = new BufferedResponse();
        serve(request, out, startNanos, Objects.requireNonNull(tenant, "tenant"));
        return out.response();
    }

    /** A validated request of a known tenant, with its cache directives and its governance grant (or null). */
    private record Admission(Tenant tenant, ChatRequest chat, CacheDirectives directives, Grant grant) {
    }

    /** Where a request goes: the model's route (its cache identity) and its group's plan. */
    private record Target(ModelRoute route, ProviderConfig config, ChatProvider provider, Plan plan) {
    }

    /** One deployment's answer: the stream's result and, when kept, its assembly. */
    private record Answer(StreamResult result, StreamAssembler assembler) {
    }

    /** What the cache said: the key (null: not cacheable), a stored answer, the stampede lease. */
    private record CacheLookup(CacheKey key, byte[] stored, ResponseCache.Lease lease) {
        static final CacheLookup NONE = new CacheLookup(null, null, null);
    }

    private void serve(GatewayRequest request, ResponseSink sink, long startNanos, Tenant known) {
        Exchange x = new Exchange(request, sink, startNanos, ticker);
        CacheLookup lookup = CacheLookup.NONE;
        Admission a = null;
        try {
            a = admit(request, known);
            if (a.grant() != null) {
                x.rateLimits(a.grant().headers());
                a.grant().check();
            }
            Target t = target(a.chat());
            x.provider(t.provider().name());
            x.trace(new CacheTrace());
            lookup = consultCache(a, t, x.trace(), lockDeadline(request, x));
            x.cacheKey(lookup.key());
            if (lookup.stored() != null) {
                replay(a.chat(), lookup.stored(), x);
            } else {
                callProvider(request, a, t, lookup.key(), x);
            }
        } catch (CallerGoneException e) {
            x.callerGone();
        } catch (GatewayException e) {
            if (callerLeft(x)) {
                x.callerGone(); // the upstream was closed because the caller went away, not the other way round
            } else {
                fail(x, e, null);
            }
        } catch (RuntimeException | Error e) {
            if (callerLeft(x)) {
                x.callerGone();
            } else {
                fail(x, GatewayException.of(ErrorKind.INTERNAL, "The gateway failed to serve the request."), e);
            }
        } finally {
            if (lookup.lease() != null && lookup.lease().owned()) {
                cache.release(lookup.key(), lookup.lease(), x.trace());
            }
            if (a != null && a.grant() != null) {
                governance.settle(a.grant(), a.chat().model(), x.usage());
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
        ChatRequest chat = ChatRequestReader.read(request.body());
        CacheDirectives directives = CacheDirectives.parse(request.header("cache-control"),
                request.header(CacheDirectives.TTL_HEADER), request.header(CacheDirectives.NAMESPACE_HEADER),
                request.header(CacheDirectives.TAGS_HEADER), cacheSettings.maxTtl());
        Grant grant = principal == null ? null : governance.admit(principal, chat.model(), governance.estimate(chat));
        return new Admission(tenant, chat, directives, grant);
    }

    /** Stage 2: the model's provider, and the plan of its group (deployments, retries, fallbacks). */
    private Target target(ChatRequest chat) {
        ModelRoute route = router.resolve(chat.model());
        ProviderConfig providerConfig = config.providers().get(route.provider());
        return new Target(route, providerConfig, registry.get(providerConfig), resilience.plan(chat.model(), route));
    }

    /** Stage 3: a stored answer, or the lease to produce one (waiting for another environment's if it has it). */
    private CacheLookup consultCache(Admission a, Target t, CacheTrace trace, long lockDeadline) {
        if (cache == null || !cache.cacheable(a.chat(), a.directives())) {
            return CacheLookup.NONE;
        }
        CacheKey key = new CacheKey(a.tenant().id(), a.directives().namespace(),
                CanonicalRequests.digest(t.route().provider(), t.route().providerModel(), a.chat()),
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

    /** Stage 4a: a stored answer, whole or replayed as a stream. */
    private void replay(ChatRequest chat, byte[] stored, Exchange x) {
        if (!chat.stream()) {
            x.sendJson(stored);
            return;
        }
        EventStreamWriter writer = x.writer(includeUsage(chat), config.limits().maxResponseBytes());
        writer.completion(ChatResponseReader.read(stored));
        writer.done();
        x.streamEnded();
    }

    /**
     * Stage 4b: the provider's answer. A stream goes to the caller chunk by chunk (and, when cacheable, into an
     * assembler whose complete answer is stored); a whole answer is the assembly of the same events.
     */
    private void callProvider(GatewayRequest request, Admission a, Target t, CacheKey key, Exchange x) {
        ChatRequest chat = a.chat();
        long deadline = resilienceDeadline(request, x);
        if (!chat.stream()) {
            Answer answer = resilience.call(t.plan(), deadline, x, (d, cap) -> {
                ProviderCall call = call(request, chat, d, cap, x);
                StreamAssembler assembler = new StreamAssembler();
                return new Answer(provider(d).call(call, assembler), assembler);
            });
            ChatResponse response = answer.assembler().result();
            byte[] body = ChatJson.writeResponse(response);
            checkSize(body);
            x.tokens(answer.result().usage());
            if (key != null && x.fallbackModel() == null) {
                cache.store(key, a.directives(), body, x.trace());
            }
            x.sendJson(body);
            return;
        }
        EventStreamWriter writer = x.writer(includeUsage(chat), config.limits().maxResponseBytes());
        Answer answer = resilience.call(t.plan(), deadline, x, (d, cap) -> {
            ProviderCall call = call(request, chat, d, cap, x);
            call.streaming(streamSettings.idleTimeout(), deadline,
                    x.sink().streams() ? streamSettings.keepAlive() : null, writer);
            StreamAssembler assembler = key != null && x.fallbackModel() == null ? new StreamAssembler() : null;
            return new Answer(provider(d).call(call, assembler == null ? writer : StreamSink.tee(writer, assembler)),
                    assembler);
        });
        x.tokens(answer.result().usage());
        writer.done();
        x.streamEnded();
        ChatResponse complete = answer.assembler() == null ? null : answer.assembler().result();
        if (complete != null) {
            cache.store(key, a.directives(), ChatJson.writeResponse(complete), x.trace());
        }
    }

    /** One call to deployment {@code d}, allowed what is left of the invocation (and at most {@code cap}). */
    private ProviderCall call(GatewayRequest request, ChatRequest chat, Deployment d, Duration cap, Exchange x) {
        ProviderConfig pc = config.providers().get(d.route().provider());
        long remaining = request.remainingMillis() == Long.MAX_VALUE ? Long.MAX_VALUE
                : request.remainingMillis() - (ticker.read() - x.startNanos()) / 1_000_000L;
        Duration timeout = RequestPolicy.upstreamTimeout(pc.timeout(), config.limits().upstreamTimeout(), remaining);
        if (cap != null && cap.compareTo(timeout) < 0) {
            timeout = cap;
        }
        ProviderCall call = new ProviderCall(chat, d.route().providerModel(), timeout, request.requestId(), ticker);
        x.call(call);
        return call;
    }

    private ChatProvider provider(Deployment d) {
        return registry.get(config.providers().get(d.route().provider()));
    }

    /** The latest a cache-lock wait may end: leaving {@link Resilience#MIN_ATTEMPT} for the provider's call. */
    private static long lockDeadline(GatewayRequest request, Exchange x) {
        long d = resilienceDeadline(request, x);
        return d == Long.MAX_VALUE ? d : d - Resilience.MIN_ATTEMPT.toNanos();
    }

    /**
     * The {@link Ticker} time by which every call and wait of the request must be over, and a stream must end so the
     * gateway can still close it itself: the invocation's remaining time at arrival less the margin.
     */
    private static long resilienceDeadline(GatewayRequest request, Exchange x) {
        if (request.remainingMillis() == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        return x.startNanos() + (request.remainingMillis() - DEADLINE_MARGIN_MILLIS) * 1_000_000L;
    }

    private static boolean callerLeft(Exchange x) {
        EventStreamWriter writer = x.writerIfAny();
        return writer != null && writer.callerGone();
    }

    /** Answers {@code e}: its own status before the caller's first byte, an error event after it. */
    private void fail(Exchange x, GatewayException e, Throwable unexpected) {
        x.failed(e);
        if (e.status() >= 500) {
            log(x.request(), e.status(), e.code(), unexpected != null ? unexpected : e.getCause());
        }
        EventStreamWriter writer = x.writerIfAny();
        if (writer != null && writer.committed() && x.sink().streams()) {
            writer.fail(e);
            x.streamEnded();
            return;
        }
        try {
            x.sendError(e);
        } catch (CallerGoneException gone) {
            x.callerGone();
        }
    }

    private static boolean includeUsage(ChatRequest chat) {
        JsonNode options = chat.streamOptions();
        return options != null && options.path("include_usage").asBoolean(false);
    }

    private void checkSize(byte[] body) {
        if (body.length > config.limits().maxResponseBytes()) {
            throw GatewayException.of(ErrorKind.RESPONSE_TOO_LARGE, "The completion is larger than the "
                    + config.limits().maxResponseBytes() + " bytes the platform can return; ask for fewer "
                    + "tokens or choices.");
        }
    }

    /** Milliseconds with microsecond precision, as a header value. */
    static String millis(long nanos) {
        return RequestPolicy.millis(nanos);
    }

    private static void log(GatewayRequest request, int status, String code, Throwable cause) {
        System.err.println("{\"level\":\"ERROR\",\"requestId\":\"" + safe(request.requestId()) + "\",\"status\":"
                + status + ",\"code\":\"" + code + "\",\"cause\":\""
                + (cause == null ? "" : cause.getClass().getName()) + "\"}");
    }

    private static String safe(String s) {
        return s == null ? "" : s.replaceAll("[^A-Za-z0-9_.:-]", "");
    }
}
