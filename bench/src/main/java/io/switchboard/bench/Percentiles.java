package io.switchboard.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * Order statistics of a sample of nanosecond durations.
 *
 * @param count samples
 * @param p50 median
 * @param p90 90th percentile
 * @param p99 99th percentile
 * @param p999 99.9th percentile
 * @param max largest
 * @param mean arithmetic mean
 */
public record Percentiles(int count, long p50, long p90, long p99, long p999, long max, double mean) {

    /** The statistics of {@code nanos} (copied, not modified). */
    public static Percentiles of(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        double sum = 0;
        for (long v : s) {
            sum += v;
        }
        return new Percentiles(s.length, at(s, 0.50), at(s, 0.90), at(s, 0.99), at(s, 0.999), s[s.length - 1],
                sum / s.length);
    }

    private static long at(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** A row in microseconds. */
    public String row(String name) {
        return String.format(Locale.ROOT, "%-34s n=%-6d p50=%8.1f p90=%8.1f p99=%8.1f p99.9=%8.1f max=%9.1f mean=%8.1f us",
                name, count, p50 / 1e3, p90 / 1e3, p99 / 1e3, p999 / 1e3, max / 1e3, mean / 1e3);
    }

    /** A JSON object in microseconds. */
    public String json() {
        return String.format(Locale.ROOT, "{\"n\":%d,\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,"
                + "\"p999_us\":%.1f,\"max_us\":%.1f,\"mean_us\":%.1f}", count, p50 / 1e3, p90 / 1e3, p99 / 1e3,
                p999 / 1e3, max / 1e3, mean / 1e3);
    }
}
