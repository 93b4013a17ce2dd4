package io.switchboard.core.metrics;

import io.switchboard.core.config.EnvNames;
import io.switchboard.core.config.Settings;
import java.util.Map;
import software.amazon.cloudwatchlogs.emf.config.EnvironmentConfigurationProvider;
import software.amazon.cloudwatchlogs.emf.environment.Environments;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.model.DimensionSet;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;
import software.amazon.lambda.powertools.metrics.provider.EmfMetricsProvider;

/**
 * Gateway metrics through Powertools for AWS Lambda (Java), functional API, no AspectJ. Each request is one EMF
 * document with dimension {@code Service}: {@code Requests}, {@code Status2xx|4xx|5xx}, {@code Latency},
 * {@code Overhead}, {@code UpstreamLatency}, {@code TokensIn}, {@code TokensOut}, the cache's {@code CacheHitL1},
 * {@code CacheHitL2}, {@code CacheMiss}, {@code CacheBypass}, {@code CacheRefresh}, {@code L2Latency},
 * {@code L2Errors}, {@code CacheBytesStored}, {@code CacheCompressionRatio}; for streams {@code Streams},
 * {@code TimeToFirstByte} (request start to the caller's first byte), {@code FirstTokenOverhead} (the provider's
 * first event to the caller's first byte), {@code StreamDuration}, {@code StreamChunks}, {@code StreamsAborted}
 * (caller went away), {@code StreamsTruncated} (provider cut the stream short), {@code StreamKeepAlives}; for
 * embeddings {@code EmbeddingRequests}; the exact status, operation ({@code chat.completions}, {@code embeddings}),
 * provider, model and error code go in as properties for Logs Insights. Resilience: {@code DeploymentLatency} and
 * {@code DeploymentErrors} per call to a deployment, {@code Retries} (dimension {@code Deployment}), {@code Fallbacks}
 * (dimension {@code Reason}), {@code BreakerOpened}, {@code BreakerOpenedElsewhere}, {@code BreakerHalfOpen},
 * {@code BreakerClosed} (dimension {@code Deployment}). One instance per execution environment (no shared singleton);
 * its methods are synchronized because one Powertools context is not thread-safe.
 */
public final class PowertoolsMetrics implements GatewayMetrics {
    private static final double NANOS_PER_MS = 1_000_000.0;

    private final Metrics metrics;
    private final String namespace;
    private final String functionName;

    private PowertoolsMetrics(Metrics metrics, String namespace, String functionName) {
        this.metrics = metrics;
        this.namespace = namespace;
        this.functionName = functionName;
    }

    /**
     * Metrics for one environment. Outside Lambda, unless {@code AWS_EMF_ENVIRONMENT} says otherwise, EMF is pinned
     * to its {@code Local} environment first: its auto-detection would otherwise probe an instance-metadata address.
     */
    public static PowertoolsMetrics create(Settings settings, Map<String, String> processEnv) {
        if (!Settings.insideLambda(processEnv) && processEnv.get(EnvNames.EMF_ENVIRONMENT) == null) {
            EnvironmentConfigurationProvider.getConfig().setEnvironmentOverride(Environments.Local);
        }
        Metrics m = new EmfMetricsProvider().getMetricsInstance();
        m.setNamespace(settings.metricsNamespace());
        m.setDefaultDimensions(DimensionSet.of("Service", settings.service()));
        m.setRaiseOnEmptyMetrics(false);
        return new PowertoolsMetrics(m, settings.metricsNamespace(), settings.functionName());
    }

    @Override
    public synchronized void coldStart() {
        safely(() -> metrics.flushSingleMetric("ColdStart", 1, MetricUnit.COUNT, namespace,
                DimensionSet.of("FunctionName", functionName)));
    }

