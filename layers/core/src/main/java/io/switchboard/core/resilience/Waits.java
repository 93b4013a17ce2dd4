package io.switchboard.core.resilience;

import java.time.Duration;

/** How a retry waits (backoff, {@code Retry-After}); injected so tests move time instead of sleeping. */
@FunctionalInterface
public interface Waits {
    /** Waits for {@code d}. */
    void pause(Duration d) throws InterruptedException;

    /** {@link Thread#sleep(Duration)}. */
    static Waits system() {
        return d -> {
            if (!d.isZero() && !d.isNegative()) {
                Thread.sleep(d);
            }
        };
    }
}
