package io.switchboard.core.metrics;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every CloudWatch metric name Switchboard emits, in one place: the code that writes metrics names them through these
 * constants (a test refuses a name written as a literal elsewhere), and the dashboard test checks the dashboard
 * against them — every metric a widget or alarm names is one of these, and every one of these is on the dashboard
 * unless it is listed in {@link #NOT_ON_DASHBOARD}. Adding a metric: a constant here, then a widget (or an entry in
 * {@link #NOT_ON_DASHBOARD}).
 */
public final class MetricNames {
    // --- per request (dimension Service) ---
    public static final String REQUESTS = "Requests";
    public static final String STATUS_2XX = "Status2xx";
    public static final String STATUS_4XX = "Status4xx";
    public static final String STATUS_5XX = "Status5xx";
    public static final String THROTTLED = "Throttled";
    public static final String LATENCY = "Latency";
    public static final String OVERHEAD = "Overhead";
    public static final String UPSTREAM_LATENCY = "UpstreamLatency";
    public static final String TOKENS_IN = "TokensIn";
    public static final String TOKENS_OUT = "TokensOut";
    public static final String EMBEDDING_REQUESTS = "EmbeddingRequests";
    // --- cache ---
    public static final String CACHE_HIT_L1 = "CacheHitL1";
    public static final String CACHE_HIT_L2 = "CacheHitL2";
    public static final String CACHE_MISS = "CacheMiss";
    public static final String CACHE_BYPASS = "CacheBypass";
    public static final String CACHE_REFRESH = "CacheRefresh";
    public static final String L2_LATENCY = "L2Latency";
    public static final String L2_ERRORS = "L2Errors";
    public static final String CACHE_BYTES_STORED = "CacheBytesStored";
    public static final String CACHE_COMPRESSION_RATIO = "CacheCompressionRatio";
    // --- streams ---
    public static final String STREAMS = "Streams";
    public static final String TIME_TO_FIRST_BYTE = "TimeToFirstByte";
    public static final String FIRST_TOKEN_OVERHEAD = "FirstTokenOverhead";
    public static final String STREAM_DURATION = "StreamDuration";
    public static final String STREAM_CHUNKS = "StreamChunks";
    public static final String STREAMS_ABORTED = "StreamsAborted";
    public static final String STREAMS_TRUNCATED = "StreamsTruncated";
    public static final String STREAM_KEEP_ALIVES = "StreamKeepAlives";
    // --- per provider (dimensions Service+Provider, and Service+Provider+Model for configured models) ---
    public static final String UPSTREAM_REQUESTS = "UpstreamRequests";
    public static final String UPSTREAM_ERRORS = "UpstreamErrors";
    // --- environment life cycle ---
    public static final String DEPLOYMENT_LATENCY = "DeploymentLatency";
    public static final String DEPLOYMENT_ERRORS = "DeploymentErrors";
    public static final String RETRIES = "Retries";
    public static final String FALLBACKS = "Fallbacks";
    public static final String BREAKER_OPENED = "BreakerOpened";
    public static final String BREAKER_OPENED_ELSEWHERE = "BreakerOpenedElsewhere";
    public static final String BREAKER_HALF_OPEN = "BreakerHalfOpen";
    public static final String BREAKER_CLOSED = "BreakerClosed";

    public static final String RATE_LIMITER_UNAVAILABLE = "RateLimiterUnavailable";
    public static final String SPEND_FLUSH_FAILED = "SpendFlushFailed";
    public static final String TENANT_TOKENS_IN = "TenantTokensIn";
    public static final String TENANT_TOKENS_OUT = "TenantTokensOut";
    public static final String TENANT_SPEND_USD = "TenantSpendUsd";

    public static final String COLD_START = "ColdStart";
    public static final String LAZY_INIT = "LazyInit";
    // --- JVM (dimensions Service+FunctionName), sampled at most once a minute per environment ---
    public static final String JVM_HEAP_AFTER_GC = "JvmHeapAfterGc";
    public static final String JVM_GC_PAUSE = "JvmGcPause";
    public static final String JVM_THREADS = "JvmThreads";
    // --- discovery and GET /v1/models ---
    public static final String DISCOVERY_RUNS = "DiscoveryRuns";
    public static final String DISCOVERY_FAILURES = "DiscoveryFailures";
    public static final String DISCOVERY_PROVIDER_FAILURES = "DiscoveryProviderFailures";
    public static final String DISCOVERY_DURATION = "DiscoveryDuration";
    public static final String CATALOG_CHANGES = "CatalogChanges";
    public static final String MODELS_REQUESTS = "ModelsRequests";
    public static final String MODELS_ERRORS = "ModelsErrors";
    public static final String MODELS_LATENCY = "ModelsLatency";
    // --- cache invalidation (the admin route, then the invalidation function) ---
    public static final String ADMIN_INVALIDATIONS = "AdminInvalidations";
    public static final String ADMIN_INVALIDATION_ERRORS = "AdminInvalidationErrors";
    public static final String INVALIDATION_EVENTS = "InvalidationEvents";
    public static final String INVALIDATION_DUPLICATES = "InvalidationDuplicates";
    public static final String INVALIDATION_ENTRIES_REMOVED = "InvalidationEntriesRemoved";
    public static final String INVALIDATION_DURATION = "InvalidationDuration";
    public static final String INVALIDATION_FAILURES = "InvalidationFailures";

    /** Emitted for Logs Insights and diagnosis, deliberately not drawn on the dashboard. */
    public static final Set<String> NOT_ON_DASHBOARD = Set.of(CACHE_COMPRESSION_RATIO, STREAM_KEEP_ALIVES,
            STREAM_CHUNKS, INVALIDATION_DUPLICATES, EMBEDDING_REQUESTS, CACHE_BYTES_STORED);

    private MetricNames() {
    }

    /** Every name above. */
    public static Set<String> all() {
        Set<String> out = new TreeSet<>();
        for (Field f : MetricNames.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                try {
                    out.add((String) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return out;
    }
}
