package io.switchboard.core.invalidation.internal;

import io.switchboard.core.config.EnvNames;
import io.switchboard.core.config.Settings;
import io.switchboard.core.invalidation.InvalidationMetrics;
import io.switchboard.core.invalidation.InvalidationResult;
import java.util.Map;
import software.amazon.cloudwatchlogs.emf.config.EnvironmentConfigurationProvider;
import software.amazon.cloudwatchlogs.emf.environment.Environments;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.model.DimensionSet;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;
import software.amazon.lambda.powertools.metrics.provider.EmfMetricsProvider;

/**
 * Invalidation metrics as CloudWatch EMF (Powertools, functional API), dimension {@code Service}:
 * {@code InvalidationEvents}, {@code InvalidationDuplicates}, {@code InvalidationEntriesRemoved},
 * {@code InvalidationDuration}, {@code InvalidationFailures}; the detail-type and log sequence as properties.
 */
public final class PowertoolsInvalidationMetrics implements InvalidationMetrics {
    private final Metrics metrics;

    private PowertoolsInvalidationMetrics(Metrics metrics) {
        this.metrics = metrics;
    }

    /** Metrics for one environment (outside Lambda, EMF is pinned to {@code Local} as the gateway's are). */
    public static PowertoolsInvalidationMetrics create(Settings settings, Map<String, String> processEnv) {
        if (!Settings.insideLambda(processEnv) && processEnv.get(EnvNames.EMF_ENVIRONMENT) == null) {
            EnvironmentConfigurationProvider.getConfig().setEnvironmentOverride(Environments.Local);
        }
        Metrics m = new EmfMetricsProvider().getMetricsInstance();
        m.setNamespace(settings.metricsNamespace());
        m.setDefaultDimensions(DimensionSet.of("Service", settings.service()));
        m.setRaiseOnEmptyMetrics(false);
        return new PowertoolsInvalidationMetrics(m);
    }

    @Override
    public synchronized void processed(String detailType, InvalidationResult r) {
        safely(() -> {
            metrics.addMetric("InvalidationEvents", 1, MetricUnit.COUNT);
            metrics.addMetric("InvalidationDuplicates", r.duplicate() ? 1 : 0, MetricUnit.COUNT);
            metrics.addMetric("InvalidationEntriesRemoved", r.removed(), MetricUnit.COUNT);
            metrics.addMetric("InvalidationDuration", r.nanos() / 1e6, MetricUnit.MILLISECONDS);
            metrics.addMetadata("detailType", detailType);
            metrics.addMetadata("sequence", r.sequence());
            metrics.flush();
        });
    }

    @Override
    public synchronized void failed(String detailType, long nanos) {
        safely(() -> {
            metrics.addMetric("InvalidationFailures", 1, MetricUnit.COUNT);
            metrics.addMetric("InvalidationDuration", nanos / 1e6, MetricUnit.MILLISECONDS);
            metrics.addMetadata("detailType", detailType);
            metrics.flush();
        });
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            System.err.println("{\"level\":\"WARN\",\"message\":\"metrics not written\",\"cause\":\""
                    + e.getClass().getName() + "\"}");
        }
    }
}
