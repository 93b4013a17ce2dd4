package io.switchboard.core.metrics;

import io.switchboard.core.config.EnvNames;
import io.switchboard.core.config.Settings;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import software.amazon.cloudwatchlogs.emf.config.EnvironmentConfigurationProvider;
import software.amazon.cloudwatchlogs.emf.environment.Environments;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.model.DimensionSet;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;
import software.amazon.lambda.powertools.metrics.provider.EmfMetricsProvider;

/**
 * One environment's EMF output through Powertools (functional API), every document stamped with the time it is
 * flushed. Powertools' logger keeps the timestamp of the context it was created with, and after a flush its next
 * context inherits it: left alone, each document would carry the time of the environment's first metric (after a
 * SnapStart restore, the snapshot's time, possibly days before). So each flush sets the timestamp from the injected
 * {@link InstantSource} first. Methods are synchronized: one Powertools context is not thread-safe. Never throws.
 */
public final class EmfWriter {
    private final Metrics metrics;
    /** The documents with other dimensions: an instance of their own, so no request's properties reach them. */
    private final Metrics side;
    private final String service;
    private final InstantSource clock;

    private EmfWriter(Metrics metrics, Metrics side, String service, InstantSource clock) {
        this.metrics = metrics;
        this.side = side;
        this.service = service;
        this.clock = clock;
    }

    /**
     * A writer for one environment, in {@code settings}' namespace with its {@code Service} dimension. Outside Lambda,
     * unless {@code AWS_EMF_ENVIRONMENT} says otherwise, EMF is pinned to its {@code Local} environment first: its
     * auto-detection would otherwise probe an instance-metadata address.
     */
    public static EmfWriter create(Settings settings, Map<String, String> processEnv, InstantSource clock) {
        if (!Settings.insideLambda(processEnv) && processEnv.get(EnvNames.EMF_ENVIRONMENT) == null) {
            EnvironmentConfigurationProvider.getConfig().setEnvironmentOverride(Environments.Local);
        }
        Metrics m = new EmfMetricsProvider().getMetricsInstance();
        m.setNamespace(settings.metricsNamespace());
        m.setDefaultDimensions(DimensionSet.of("Service", settings.service()));
        m.setRaiseOnEmptyMetrics(false);
        Metrics side = new EmfMetricsProvider().getMetricsInstance();
        side.setNamespace(settings.metricsNamespace());
        side.setRaiseOnEmptyMetrics(false);
        return new EmfWriter(m, side, settings.service(), Objects.requireNonNull(clock));
    }

    /** The {@code Service} dimension's value. */
    public String service() {
        return service;
    }

    /**
     * One document with the {@code Service} dimension: {@code fill} adds metrics and properties, then it is stamped
     * now and flushed.
     */
    public synchronized void document(Consumer<Metrics> fill) {
        safely(() -> {
            fill.accept(metrics);
            metrics.setTimestamp(clock.instant());
            metrics.flush();
        });
    }

    /**
     * One document of its own with exactly {@code dimensions} (not {@code Service}): {@code fill} adds the metrics.
     */
    public void separate(DimensionSet dimensions, Consumer<Metrics> fill) {
        separate(dimensions, clock.instant(), fill);
    }

    /**
     * One document of its own with exactly {@code dimensions}, stamped {@code at} (the time of its first value):
     * {@code fill} adds the metrics.
     */
    public synchronized void separate(DimensionSet dimensions, Instant at, Consumer<Metrics> fill) {
        safely(() -> {
            side.setDefaultDimensions(dimensions);
            fill.accept(side);
            side.setTimestamp(at);
            side.flush();
        });
    }


    /** One metric in a document of its own with exactly {@code dimensions}. */
    public void single(String name, double value, MetricUnit unit, DimensionSet dimensions) {
        separate(dimensions, m -> m.addMetric(name, value, unit));
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            // metrics must never fail a request
            System.err.println("{\"level\":\"WARN\",\"message\":\"metrics not written\",\"cause\":\""
                    + e.getClass().getName() + "\"}");
        }
    }
}
