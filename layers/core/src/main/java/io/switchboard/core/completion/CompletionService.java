package io.switchboard.core.completion;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.Ticker;
import io.switchboard.core.auth.Tenant;
import io.switchboard.core.cache.CacheDirectives;
import io.switchboard.core.cache.CacheKey;
import io.switchboard.core.cache.CacheSettings;
import io.switchboard.core.cache.CacheStatus;
import io.switchboard.core.cache.CacheTrace;
import io.switchboard.core.cache.CanonicalRequests;
import io.switchboard.core.cache.ResponseCache;
import io.switchboard.core.cache.SseReplay;
import io.switchboard.core.cache.StreamAssembler;
import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.http.GatewayRequest;
import io.switchboard.core.http.GatewayResponse;
import io.switchboard.core.metrics.GatewayMetrics;
import io.switchboard.core.metrics.RequestOutcome;
import io.switchboard.core.provider.ChatProvider;
import io.switchboard.core.provider.ModelRouter;
import io.switchboard.core.provider.ProviderCall;
import io.switchboard.core.provider.ProviderRegistry;
import io.switchboard.core.provider.StreamResult;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatRequest;
import io.switchboard.shared.chat.ChatResponse;
import io.switchboard.shared.config.GatewayConfig;
import io.switchboard.shared.config.ModelRoute;
import io.switchboard.shared.config.ProviderConfig;
import io.switchboard.shared.json.ChatJson;
import io.switchboard.shared.json.ChatRequestReader;
import io.switchboard.shared.json.ChatResponseReader;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code POST /v1/chat/completions}: authenticate, check size and type, read and validate, route, answer from the
 * cache or call the provider (and cache its answer), write the completion (or its buffered event stream), and record
 * one {@link RequestOutcome}. Every response carries
 * {@code x-switchboard-upstream-ms} and {@code x-switchboard-overhead-ms}. Failures become OpenAI error bodies with
 * caller-safe messages; unexpected ones are logged by class name only, never with a message, prompt or key.
 */
public final class CompletionService {
    /** Time kept back from the invocation's remaining time so the gateway can still answer 504 itself. */
    static final long DEADLINE_MARGIN_MILLIS = 750;
    private static final String EVENT_STREAM = "text/event-stream; charset=utf-8";

    private final GatewayConfig config;
    private final Authenticator authenticator;
    private final ModelRouter router;
    private final ProviderRegistry registry;
    private final GatewayMetrics metrics;
    private final Ticker ticker;
    private final ResponseCache cache;
    private final CacheSettings cacheSettings;

    /** A service over one environment's collaborators; {@code cache} is null when caching is off. */
    public CompletionService(GatewayConfig config, Authenticator authenticator, ModelRouter router,
            ProviderRegistry registry, GatewayMetrics metrics, Ticker ticker, ResponseCache cache,
            CacheSettings cacheSettings) {
        this.cache = cache;
        this.cacheSettings = cacheSettings;
        this.config = config;
        this.authenticator = authenticator;
        this.router = router;
        this.registry = registry;
        this.metrics = metrics;
        this.ticker = ticker;
    }

    /** Serves one request; never throws. */
    public GatewayResponse handle(GatewayRequest request, long startNanos) {
        return serve(request, startNanos, null);
    }

    /** Serves one request for an already known tenant (SnapStart priming, which holds no key); never throws. */
    public GatewayResponse handleAs(Tenant tenant, GatewayRequest request, long startNanos) {
        return serve(request, startNanos, java.util.Objects.requireNonNull(tenant, "tenant"));
    }

