package io.switchboard.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The ticking watchdog of inline invocations, on a clock the test moves. */
class WatchdogTest {
    @Test
    void firesOnlyPastTheDeadline_once_andInterruptsTheCaller() {
        AtomicLong now = new AtomicLong();
        AtomicInteger answered = new AtomicInteger();
        try (Watchdog dog = new Watchdog("test-timeouts", now::get)) {
            Watchdog.Watch w = dog.watch(Duration.ofSeconds(3), answered::incrementAndGet);
            now.set(Duration.ofMillis(2_999).toNanos());
            dog.check();
            assertEquals(0, answered.get(), "not before the deadline");
            assertFalse(Thread.currentThread().isInterrupted());
            now.set(Duration.ofSeconds(3).toNanos());
            dog.check();
            dog.check();
            assertEquals(1, answered.get(), "once");
            assertTrue(Thread.interrupted(), "the caller is interrupted");
            assertFalse(w.finish(), "the invocation learns it timed out");
            w.awaitFired(); // returns at once: already fired
            dog.end(w);
        }
    }

    @Test
    void anInvocationThatFinishesInTime_isNeverFired() {
        AtomicLong now = new AtomicLong();
        AtomicInteger answered = new AtomicInteger();
        try (Watchdog dog = new Watchdog("test-timeouts", now::get)) {
            Watchdog.Watch w = dog.watch(Duration.ofSeconds(1), answered::incrementAndGet);
            assertTrue(w.finish());
            dog.end(w);
            now.set(Duration.ofSeconds(5).toNanos());
            dog.check();
            assertEquals(0, answered.get());
            assertFalse(Thread.interrupted());
        }
    }

    @Test
    void realClock_firesWithinATickOrTwo() throws Exception {
        try (Watchdog dog = new Watchdog("test-timeouts")) {
            long start = System.nanoTime();
            Watchdog.Watch w = dog.watch(Duration.ofMillis(100), () -> { });
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException expected) {
                // the watchdog's interrupt
            }
            long waitedMs = (System.nanoTime() - start) / 1_000_000;
            assertFalse(w.finish());
            w.awaitFired();
            dog.end(w);
            assertTrue(waitedMs >= 100 && waitedMs < 5_000, "fired after " + waitedMs + " ms");
        }
    }
}
