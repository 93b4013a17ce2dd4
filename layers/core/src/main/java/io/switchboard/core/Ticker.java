package io.switchboard.core;

/** A source of monotonic nanoseconds, injected so tests control time. */
@FunctionalInterface
public interface Ticker {
    /** Nanoseconds from an arbitrary origin. */
    long read();

    /** {@link System#nanoTime()}. */
    static Ticker system() {
        return System::nanoTime;
    }
}
