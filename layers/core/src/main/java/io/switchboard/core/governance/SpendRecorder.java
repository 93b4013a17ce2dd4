package io.switchboard.core.governance;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Spend recorded off the caller's critical path: {@link #record} only adds to this environment's buffer (per
 * tenant, key, model and day); {@link #flush} writes each buffered sum to the {@link UsageStore} with one atomic
 * {@code ADD} and is called once per invocation, after the response has been written (the streaming edge: after the
 * last byte; the buffered edge: as the handler ends), so an environment is never frozen holding spend. A sum whose
 * write fails stays buffered and is retried at the next flush; the buffer holds at most {@code maxEntries} sums
 * (older ones are dropped and counted, never blocking a request).
 */
public final class SpendRecorder {
    private final UsageStore store;
    private final int maxEntries;
    private final Map<SpendKey, SpendTotals> buffer = new LinkedHashMap<>();
    private long dropped;
    private long failedFlushes;

    /** A recorder writing to {@code store}. */
    public SpendRecorder(UsageStore store, int maxEntries) {
        this.store = Objects.requireNonNull(store, "store");
        this.maxEntries = maxEntries;
    }

    /** Adds {@code totals} to the buffer. */
    public synchronized void record(SpendKey key, SpendTotals totals) {
        buffer.merge(key, totals, SpendTotals::plus);
        while (buffer.size() > maxEntries) {
            SpendKey oldest = buffer.keySet().iterator().next();
            buffer.remove(oldest);
            dropped++;
        }
    }

    /** Writes every buffered sum; returns how many failed (kept for the next flush). Never throws. */
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
        if (failed > 0) {
            synchronized (this) {
                failedFlushes++;
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
