package io.switchboard.core.metrics;

import io.switchboard.core.Ticker;
import java.util.Objects;
import software.amazon.lambda.powertools.metrics.model.DimensionSet;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

/**
 * Writes {@link MetricNames#JVM_HEAP_AFTER_GC} (megabytes), {@link MetricNames#JVM_GC_PAUSE} (milliseconds since the
 * previous document) and {@link MetricNames#JVM_THREADS}, dimensions {@code Service} and {@code FunctionName}, at most
 * once per {@link #INTERVAL_NANOS} per environment: the first call of an environment writes, later calls only read
 * the ticker until the interval has passed (a sample reads a few management beans; see README "Operating
 * Switchboard" for its measured cost).
 */
public final class JvmMetrics {
    /** Least time between two JVM documents of one environment. */
    public static final long INTERVAL_NANOS = 60_000_000_000L;
    private static final double BYTES_PER_MB = 1024.0 * 1024.0;

    private final EmfWriter out;
    private final Ticker ticker;
    private final DimensionSet dimensions;
    private final JvmSampler sampler = new JvmSampler();
    private long next = Long.MIN_VALUE;
    private boolean first = true;

    /** JVM metrics of the function {@code functionName}, written through {@code out}. */
    public JvmMetrics(EmfWriter out, Ticker ticker, String functionName) {
        this.out = Objects.requireNonNull(out, "out");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.dimensions = DimensionSet.of("Service", out.service(), "FunctionName", functionName);
    }

    /** Writes a JVM document when one is due; returns whether it did. */
    public synchronized boolean maybeWrite() {
        long now = ticker.read();
        if (!first && now - next < 0) {
            return false;
        }
        first = false;
        next = now + INTERVAL_NANOS;
        JvmSampler.Sample s = sampler.sample();
        out.separate(dimensions, m -> {
            m.addMetric(MetricNames.JVM_HEAP_AFTER_GC, s.heapAfterGcBytes() / BYTES_PER_MB, MetricUnit.MEGABYTES);
            m.addMetric(MetricNames.JVM_GC_PAUSE, s.gcPauseMillis(), MetricUnit.MILLISECONDS);
            m.addMetric(MetricNames.JVM_THREADS, s.threads(), MetricUnit.COUNT);
        });
        return true;
    }
}
