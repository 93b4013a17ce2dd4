package io.switchboard.core.governance;

import io.switchboard.core.Ticker;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Spend recorded off the caller's critical path: {@link #record} only adds to this environment's buffer (per
 * tenant, key, model and day); {@link #flushIfDue} (called as each invocation ends, after the response has been
 * written) writes each buffered sum to the {@link UsageStore} with one atomic {@code ADD} once the oldest sum has
 * waited {@code interval} (zero: at every invocation's end) or the buffer is half full; {@link #flush} writes
 * everything now (before a SnapStart checkpoint, so no snapshot holds spend that every restored copy would write
 * again, and on shutdown). Batching keeps one busy key from making its usage item a hot partition (one write per
 * environment per interval instead of one per request) and keeps the write off most invocations. A sum whose write
 * fails stays buffered and is retried at the next flush, but {@link #flushIfDue} waits {@link #RETRY_AFTER} after a
 * failed write (an unreachable table then costs one write timeout per second per environment, not one per
 * invocation); the buffer holds at most {@code maxEntries} sums (older ones are dropped and counted, never blocking a
 * request).
 */
public final class SpendRecorder {
    /** How long {@link #flushIfDue} leaves the store alone after a write failed. */
    public static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final UsageStore store;
    private final int maxEntries;
    private final long intervalNanos;
    private final Ticker ticker;
    private final Map<SpendKey, SpendTotals> buffer = new LinkedHashMap<>();
    private long oldestNanos;
    private long dropped;
    private long failedFlushes;
    private boolean failing;
    private long retryAt;

    /** A recorder writing to {@code store} once the oldest buffered sum has waited {@code interval}. */
    public SpendRecorder(UsageStore store, int maxEntries, Duration interval, Ticker ticker) {
        this.store = Objects.requireNonNull(store, "store");
        this.maxEntries = maxEntries;
        this.intervalNanos = interval.toNanos();
        this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    /** Adds {@code totals} to the buffer. */
    public synchronized void record(SpendKey key, SpendTotals totals) {
        if (buffer.isEmpty()) {
            oldestNanos = ticker.read();
        }
        buffer.merge(key, totals, SpendTotals::plus);
        while (buffer.size() > maxEntries) {
            SpendKey oldest = buffer.keySet().iterator().next();
            buffer.remove(oldest);
            dropped++;
        }
    }

    /** Whether {@link #flushIfDue} would write now. */
    public synchronized boolean due() {
        long now = ticker.read();
        return !buffer.isEmpty() && (!failing || now - retryAt >= 0)
                && (intervalNanos <= 0 || now - oldestNanos >= intervalNanos || buffer.size() * 2 >= maxEntries);
    }

    /** Writes the buffer if it is {@link #due}; returns how many sums failed (kept for the next flush). */
    public int flushIfDue() {
        return due() ? flush() : 0;
    }

    /** Writes every buffered sum now; returns how many failed (kept for the next flush). Never throws. */
    public int flush() {
        Map<SpendKey, SpendTotals> taken;
        synchronized (this) {
            if (buffer.isEmpty()) {
                return 0;
            }
            taken = new LinkedHashMap<>(buffer);
            buffer.clear();
        }
        int failed = 0;
        for (Map.Entry<SpendKey, SpendTotals> e : taken.entrySet()) {
            try {
                store.add(e.getKey(), e.getValue());
            } catch (RuntimeException ex) {
                failed++;
                record(e.getKey(), e.getValue());
            }
        }
        synchronized (this) {
            failing = failed > 0;
            if (failing) {
                failedFlushes++;
                retryAt = ticker.read() + RETRY_AFTER.toNanos();
            }
        }
        return failed;
    }

    /** Sums waiting to be written. */
    public synchronized int pending() {
        return buffer.size();
    }

    /** Sums dropped because the buffer was full. */
    public synchronized long dropped() {
        return dropped;
    }
}
