package io.switchboard.core.governance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The spend buffer: when it writes, that it writes everything exactly once, and what a failing write keeps. */
class SpendRecorderTest {
    private static final LocalDate DAY = LocalDate.of(2026, 12, 7);
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Store store = new Store();

    @Test
    void batchesUntilTheOldestSumHasWaitedTheInterval() {
        SpendRecorder r = new SpendRecorder(store, 100, Duration.ofSeconds(1), now::get);
        for (int i = 0; i < 10; i++) {
            r.record(key("m"), cents(1));
            now.addAndGet(50_000_000L);
            assertEquals(0, r.flushIfDue());
        }
        assertEquals(0, store.writes, "no write before the interval: the invocations stay off DynamoDB");
        now.addAndGet(500_000_000L);
        assertTrue(r.due());
        r.flushIfDue();
        assertEquals(1, store.writes, "one write for ten requests of one key");
        assertEquals(new BigDecimal("0.10"), store.sums.get(key("m")).costUsd());
        assertEquals(10, store.sums.get(key("m")).requests());
        assertFalse(r.due(), "an empty buffer is never due");
        r.record(key("m"), cents(1));
        assertFalse(r.due(), "the interval restarts with the first sum after a write");
    }

    @Test
    void zeroIntervalWritesAtEveryInvocation() {
        SpendRecorder r = new SpendRecorder(store, 100, Duration.ZERO, now::get);
        r.record(key("m"), cents(1));
        r.flushIfDue();
        r.record(key("m"), cents(1));
        r.flushIfDue();
        assertEquals(2, store.writes);
    }

    @Test
    void halfFullBufferIsDueAtOnce() {
        SpendRecorder r = new SpendRecorder(store, 4, Duration.ofSeconds(60), now::get);
        r.record(key("a"), cents(1));
        assertFalse(r.due());
        r.record(key("b"), cents(1));
        assertTrue(r.due(), "many keys in one environment do not wait for the interval");
    }

    @Test
    void flushWritesEverythingNowAndAFailedWriteStaysForTheNext() {
        SpendRecorder r = new SpendRecorder(store, 100, Duration.ofSeconds(60), now::get);
        r.record(key("a"), cents(3));
        r.record(key("b"), cents(4));
        store.failing = true;
        assertEquals(2, r.flush());
        assertEquals(2, r.pending(), "nothing lost on a failed write");
        store.failing = false;
        assertEquals(0, r.flush());
        assertEquals(0, r.pending());
        assertEquals(new BigDecimal("0.03"), store.sums.get(key("a")).costUsd());
        assertEquals(new BigDecimal("0.04"), store.sums.get(key("b")).costUsd());
        assertEquals(0, r.flush(), "written once: a second flush has nothing to write");
        assertEquals(2, store.writes);
    }

    @Test
    void aFailedWriteIsRetriedASecondLater_notAtEveryInvocation() {
        SpendRecorder r = new SpendRecorder(store, 100, Duration.ZERO, now::get);
        r.record(key("m"), cents(1));
        store.failing = true;
        assertEquals(1, r.flushIfDue());
        for (int i = 0; i < 9; i++) {
            now.addAndGet(100_000_000L);
            r.record(key("m"), cents(1));
            assertEquals(0, r.flushIfDue(), "no write is tried within a second of the failure");
        }
        assertEquals(1, store.attempts, "one failed write, not one per invocation");
        now.addAndGet(100_000_000L);
        store.failing = false;
        assertEquals(0, r.flushIfDue());
        assertEquals(2, store.attempts);
        assertEquals(new BigDecimal("0.10"), store.sums.get(key("m")).costUsd(), "nothing lost, nothing doubled");
        r.record(key("m"), cents(1));
        r.flushIfDue();
        assertEquals(3, store.attempts, "once it succeeds, every invocation writes again");
        store.failing = true;
        r.record(key("m"), cents(1));
        assertEquals(1, r.flushIfDue());
        assertEquals(1, r.flush(), "flush() (before a checkpoint, at shutdown) does not wait");
        assertEquals(5, store.attempts);
        assertEquals(1, r.pending());
    }

    private static SpendKey key(String model) {
        return new SpendKey("acme", "key_1", model, DAY);
    }

    private static SpendTotals cents(int n) {
        return new SpendTotals(1, 10, 5, 0, new BigDecimal(n).movePointLeft(2));
    }

    private static final class Store implements UsageStore {
        final Map<SpendKey, SpendTotals> sums = new LinkedHashMap<>();
        int writes;
        int attempts;
        boolean failing;

        @Override
        public void add(SpendKey key, SpendTotals totals) {
            attempts++;
            if (failing) {
                throw new IllegalStateException("table unavailable");
            }
            writes++;
            sums.merge(key, totals, SpendTotals::plus);
        }

        @Override
        public List<UsageRow> read(String tenant, LocalDate from, LocalDate to) {
            return new ArrayList<>();
        }
    }
}