    private GatewayResponse serve(GatewayRequest request, long startNanos, Tenant known) {
        ProviderCall call = null;
        String provider = null;
        int status;
        byte[] body;
        Map<String, String> headers = new HashMap<>(12);
        int tokensIn = 0;
        int tokensOut = 0;
        String errorCode = null;
        CacheTrace trace = null;
        CacheKey key = null;
        ResponseCache.Lease lease = null;
        try {
            Tenant tenant = known != null ? known : authenticator.authenticate(request.header("authorization"));
            checkContentType(request.header("content-type"));
            if (request.body().length > config.limits().maxRequestBytes()) {
                throw GatewayException.of(ErrorKind.PAYLOAD_TOO_LARGE, "The request body is over the limit of "
                        + config.limits().maxRequestBytes() + " bytes.");
            }
            ChatRequest chat = ChatRequestReader.read(request.body());
            CacheDirectives directives = CacheDirectives.parse(request.header("cache-control"),
                    request.header(CacheDirectives.TTL_HEADER), request.header(CacheDirectives.NAMESPACE_HEADER),
                    request.header(CacheDirectives.TAGS_HEADER), cacheSettings.maxTtl());
            ModelRoute route = router.resolve(chat.model());
            ProviderConfig providerConfig = config.providers().get(route.provider());
            ChatProvider p = registry.get(providerConfig);
            provider = p.name();
            trace = new CacheTrace();
            boolean cacheable = cache != null && cache.cacheable(chat, directives);
            byte[] cached = null;
            if (cacheable) {
                key = new CacheKey(tenant.id(), directives.namespace(),
                        CanonicalRequests.digest(route.provider(), route.providerModel(), chat), route.provider(),
                        route.providerModel());
                if (!directives.noCache()) {
                    cached = cache.lookup(key, trace);
                    if (cached == null) {
                        lease = cache.acquire(key, trace);
                        cached = lease.value();
                    }
                }
            }
            if (cached != null) {
                body = chat.stream() ? replay(cached, chat) : cached;
                headers.put("content-type", chat.stream() ? EVENT_STREAM : "application/json");
                if (chat.stream()) {
                    headers.put("cache-control", "no-cache");
                }
            } else {
                call = new ProviderCall(chat, route.providerModel(), timeout(providerConfig, request),
                        request.requestId(), ticker);
                byte[] completion;
                if (chat.stream()) {
                    SseBuffer sse = new SseBuffer();
                    StreamAssembler assembler = cacheable ? new StreamAssembler(sse) : null;
                    StreamResult result = p.stream(call, assembler != null ? assembler : sse);
                    body = sse.finish();
                    ChatResponse assembled = assembler == null ? null : assembler.result();
                    completion = assembled == null ? null : ChatJson.writeResponse(assembled);
                    tokensIn = result.usage().promptTokens();
                    tokensOut = result.usage().completionTokens();
                    headers.put("content-type", EVENT_STREAM);
                    headers.put("cache-control", "no-cache");
                } else {
                    ChatResponse response = p.chat(call);
                    body = ChatJson.writeResponse(response);
                    completion = body;
                    tokensIn = response.usage().promptTokens();
                    tokensOut = response.usage().completionTokens();
                    headers.put("content-type", "application/json");
                }
                checkSize(body);
                if (cacheable) {
                    if (completion != null) {
                        cache.store(key, directives, completion, trace);
                    }
                    trace.status(directives.noCache() ? CacheStatus.REFRESH : CacheStatus.MISS);
                }
            }
            checkSize(body);
            headers.put("x-switchboard-provider", provider);
            status = 200;
        } catch (GatewayException e) {
            status = e.status();
            errorCode = e.code();
            body = ChatJson.writeError(e);
            errorHeaders(e, headers);
            if (e.status() >= 500) {
                log(request, e.status(), e.code(), e.getCause());
            }
        } catch (RuntimeException | Error e) {
            GatewayException g = GatewayException.of(ErrorKind.INTERNAL, "The gateway failed to serve the request.");
            status = g.status();
            errorCode = g.code();
            body = ChatJson.writeError(g);
            errorHeaders(g, headers);
            log(request, status, g.code(), e);
        } finally {
            if (lease != null && lease.owned()) {
                cache.release(key, lease, trace);
            }
        }
        long upstream = call == null ? 0 : call.upstreamNanos();
        long total = ticker.read() - startNanos;
        headers.put("x-switchboard-upstream-ms", millis(upstream));
        headers.put("x-switchboard-overhead-ms", millis(Math.max(0, total - upstream)));
        if (trace != null) {
            headers.put("x-switchboard-cache", trace.status().header());
            if (key != null) {
                headers.put("x-switchboard-cache-key", key.header());
            }
        }
        if (request.requestId() != null) {
            headers.put("x-request-id", request.requestId());
        }
        metrics.request(trace == null
                ? new RequestOutcome(status, total, upstream, provider, call == null ? null : call.providerModel(),
                        tokensIn, tokensOut, errorCode)
                : new RequestOutcome(status, total, upstream, provider, call == null ? null : call.providerModel(),
                        tokensIn, tokensOut, errorCode, trace.status().header(), trace.l2Nanos(), trace.l2Errors(),
                        trace.bytesStored(), trace.bytesStoredEncoded()));
        return new GatewayResponse(status, headers, body);
    }

