package io.switchboard.core.metrics;

import static io.switchboard.core.metrics.MetricNames.ADMIN_INVALIDATIONS;
import static io.switchboard.core.metrics.MetricNames.ADMIN_INVALIDATION_ERRORS;
import static io.switchboard.core.metrics.MetricNames.CATALOG_CHANGES;
import static io.switchboard.core.metrics.MetricNames.COLD_START;
import static io.switchboard.core.metrics.MetricNames.DISCOVERY_DURATION;
import static io.switchboard.core.metrics.MetricNames.DISCOVERY_FAILURES;
import static io.switchboard.core.metrics.MetricNames.DISCOVERY_PROVIDER_FAILURES;
import static io.switchboard.core.metrics.MetricNames.DISCOVERY_RUNS;
import static io.switchboard.core.metrics.MetricNames.LAZY_INIT;
import static io.switchboard.core.metrics.MetricNames.MODELS_ERRORS;
import static io.switchboard.core.metrics.MetricNames.MODELS_LATENCY;
import static io.switchboard.core.metrics.MetricNames.MODELS_REQUESTS;

import io.switchboard.core.Lazy;
import io.switchboard.core.Ticker;
import io.switchboard.core.catalog.DiscoveryReport;
import io.switchboard.core.config.MetricsMode;
import io.switchboard.core.config.Settings;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.lambda.powertools.metrics.model.DimensionSet;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

/**
 * Metrics of the functions beside the gateway (discovery, {@code GET /v1/models}, {@code POST /v1/cache/invalidate}),
 * dimension {@code Service}:
 * {@code DiscoveryRuns}, {@code DiscoveryFailures} (runs that could not sync the catalog),
 * {@code DiscoveryProviderFailures} (providers that failed or timed out in a run), {@code DiscoveryDuration},
 * {@code CatalogChanges} (names added, removed or changed); {@code ModelsRequests}, {@code ModelsErrors} (5xx),
 * {@code ModelsLatency}; {@code AdminInvalidations}, {@code AdminInvalidationErrors} (5xx); and, as the gateway's, {@code ColdStart}, {@code LazyInit} and the JVM's figures. Documents
 * are stamped at their flush. Metrics off ({@code SWITCHBOARD_METRICS=off}) writes nothing.
 */
public final class FunctionMetrics implements Lazy.Listener {
    private static final double NANOS_PER_MS = 1_000_000.0;

    private final EmfWriter out;
    private final JvmMetrics jvm;
    private final String functionName;
    private final AtomicBoolean cold = new AtomicBoolean(true);

    private FunctionMetrics(EmfWriter out, JvmMetrics jvm, String functionName) {
        this.out = out;
        this.jvm = jvm;
        this.functionName = functionName;
    }

    /** Metrics that write nothing. */
    public static FunctionMetrics none() {
        return new FunctionMetrics(null, null, "none");
    }

    /** A checkpoint resource that makes the first invocation after a restore a cold start again. */
    public org.crac.Resource restoreHook() {
        return new org.crac.Resource() {
            @Override
            public void beforeCheckpoint(org.crac.Context<? extends org.crac.Resource> context) {
            }

            @Override
            public void afterRestore(org.crac.Context<? extends org.crac.Resource> context) {
                restored();
            }

            @Override
            public String toString() {
                return "re-arm cold start metric";
            }
        };
    }

    /** The metrics {@code settings} ask for (nothing when metrics are off), with system time. */
    public static FunctionMetrics create(Settings settings, Map<String, String> processEnv) {
        return create(settings, processEnv, InstantSource.system(), Ticker.system());
    }

    /** The metrics {@code settings} ask for, stamped by {@code clock}, JVM figures paced by {@code ticker}. */
    public static FunctionMetrics create(Settings settings, Map<String, String> processEnv, InstantSource clock,
            Ticker ticker) {
        if (settings.metrics() == MetricsMode.OFF) {
            return new FunctionMetrics(null, null, settings.functionName());
        }
        EmfWriter w = EmfWriter.create(settings, processEnv, clock);
        return new FunctionMetrics(w, new JvmMetrics(w, ticker, settings.functionName()), settings.functionName());
    }

    /** After a SnapStart restore: the next invocation is a cold start again. */
    public void restored() {
        cold.set(true);
    }

    /** Called at the start of each invocation: the first of an environment writes {@code ColdStart}. */
    public void invoked() {
        if (out != null && cold.compareAndSet(true, false)) {
            out.single(COLD_START, 1, MetricUnit.COUNT, DimensionSet.of("FunctionName", functionName));
        }
    }

    /** A discovery run that synced the catalog. */
    public void discovered(DiscoveryReport r) {
        if (out == null) {
            return;
        }
        out.document(m -> {
            m.addMetric(DISCOVERY_RUNS, 1, MetricUnit.COUNT);
            m.addMetric(DISCOVERY_FAILURES, 0, MetricUnit.COUNT);
            m.addMetric(DISCOVERY_PROVIDER_FAILURES, r.failedProviders().size(), MetricUnit.COUNT);
            m.addMetric(DISCOVERY_DURATION, r.wallNanos() / NANOS_PER_MS, MetricUnit.MILLISECONDS);
            m.addMetric(CATALOG_CHANGES, r.added().size() + r.removed().size() + r.changed().size(),
                    MetricUnit.COUNT);
            m.addMetadata("generation", r.generation());
            if (!r.failedProviders().isEmpty()) {
                m.addMetadata("failedProviders", String.join(",", r.failedProviders().keySet()));
            }
        });
        jvm.maybeWrite();
    }

    /** A discovery run that failed (the invocation fails; the platform retries). */
    public void discoveryFailed(long nanos, Throwable cause) {
        if (out == null) {
            return;
        }
        out.document(m -> {
            m.addMetric(DISCOVERY_RUNS, 1, MetricUnit.COUNT);
            m.addMetric(DISCOVERY_FAILURES, 1, MetricUnit.COUNT);
            m.addMetric(DISCOVERY_DURATION, nanos / NANOS_PER_MS, MetricUnit.MILLISECONDS);
            m.addMetadata("errorType", cause.getClass().getName());
        });
        jvm.maybeWrite();
    }

    /** One {@code GET /v1/models} request. */
    public void modelsRequest(int status, long nanos) {
        if (out == null) {
            return;
        }
        out.document(m -> {
            m.addMetric(MODELS_REQUESTS, 1, MetricUnit.COUNT);
            m.addMetric(MODELS_ERRORS, status >= 500 ? 1 : 0, MetricUnit.COUNT);
            m.addMetric(MODELS_LATENCY, nanos / NANOS_PER_MS, MetricUnit.MILLISECONDS);
            m.addMetadata("status", status);
        });
        jvm.maybeWrite();
    }

    /** One {@code POST /v1/cache/invalidate} request, answered with {@code status}. */
    public void adminInvalidation(int status) {
        if (out == null) {
            return;
        }
        out.document(m -> {
            m.addMetric(ADMIN_INVALIDATIONS, 1, MetricUnit.COUNT);
            m.addMetric(ADMIN_INVALIDATION_ERRORS, status >= 500 ? 1 : 0, MetricUnit.COUNT);
            m.addMetadata("status", status);
        });
        jvm.maybeWrite();
    }

    @Override
    public void built(String name, long nanos) {
        if (out != null) {
            out.single(LAZY_INIT, nanos / NANOS_PER_MS, MetricUnit.MILLISECONDS, DimensionSet.of("Component", name));
        }
    }
}
