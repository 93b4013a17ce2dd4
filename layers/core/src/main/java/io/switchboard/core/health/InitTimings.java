package io.switchboard.core.health;

import io.switchboard.core.Lazy;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How long each lazily built component of this environment took to build (the last build of each), in build order,
 * passing every build on to another listener (the metrics).
 */
public final class InitTimings implements Lazy.Listener {
    private final Lazy.Listener next;
    private final Map<String, Long> nanos = new LinkedHashMap<>();

    /** Timings that also tell {@code next} (may be null). */
    public InitTimings(Lazy.Listener next) {
        this.next = next;
    }

    @Override
    public void built(String name, long buildNanos) {
        synchronized (this) {
            nanos.put(name, buildNanos);
        }
        if (next != null) {
            next.built(name, buildNanos);
        }
    }

    /** Component name to build time in milliseconds, in the order they were first built. */
    public synchronized Map<String, Double> millis() {
        Map<String, Double> out = new LinkedHashMap<>();
        nanos.forEach((k, v) -> out.put(k, Math.round(v / 1_000.0) / 1_000.0));
        return out;
    }
}
