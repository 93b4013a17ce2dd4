package io.switchboard.core.governance;

import java.time.LocalDate;
import java.util.List;

/** Where spend is kept: atomic additions per {@link SpendKey}, read back per tenant and day range. */
public interface UsageStore {
    /** Adds {@code totals} to {@code key}'s counters atomically. */
    void add(SpendKey key, SpendTotals totals);

    /** {@code tenant}'s counters from {@code from} to {@code to} (both included), per key, model and day. */
    List<UsageRow> read(String tenant, LocalDate from, LocalDate to);

    /**
     * One stored counter set.
     *
     * @param key what it counts
     * @param totals the counts
     */
    record UsageRow(SpendKey key, SpendTotals totals) {
    }
}
