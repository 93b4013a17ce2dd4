package io.switchboard.core.resilience;

import java.time.Duration;
import java.util.List;

/**
 * Circuit-breaker trips shared by every execution environment (kept in L2). Only trips are shared, each for its
 * cooldown; failures are counted by each environment on its own. Every method may throw when the store is
 * unreachable.
 */
public interface SharedBreakerState {
    /** For each id, in order, the milliseconds its breaker stays open, or a negative number if it is not; one round trip. */
    long[] openMillis(List<String> ids);

    /** Records that {@code id}'s breaker opened for {@code duration}. */
    void open(String id, Duration duration);
}
