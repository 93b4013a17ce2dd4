package io.switchboard.core.metrics;

import io.switchboard.core.Ticker;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.lambda.powertools.metrics.model.DimensionSet;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

/**
 * Per-request metrics gathered per execution environment ({@code Service}, {@code Provider}/{@code Model},
 * {@code Deployment}, {@code Tenant} groups) and written as one EMF document per dimension group once the oldest has
 * waited {@code interval} (zero: at every request's end), when a latency list reaches EMF's 100 values, before a
 * SnapStart checkpoint and on shutdown. Counts are summed; latencies keep every value (EMF's value arrays), so sums
 * and percentiles are what per-request documents would give. Each Powertools flush serializes a document with
 * Jackson: one per request and group cost most of the gateway's own CPU per request in JFR profiles of the local run,
 * hence the batching. A document is stamped with the wall-clock time of its first value, so its values are never
 * placed earlier than they happened nor more than {@code interval} later; a batch found stale when a value arrives
 * (the environment was frozen in between) is written first, so a batch never spans a freeze. Thread-safe; never
 * throws.
 */
final class BatchedMetrics {
    /** EMF's limit of values per metric in one document. */
    static final int MAX_VALUES = 100;

    private final EmfWriter out;
    private final Ticker ticker;
    private final InstantSource clock;
    private final long intervalNanos;
    private final Map<List<String>, Group> groups = new LinkedHashMap<>();
    private long firstNanos;
    private Instant firstAt;
    private boolean full;

    BatchedMetrics(EmfWriter out, Ticker ticker, InstantSource clock, long intervalNanos) {
        this.out = out;
        this.ticker = ticker;
        this.clock = clock;
        this.intervalNanos = intervalNanos;
    }

    /** True when nothing is held: every request's values are written at its end. */
    boolean immediate() {
        return intervalNanos <= 0;
    }

    /** One dimension group: its dimension sets and its metrics. */
    private static final class Group {
        final DimensionSet primary;
        final DimensionSet extra;
        final Map<String, Metric> metrics = new LinkedHashMap<>();

        Group(DimensionSet primary, DimensionSet extra) {
            this.primary = primary;
            this.extra = extra;
        }
    }

    /** A summed count or a list of values. */
    private static final class Metric {
        final MetricUnit unit;
        final boolean values;
        double sum;
        double[] list;
        int n; // values in list

        Metric(MetricUnit unit, boolean values) {
            this.unit = unit;
            this.values = values;
            this.list = values ? new double[8] : null;
        }
    }

    /**
     * Adds {@code value} of {@code name} to the group {@code key} (whose dimensions are {@code primary}, plus
     * {@code extra} when not null); {@code distribution}: keep the value (a latency), else sum it (a count).
     */
    void add(List<String> key, DimensionSet primary, DimensionSet extra, String name, double value,
            MetricUnit unit, boolean distribution) {
        Taken stale = null;
        long now = ticker.read();
        synchronized (this) {
            if (!groups.isEmpty() && intervalNanos > 0 && now - firstNanos >= intervalNanos) {
                stale = take();
            }
            if (groups.isEmpty()) {
                firstNanos = now;
                firstAt = clock.instant();
            }
            Group g = groups.computeIfAbsent(key, k -> new Group(primary, extra));
            Metric m = g.metrics.computeIfAbsent(name, k -> new Metric(unit, distribution));
            if (m.values) {
                if (m.n == m.list.length) {
                    m.list = Arrays.copyOf(m.list, m.n * 2);
                }
                m.list[m.n++] = value;
                full |= m.n >= MAX_VALUES;
            } else {
                m.sum += value;
            }
        }
        if (stale != null) {
            write(stale);
        }
    }

    /** What one flush writes: the groups and the time of their first value. */
    private record Taken(List<Group> groups, Instant at) {
    }

    /** Empties the batch (under the lock). */
    private Taken take() {
        Taken t = new Taken(new ArrayList<>(groups.values()), firstAt);
        groups.clear();
        full = false;
        return t;
    }

    /** Writes what was gathered if it is due (called at each request's end). */
    void flushIfDue() {
        boolean due;
        synchronized (this) {
            due = !groups.isEmpty() && (intervalNanos <= 0 || full || ticker.read() - firstNanos >= intervalNanos);
        }
        if (due) {
            flush();
        }
    }

    /** Writes everything gathered now. */
    void flush() {
        Taken taken;
        synchronized (this) {
            if (groups.isEmpty()) {
                return;
            }
            taken = take();
        }
        write(taken);
    }

    private void write(Taken taken) {
        for (Group g : taken.groups()) {
            out.separate(g.primary, taken.at(), m -> {
                if (g.extra != null) {
                    m.addDimension(g.extra);
                }
                g.metrics.forEach((name, metric) -> {
                    if (metric.values) {
                        for (int i = 0; i < metric.n; i++) {
                            m.addMetric(name, metric.list[i], metric.unit);
                        }
                    } else {
                        m.addMetric(name, metric.sum, metric.unit);
                    }
                });
            });
        }
    }
}