    @Override
    public synchronized void request(RequestOutcome o) {
        safely(() -> {
            metrics.addMetric("Requests", 1, MetricUnit.COUNT);
            metrics.addMetric(o.status() < 400 ? "Status2xx" : o.status() < 500 ? "Status4xx" : "Status5xx", 1,
                    MetricUnit.COUNT);
            if (o.status() == 429) {
                metrics.addMetric("Throttled", 1, MetricUnit.COUNT);
            }
            metrics.addMetric("Latency", o.latencyNanos() / NANOS_PER_MS, MetricUnit.MILLISECONDS);
            metrics.addMetric("Overhead", o.overheadNanos() / NANOS_PER_MS, MetricUnit.MILLISECONDS);
            if (o.upstreamNanos() > 0) {
                metrics.addMetric("UpstreamLatency", o.upstreamNanos() / NANOS_PER_MS, MetricUnit.MILLISECONDS);
            }
            if (o.tokensIn() > 0 || o.tokensOut() > 0) {
                metrics.addMetric("TokensIn", o.tokensIn(), MetricUnit.COUNT);
                metrics.addMetric("TokensOut", o.tokensOut(), MetricUnit.COUNT);
            }
            if (o.cache() != null) {
                metrics.addMetric(switch (o.cache()) {
                    case "HIT-L1" -> "CacheHitL1";
                    case "HIT-L2" -> "CacheHitL2";
                    case "MISS" -> "CacheMiss";
                    case "REFRESH" -> "CacheRefresh";
                    default -> "CacheBypass";
                }, 1, MetricUnit.COUNT);
            }
            if (o.l2Nanos() > 0) {
                metrics.addMetric("L2Latency", o.l2Nanos() / NANOS_PER_MS, MetricUnit.MILLISECONDS);
            }
            if (o.l2Errors() > 0) {
                metrics.addMetric("L2Errors", o.l2Errors(), MetricUnit.COUNT);
            }
            if (o.bytesStored() > 0) {
                metrics.addMetric("CacheBytesStored", o.bytesStored(), MetricUnit.BYTES);
                if (o.bytesStoredEncoded() > 0) {
                    metrics.addMetric("CacheCompressionRatio", (double) o.bytesStored() / o.bytesStoredEncoded(),
                            MetricUnit.NONE);
                }
            }
            StreamStats st = o.stream();
            if (st != null) {
                metrics.addMetric("Streams", 1, MetricUnit.COUNT);
                if (st.timeToFirstByteNanos() >= 0) {
                    metrics.addMetric("TimeToFirstByte", st.timeToFirstByteNanos() / NANOS_PER_MS,
                            MetricUnit.MILLISECONDS);
                    metrics.addMetric("StreamDuration", st.durationNanos() / NANOS_PER_MS, MetricUnit.MILLISECONDS);
                }
                if (st.upstreamToCallerNanos() >= 0) {
                    metrics.addMetric("FirstTokenOverhead", st.upstreamToCallerNanos() / NANOS_PER_MS,
                            MetricUnit.MILLISECONDS);
                }
                metrics.addMetric("StreamChunks", st.chunks(), MetricUnit.COUNT);
                if (st.aborted()) {
                    metrics.addMetric("StreamsAborted", 1, MetricUnit.COUNT);
                }
                if (st.truncated()) {
                    metrics.addMetric("StreamsTruncated", 1, MetricUnit.COUNT);
                }
                if (st.keepAlives() > 0) {
                    metrics.addMetric("StreamKeepAlives", st.keepAlives(), MetricUnit.COUNT);
                }
            }
            if (o.operation() == Operation.EMBEDDINGS) {
                metrics.addMetric("EmbeddingRequests", 1, MetricUnit.COUNT);
            }
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
            metrics.flush();
        });
    }

    @Override
    public synchronized void built(String name, long nanos) {
        safely(() -> metrics.flushSingleMetric("LazyInit", nanos / NANOS_PER_MS, MetricUnit.MILLISECONDS, namespace,
                DimensionSet.of("Component", name)));
    }

    @Override
    public synchronized void attempt(String deployment, long nanos, String errorCode) {
        safely(() -> {
            DimensionSet d = DimensionSet.of("Deployment", deployment);
            metrics.flushSingleMetric("DeploymentLatency", nanos / NANOS_PER_MS, MetricUnit.MILLISECONDS, namespace,
                    d);
            if (errorCode != null) {
                metrics.flushSingleMetric("DeploymentErrors", 1, MetricUnit.COUNT, namespace, d);
            }
        });
    }

    @Override
    public synchronized void retry(String deployment, String errorCode) {
        safely(() -> metrics.flushSingleMetric("Retries", 1, MetricUnit.COUNT, namespace,
                DimensionSet.of("Deployment", deployment)));
    }

    @Override
    public synchronized void fallback(String from, String to, String reason) {
        safely(() -> metrics.flushSingleMetric("Fallbacks", 1, MetricUnit.COUNT, namespace,
                DimensionSet.of("Reason", reason)));
    }

    @Override
    public synchronized void breaker(String deployment, String from, String to, boolean remote) {
        safely(() -> metrics.flushSingleMetric("Breaker" + switch (to) {
            case "OPEN" -> remote ? "OpenedElsewhere" : "Opened";
            case "HALF_OPEN" -> "HalfOpen";
            default -> "Closed";
        }, 1, MetricUnit.COUNT, namespace, DimensionSet.of("Deployment", deployment)));
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            // metrics must never fail a request
            System.err.println("switchboard: metrics dropped: " + e.getClass().getName());
        }
    }
}
