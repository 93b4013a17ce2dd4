package io.switchboard.core.resilience;

import io.switchboard.core.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Injected time: a {@link Ticker} and the {@link Waits} of retries. A wait returns at once and moves the ticker on
 * by its length (and is recorded). Real time flows too unless the clock is manual, which moves only when told.
 */
final class FakeTime implements Ticker, Waits {
    private final boolean manual;
    private final AtomicLong offset = new AtomicLong(1_000_000_000_000L);
    private final List<Duration> waits = new CopyOnWriteArrayList<>();

    private FakeTime(boolean manual) {
        this.manual = manual;
    }

    /** Real time plus every wait. */
    static FakeTime flowing() {
        return new FakeTime(false);
    }

    /** Only waits and {@link #advance} move it. */
    static FakeTime manual() {
        return new FakeTime(true);
    }

    @Override
    public long read() {
        return (manual ? 0 : System.nanoTime()) + offset.get();
    }

    @Override
    public void pause(Duration d) {
        waits.add(d);
        offset.addAndGet(d.toNanos());
    }

    void advance(Duration d) {
        offset.addAndGet(d.toNanos());
    }

    /** Every wait so far. */
    List<Duration> waits() {
        return List.copyOf(waits);
    }

    Duration waited() {
        return waits.stream().reduce(Duration.ZERO, Duration::plus);
    }
}
