package io.switchboard.bench.harness;

import java.util.ArrayList;
import java.util.List;

/**
 * The soak run's verdict on its samples: per metric a least-squares line over the second half of the run, its slope
 * per hour, the slope's standard error and the rise it fits over that half; a metric leaks when the slope is over its
 * limit, significant and rises past the noise floor ({@link Metric}).
 * Pure functions of the samples, so the judgement is tested apart from any process.
 */
final class SoakAnalysis {
    private SoakAnalysis() {
    }

    /**
     * A sampled metric and its leak limits. It fails when its least-squares slope over the second half is all of:
     * above {@code maxSlopePerHour} (the growth a leak is judged by); clearly not noise, more than
     * {@value #SIGNIFICANCE} standard errors above zero; and a rise over the half (slope × the half's length) above
     * {@code noiseFloor}, the most a flat process was seen to wander over such a window. The last two keep a short run,
     * where a few samples' scatter makes any per-hour slope large, from failing on noise: a long run is judged by the
     * slope, a short one only catches leaks fast enough to rise past the floor within half the run.
     *
     * @param name key in the samples and the results
     * @param unit what the values are in ({@code bytes}, {@code count})
     * @param maxSlopePerHour the largest growth per hour a flat process may show
     * @param noiseFloor the largest fitted rise over the analysed half that is taken for noise
     */
    record Metric(String name, String unit, double maxSlopePerHour, double noiseFloor) {
    }

    static final double MIB = 1024 * 1024;

    /**
     * The limits (docs/reliability.md, "Soak", says why these numbers): heap after a full GC 5 MiB/h, rise 2 MiB;
     * metaspace 2 MiB/h, 1 MiB; live threads 10/h, 4; open descriptors 20/h, 8, of which those that are not sockets
     * 10/h, 3; resident memory 64 MiB/h, 24 MiB.
     */
    static final List<Metric> METRICS = List.of(
            new Metric("heap_after_gc", "bytes", 5 * MIB, 2 * MIB),
            new Metric("metaspace", "bytes", 2 * MIB, 1 * MIB),
            new Metric("threads", "count", 10, 4),
            new Metric("fds", "count", 20, 8),
            new Metric("file_fds", "count", 10, 3),
            new Metric("rss", "bytes", 64 * MIB, 24 * MIB));

    /**
     * A least-squares line {@code y = intercept + slope * t}.
     *
     * @param n points
     * @param slopePerHour slope, per hour
     * @param intercept value at {@code t = 0}
     * @param slopeStdErrPerHour the slope's standard error, per hour (NaN below 3 points)
     * @param spanSeconds last minus first {@code t}
     */
    record Fit(int n, double slopePerHour, double intercept, double slopeStdErrPerHour, double spanSeconds) {
        /** The rise the slope gives over the points' span. */
        double rise() {
            return slopePerHour * spanSeconds / 3600.0;
        }
    }

    /** The least-squares line through {@code (t[i], y[i])}, {@code t} in seconds; needs two distinct times. */
    static Fit fit(double[] t, double[] y) {
        int n = t.length;
        if (n != y.length || n < 2) {
            throw new IllegalArgumentException("need at least two points, got " + n);
        }
        double mt = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mt += t[i];
            my += y[i];
        }
        mt /= n;
        my /= n;
        double stt = 0;
        double sty = 0;
        for (int i = 0; i < n; i++) {
            stt += (t[i] - mt) * (t[i] - mt);
            sty += (t[i] - mt) * (y[i] - my);
        }
        if (stt == 0) {
            throw new IllegalArgumentException("all points at one time");
        }
        double slope = sty / stt;
        double intercept = my - slope * mt;
        double se = Double.NaN;
        if (n > 2) {
            double ss = 0;
            for (int i = 0; i < n; i++) {
                double r = y[i] - (intercept + slope * t[i]);
                ss += r * r;
            }
            se = Math.sqrt(ss / (n - 2) / stt);
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : t) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return new Fit(n, slope * 3600, intercept, se * 3600, max - min);
    }

    /**
     * One metric's judgement.
     *
     * @param metric the metric and its limits
     * @param fit the line over the second half (null when fewer than {@link #MIN_POINTS} samples had it)
     * @param pass whether it stayed within the limits
     * @param reason why it failed, or null
     */
    record Judgement(Metric metric, Fit fit, boolean pass, String reason) {
    }

    /** Standard errors above zero a slope must be to count as growth rather than scatter. */
    static final double SIGNIFICANCE = 3;

    /** Fewest samples in the second half for a slope to be judged at all. */
    static final int MIN_POINTS = 3;

    /**
     * Judges {@code metric} on the samples at or after {@code fromSeconds} (the second half). A sample's value below 0
     * means it could not be read and is left out.
     */
    static Judgement judge(Metric metric, double[] t, double[] values, double fromSeconds) {
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < t.length; i++) {
            if (t[i] >= fromSeconds && values[i] >= 0) {
                pts.add(new double[] {t[i], values[i]});
            }
        }
        if (pts.size() < MIN_POINTS) {
            return new Judgement(metric, null, false, metric.name() + ": only " + pts.size()
                    + " samples in the second half (" + MIN_POINTS + " needed)");
        }
        double[] tt = pts.stream().mapToDouble(p -> p[0]).toArray();
        double[] yy = pts.stream().mapToDouble(p -> p[1]).toArray();
        Fit f = fit(tt, yy);
        boolean significant = !(f.slopePerHour() <= SIGNIFICANCE * f.slopeStdErrPerHour()); // NaN (3 points): yes
        boolean leak = f.slopePerHour() > metric.maxSlopePerHour() && significant && f.rise() > metric.noiseFloor();
        return new Judgement(metric, f, !leak, leak ? Harness.fmt("%s grows %s/h (limit %s/h, standard error %s/h), "
                + "%s over the second half (noise floor %s)", metric.name(), show(metric, f.slopePerHour()),
                show(metric, metric.maxSlopePerHour()), show(metric, f.slopeStdErrPerHour()), show(metric, f.rise()),
                show(metric, metric.noiseFloor())) : null);
    }

    /** {@code v} in the metric's display unit (MiB for bytes). */
    static String show(Metric m, double v) {
        return m.unit().equals("bytes") ? Harness.fmt("%.2f MiB", v / MIB) : Harness.fmt("%.1f", v);
    }
}
