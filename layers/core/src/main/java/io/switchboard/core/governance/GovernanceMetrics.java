package io.switchboard.core.governance;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Governance's own metrics, written as CloudWatch Embedded Metric Format lines (one line per event, dimension
 * {@code service}): {@code RateLimiterUnavailable} (a request admitted unchecked, fail-open, or refused, fail-closed,
 * because L2 could not be reached), {@code SpendFlushFailed} (sums kept for the next flush) and
 * {@code KeyStoreUnavailable}. Counted in memory too, for tests.
 */
public final class GovernanceMetrics {
    private final String namespace;
    private final String service;
    private final PrintStream out;
    private final AtomicLong limiterUnavailable = new AtomicLong();
    private final AtomicLong spendFlushFailed = new AtomicLong();

    /** Metrics in {@code namespace} for {@code service}, to {@code out} (null: counted only). */
    public GovernanceMetrics(String namespace, String service, PrintStream out) {
        this.namespace = namespace;
        this.service = service;
        this.out = out;
    }

    /** Counted only, written nowhere (tests, priming). */
    public static GovernanceMetrics counting() {
        return new GovernanceMetrics("Switchboard", "switchboard", null);
    }

    void limiterUnavailable() {
        limiterUnavailable.incrementAndGet();
        emit("RateLimiterUnavailable", 1);
    }

    void spendFlushFailed(int sums) {
        spendFlushFailed.addAndGet(sums);
        emit("SpendFlushFailed", sums);
    }

    /** Requests that met an unreachable L2. */
    public long limiterUnavailableCount() {
        return limiterUnavailable.get();
    }

    /** Sums whose write failed. */
    public long spendFlushFailedCount() {
        return spendFlushFailed.get();
    }

    private void emit(String metric, long value) {
        if (out == null) {
            return;
        }
        out.println("{\"_aws\":{\"Timestamp\":" + System.currentTimeMillis() + ",\"CloudWatchMetrics\":[{"
                + "\"Namespace\":\"" + namespace + "\",\"Dimensions\":[[\"service\"]],\"Metrics\":[{\"Name\":\""
                + metric + "\",\"Unit\":\"Count\"}]}]},\"service\":\"" + service + "\",\"" + metric + "\":" + value
                + "}");
    }
}
