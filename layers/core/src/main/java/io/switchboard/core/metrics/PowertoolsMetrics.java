package io.switchboard.core.metrics;

import static io.switchboard.core.metrics.MetricNames.*;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.switchboard.core.Ticker;
import io.switchboard.core.config.Settings;
import io.switchboard.shared.config.ModelRoute;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import software.amazon.lambda.powertools.metrics.model.DimensionSet;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

/**
 * Gateway metrics through Powertools for AWS Lambda (Java), functional API, no AspectJ, every document stamped with
 * the time of its first value ({@link EmfWriter}, {@link BatchedMetrics}). A request's metrics of dimension
 * {@code Service} are gathered per environment with the other per-request groups and written once per interval
 * ({@code SWITCHBOARD_METRICS_FLUSH_MS}); with an interval of zero each request is one EMF document:
 * {@code Requests}, {@code Status2xx|4xx|5xx}, {@code Latency}, {@code Overhead}, {@code UpstreamLatency},
 * {@code TokensIn}, {@code TokensOut}, the cache's {@code CacheHitL1}, {@code CacheHitL2}, {@code CacheMiss},
 * {@code CacheBypass}, {@code CacheRefresh}, {@code L2Latency}, {@code L2Errors}, {@code CacheBytesStored},
 * {@code CacheCompressionRatio}; for streams {@code Streams}, {@code TimeToFirstByte} (request start to the caller's
 * first byte), {@code FirstTokenOverhead} (the provider's first event to the caller's first byte),
 * {@code StreamDuration}, {@code StreamChunks}, {@code StreamsAborted} (caller went away), {@code StreamsTruncated}
 * (provider cut the stream short), {@code StreamKeepAlives}; for embeddings {@code EmbeddingRequests}; the exact
 * status, operation ({@code chat.completions}, {@code embeddings}), provider, model and error code go in as properties
 * for Logs Insights (batched: a failed request, status 400 and above, writes them as a JSON line of its own; a
 * successful one only its metrics). A request that called a provider adds a second document, {@code UpstreamRequests},
 * {@code UpstreamErrors} and {@code UpstreamLatency} with dimensions {@code Service}+{@code Provider} and
 * {@code Service}+{@code Provider}+{@code Model}: providers are configured (bounded), and the model is the provider's
 * model id only when the configuration routes a name to it, {@code other} otherwise (a caller may name any
 * {@code provider/model-id}: as a dimension that would be unbounded). JVM figures follow at most once a minute
 * ({@link JvmMetrics}). Resilience: {@code DeploymentLatency} and {@code DeploymentErrors} per call to a deployment,
 * {@code Retries} (dimension {@code Deployment}), {@code Fallbacks} (dimension {@code Reason}), {@code BreakerOpened},
 * {@code BreakerOpenedElsewhere}, {@code BreakerHalfOpen}, {@code BreakerClosed} (dimension {@code Deployment}:
 * configured, so bounded). One instance per execution environment (no shared singleton).
 */
public final class PowertoolsMetrics implements GatewayMetrics {
    private static final double NANOS_PER_MS = 1_000_000.0;
    /** The {@code Model} dimension of a model the configuration does not name. */
    public static final String OTHER_MODEL = "other";

    /** The batch key of the request metrics (dimension {@code Service}). */
    private static final List<String> SERVICE_GROUP = List.of("service");

    private final EmfWriter out;
    /** The request metrics' way into the batch (made once, not per request). */
    private final Sink toBatch;
    private final String functionName;
    private final Set<String> configuredModels;
    private final JvmMetrics jvm;
    private final BatchedMetrics batched;

    private PowertoolsMetrics(EmfWriter out, String functionName, Set<String> configuredModels, JvmMetrics jvm,
            BatchedMetrics batched) {
        this.out = out;
        DimensionSet service = DimensionSet.of("Service", out.service());
        this.toBatch = (name, value, unit, distribution) -> batched.add(SERVICE_GROUP, service, null, name, value,
                unit, distribution);
        this.functionName = functionName;
        this.configuredModels = configuredModels;
        this.jvm = jvm;
        this.batched = batched;
    }

    /** Metrics for one environment, stamped with the system clock. */
    public static PowertoolsMetrics create(Settings settings, Map<String, String> processEnv) {
        return create(settings, processEnv, InstantSource.system(), Ticker.system());
    }

    /**
     * Metrics for one environment: documents stamped by {@code clock}, JVM figures paced by {@code ticker}. Outside
     * Lambda, unless {@code AWS_EMF_ENVIRONMENT} says otherwise, EMF is pinned to its {@code Local} environment.
     */
    public static PowertoolsMetrics create(Settings settings, Map<String, String> processEnv, InstantSource clock,
            Ticker ticker) {
        EmfWriter w = EmfWriter.create(settings, processEnv, clock);
        Set<String> models = settings.config().models().values().stream().map(ModelRoute::providerModel)
                .collect(Collectors.toUnmodifiableSet());
        return new PowertoolsMetrics(w, settings.functionName(), models,
                new JvmMetrics(w, ticker, settings.functionName()),
                new BatchedMetrics(w, ticker, clock, settings.metricsFlushInterval().toNanos()));
    }

