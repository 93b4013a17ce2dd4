package io.switchboard.core.provider.mock;

import java.time.Duration;

/** Waits; injected so tests of simulated latency need not sleep. */
@FunctionalInterface
public interface Sleeper {
    /** Waits for {@code d}. */
    void sleep(Duration d) throws InterruptedException;

    /** {@link Thread#sleep(Duration)}. */
    static Sleeper system() {
        return d -> {
            if (!d.isZero()) {
                Thread.sleep(d);
            }
        };
    }
}
