package io.switchboard.core.invalidation.internal;

import static io.switchboard.core.metrics.MetricNames.INVALIDATION_DUPLICATES;
import static io.switchboard.core.metrics.MetricNames.INVALIDATION_DURATION;
import static io.switchboard.core.metrics.MetricNames.INVALIDATION_ENTRIES_REMOVED;
import static io.switchboard.core.metrics.MetricNames.INVALIDATION_EVENTS;
import static io.switchboard.core.metrics.MetricNames.INVALIDATION_FAILURES;

import io.switchboard.core.Ticker;
import io.switchboard.core.config.Settings;
import io.switchboard.core.invalidation.InvalidationMetrics;
import io.switchboard.core.invalidation.InvalidationResult;
import io.switchboard.core.metrics.EmfWriter;
import io.switchboard.core.metrics.JvmMetrics;
import java.time.InstantSource;
import java.util.Map;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

/**
 * Invalidation metrics as CloudWatch EMF (Powertools, functional API, each document stamped at its flush), dimension
 * {@code Service}: {@code InvalidationEvents}, {@code InvalidationDuplicates}, {@code InvalidationEntriesRemoved},
 * {@code InvalidationDuration}, {@code InvalidationFailures}; the detail-type and log sequence as properties; JVM
 * figures at most once a minute.
 */
public final class PowertoolsInvalidationMetrics implements InvalidationMetrics {
    private final EmfWriter out;
    private final JvmMetrics jvm;

    private PowertoolsInvalidationMetrics(EmfWriter out, JvmMetrics jvm) {
        this.out = out;
        this.jvm = jvm;
    }

    /** Metrics for one environment (outside Lambda, EMF is pinned to {@code Local} as the gateway's are). */
    public static PowertoolsInvalidationMetrics create(Settings settings, Map<String, String> processEnv) {
        EmfWriter w = EmfWriter.create(settings, processEnv, InstantSource.system());
        return new PowertoolsInvalidationMetrics(w, new JvmMetrics(w, Ticker.system(), settings.functionName()));
    }

    @Override
    public void processed(String detailType, InvalidationResult r) {
        out.document(metrics -> {
            metrics.addMetric(INVALIDATION_EVENTS, 1, MetricUnit.COUNT);
            metrics.addMetric(INVALIDATION_DUPLICATES, r.duplicate() ? 1 : 0, MetricUnit.COUNT);
            metrics.addMetric(INVALIDATION_ENTRIES_REMOVED, r.removed(), MetricUnit.COUNT);
            metrics.addMetric(INVALIDATION_DURATION, r.nanos() / 1e6, MetricUnit.MILLISECONDS);
            metrics.addMetadata("detailType", detailType);
            metrics.addMetadata("sequence", r.sequence());
        });
        jvm.maybeWrite();
    }

    @Override
    public void failed(String detailType, long nanos) {
        out.document(metrics -> {
            metrics.addMetric(INVALIDATION_FAILURES, 1, MetricUnit.COUNT);
            metrics.addMetric(INVALIDATION_DURATION, nanos / 1e6, MetricUnit.MILLISECONDS);
            metrics.addMetadata("detailType", detailType);
        });
        jvm.maybeWrite();
    }
}