    @Override
    public void coldStart() {
        out.single(COLD_START, 1, MetricUnit.COUNT, DimensionSet.of("FunctionName", functionName));
    }

    @Override
    public void request(RequestOutcome o) {
        if (batched.immediate()) {
            out.document(metrics -> {
                fill(o, (name, value, unit, distribution) -> metrics.addMetric(name, value, unit));
                metrics.addMetadata("status", o.status());
                metrics.addMetadata("operation", o.operation().label());
                if (o.provider() != null) {
                    metrics.addMetadata("provider", o.provider());
                }
                if (o.model() != null) {
                    metrics.addMetadata("model", o.model());
                }
                if (o.errorCode() != null) {
                    metrics.addMetadata("errorCode", o.errorCode());
                }
            });
        } else {
            fill(o, toBatch);
            if (o.status() >= 400) {
                failed(o);
            }
        }
        if (o.provider() != null && o.upstreamNanos() > 0) {
            upstream(o);
        }
        batched.flushIfDue();
        jvm.maybeWrite();
    }

    /** Where {@link #fill} puts a request's metrics: one document now, or the batch. */
    @FunctionalInterface
    private interface Sink {
        /** {@code distribution}: a value whose every instance counts (latency, size), else a count to sum. */
        void add(String name, double value, MetricUnit unit, boolean distribution);
    }

    /** A request's metrics of dimension {@code Service}. */
    private static void fill(RequestOutcome o, Sink s) {
        s.add(REQUESTS, 1, MetricUnit.COUNT, false);
        s.add(o.status() < 400 ? STATUS_2XX : o.status() < 500 ? STATUS_4XX : STATUS_5XX, 1, MetricUnit.COUNT, false);
        if (o.status() == 429) {
            s.add(THROTTLED, 1, MetricUnit.COUNT, false);
        }
        s.add(LATENCY, o.latencyNanos() / NANOS_PER_MS, MetricUnit.MILLISECONDS, true);
        s.add(OVERHEAD, o.overheadNanos() / NANOS_PER_MS, MetricUnit.MILLISECONDS, true);
        if (o.upstreamNanos() > 0) {
            s.add(UPSTREAM_LATENCY, o.upstreamNanos() / NANOS_PER_MS, MetricUnit.MILLISECONDS, true);
        }
        if (o.tokensIn() > 0 || o.tokensOut() > 0) {
            s.add(TOKENS_IN, o.tokensIn(), MetricUnit.COUNT, false);
            s.add(TOKENS_OUT, o.tokensOut(), MetricUnit.COUNT, false);
        }
        if (o.cache() != null) {
            s.add(switch (o.cache()) {
                case "HIT-L1" -> CACHE_HIT_L1;
                case "HIT-L2" -> CACHE_HIT_L2;
                case "MISS" -> CACHE_MISS;
                case "REFRESH" -> CACHE_REFRESH;
                default -> CACHE_BYPASS;
            }, 1, MetricUnit.COUNT, false);
        }
        if (o.l2Nanos() > 0) {
            s.add(L2_LATENCY, o.l2Nanos() / NANOS_PER_MS, MetricUnit.MILLISECONDS, true);
        }
        if (o.l2Errors() > 0) {
            s.add(L2_ERRORS, o.l2Errors(), MetricUnit.COUNT, false);
        }
        if (o.bytesStored() > 0) {
            s.add(CACHE_BYTES_STORED, o.bytesStored(), MetricUnit.BYTES, true);
            if (o.bytesStoredEncoded() > 0) {
                s.add(CACHE_COMPRESSION_RATIO, (double) o.bytesStored() / o.bytesStoredEncoded(), MetricUnit.NONE,
                        true);
            }
        }
        StreamStats st = o.stream();
        if (st != null) {
            s.add(STREAMS, 1, MetricUnit.COUNT, false);
            if (st.timeToFirstByteNanos() >= 0) {
                s.add(TIME_TO_FIRST_BYTE, st.timeToFirstByteNanos() / NANOS_PER_MS, MetricUnit.MILLISECONDS, true);
                s.add(STREAM_DURATION, st.durationNanos() / NANOS_PER_MS, MetricUnit.MILLISECONDS, true);
            }
            if (st.upstreamToCallerNanos() >= 0) {
                s.add(FIRST_TOKEN_OVERHEAD, st.upstreamToCallerNanos() / NANOS_PER_MS, MetricUnit.MILLISECONDS, true);
            }
            s.add(STREAM_CHUNKS, st.chunks(), MetricUnit.COUNT, false);
            if (st.aborted()) {
                s.add(STREAMS_ABORTED, 1, MetricUnit.COUNT, false);
            }
            if (st.truncated()) {
                s.add(STREAMS_TRUNCATED, 1, MetricUnit.COUNT, false);
            }
            if (st.keepAlives() > 0) {
                s.add(STREAM_KEEP_ALIVES, st.keepAlives(), MetricUnit.COUNT, false);
            }
        }
        if (o.operation() == Operation.EMBEDDINGS) {
            s.add(EMBEDDING_REQUESTS, 1, MetricUnit.COUNT, false);
        }
    }