    private void checkSize(byte[] body) {
        if (body.length > config.limits().maxResponseBytes()) {
            throw GatewayException.of(ErrorKind.RESPONSE_TOO_LARGE, "The completion is larger than the "
                    + config.limits().maxResponseBytes() + " bytes the platform can return; ask for fewer "
                    + "tokens or choices.");
        }
    }

    private static byte[] replay(byte[] completionJson, ChatRequest chat) {
        SseBuffer sse = new SseBuffer();
        JsonNode options = chat.streamOptions();
        SseReplay.replay(ChatResponseReader.read(completionJson),
                options != null && options.path("include_usage").asBoolean(false), sse);
        return sse.finish();
    }

    private Duration timeout(ProviderConfig provider, GatewayRequest request) {
        long millis = Math.min(provider.timeout().toMillis(), config.limits().upstreamTimeout().toMillis());
        if (request.remainingMillis() != Long.MAX_VALUE) {
            long left = request.remainingMillis() - DEADLINE_MARGIN_MILLIS;
            if (left <= 0) {
                throw GatewayException.of(ErrorKind.UPSTREAM_TIMEOUT,
                        "The invocation has no time left to call the provider.");
            }
            millis = Math.min(millis, left);
        }
        return Duration.ofMillis(millis);
    }

    private static void checkContentType(String contentType) {
        if (contentType == null) {
            return;
        }
        String ct = contentType.toLowerCase(Locale.ROOT).strip();
        // JSON, plus the two types clients send JSON under by accident (curl -d's default, and text/plain).
        boolean json = ct.startsWith("application/json") || (ct.startsWith("application/") && ct.contains("+json"))
                || ct.startsWith("application/x-www-form-urlencoded") || ct.startsWith("text/plain") || ct.isEmpty();
        if (!json) {
            throw GatewayException.of(ErrorKind.UNSUPPORTED_MEDIA_TYPE,
                    "Send the request body as 'Content-Type: application/json'.");
        }
    }

    static void errorHeaders(GatewayException e, Map<String, String> headers) {
        headers.put("content-type", "application/json");
        if (e.retryAfterSeconds() >= 0) {
            headers.put("retry-after", Long.toString(e.retryAfterSeconds()));
        }
        if (e.kind() == ErrorKind.AUTHENTICATION) {
            headers.put("www-authenticate", "Bearer");
        }
    }

    /** Milliseconds with microsecond precision, as a header value. */
    static String millis(long nanos) {
        long micros = nanos / 1000;
        StringBuilder sb = new StringBuilder(12).append(micros / 1000).append('.');
        long frac = micros % 1000;
        if (frac < 100) {
            sb.append('0');
        }
        if (frac < 10) {
            sb.append('0');
        }
        return sb.append(frac).toString();
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