    /**
     * A failed request's line for Logs Insights (its metrics are batched): status, operation, provider, model and
     * error code, the properties the per-request document carries when nothing is batched. Never the prompt or a key.
     */
    private void failed(RequestOutcome o) {
        StringBuilder b = new StringBuilder(160).append("{\"level\":\"").append(o.status() >= 500 ? "WARN" : "INFO")
                .append("\",\"message\":\"request failed\",\"service\":");
        quote(b, out.service()).append(",\"status\":").append(o.status()).append(",\"operation\":");
        quote(b, o.operation().label());
        if (o.provider() != null) {
            quote(b.append(",\"provider\":"), o.provider());
        }
        if (o.model() != null) {
            quote(b.append(",\"model\":"), o.model());
        }
        if (o.errorCode() != null) {
            quote(b.append(",\"errorCode\":"), o.errorCode());
        }
        System.out.println(b.append('}'));
    }

    private static StringBuilder quote(StringBuilder b, String s) {
        b.append('"');
        JsonStringEncoder.getInstance().quoteAsString(s, b);
        return b.append('"');
    }

    /** Writes the batched documents now (before a checkpoint, on shutdown). */
    @Override
    public void flush() {
        batched.flush();
    }

    /** The per-provider document of a request that called {@code o.provider()} (batched). */
    private void upstream(RequestOutcome o) {
        String model = o.model() != null && configuredModels.contains(o.model()) ? o.model() : OTHER_MODEL;
        boolean failed = o.status() >= 500 || o.status() == 429;
        List<String> key = List.of("upstream", o.provider(), model);
        DimensionSet byProvider = DimensionSet.of("Service", out.service(), "Provider", o.provider());
        DimensionSet byModel = DimensionSet.of("Service", out.service(), "Provider", o.provider(), "Model", model);
        batched.add(key, byProvider, byModel, UPSTREAM_REQUESTS, 1, MetricUnit.COUNT, false);
        batched.add(key, byProvider, byModel, UPSTREAM_ERRORS, failed ? 1 : 0, MetricUnit.COUNT, false);
        batched.add(key, byProvider, byModel, UPSTREAM_LATENCY, o.upstreamNanos() / NANOS_PER_MS,
                MetricUnit.MILLISECONDS, true);
    }

    @Override
    public void built(String name, long nanos) {
        out.single(LAZY_INIT, nanos / NANOS_PER_MS, MetricUnit.MILLISECONDS, DimensionSet.of("Component", name));
    }

    @Override
    public void attempt(String deployment, long nanos, String errorCode) {
        List<String> key = List.of("deployment", deployment);
        DimensionSet d = DimensionSet.of("Deployment", deployment);
        batched.add(key, d, null, DEPLOYMENT_LATENCY, nanos / NANOS_PER_MS, MetricUnit.MILLISECONDS, true);
        if (errorCode != null) {
            batched.add(key, d, null, DEPLOYMENT_ERRORS, 1, MetricUnit.COUNT, false);
        }
    }

    @Override
    public void limiterUnavailable() {
        out.single(RATE_LIMITER_UNAVAILABLE, 1, MetricUnit.COUNT, DimensionSet.of("Service", out.service()));
    }

    @Override
    public void spendFlushFailed(int sums) {
        out.single(SPEND_FLUSH_FAILED, sums, MetricUnit.COUNT, DimensionSet.of("Service", out.service()));
    }

    @Override
    public void spent(String tenant, long tokensIn, long tokensOut, double usd) {
        // tenants are the operator's (made through the admin API): a bounded dimension
        List<String> key = List.of("tenant", tenant);
        DimensionSet d = DimensionSet.of("Service", out.service(), "Tenant", tenant);
        batched.add(key, d, null, TENANT_TOKENS_IN, tokensIn, MetricUnit.COUNT, false);
        batched.add(key, d, null, TENANT_TOKENS_OUT, tokensOut, MetricUnit.COUNT, false);
        batched.add(key, d, null, TENANT_SPEND_USD, usd, MetricUnit.NONE, false);
    }

    @Override
    public void retry(String deployment, String errorCode) {
        out.single(RETRIES, 1, MetricUnit.COUNT, DimensionSet.of("Deployment", deployment));
    }

    @Override
    public void fallback(String from, String to, String reason) {
        out.single(FALLBACKS, 1, MetricUnit.COUNT, DimensionSet.of("Reason", reason));
    }

    @Override
    public void breaker(String deployment, String from, String to, boolean remote) {
        String name = switch (to) {
            case "OPEN" -> remote ? BREAKER_OPENED_ELSEWHERE : BREAKER_OPENED;
            case "HALF_OPEN" -> BREAKER_HALF_OPEN;
            default -> BREAKER_CLOSED;
        };
        out.single(name, 1, MetricUnit.COUNT, DimensionSet.of("Deployment", deployment));
    }
}
