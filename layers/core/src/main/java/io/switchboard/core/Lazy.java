package io.switchboard.core;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A value built on first use, once, thread-safely. A failed build is not remembered: the next {@link #get()} tries
 * again. It records how long the build took and can be {@link #reset()} so the next use builds afresh (closing the
 * old value when it is {@link AutoCloseable}). Uses a lock rather than {@code synchronized} so a virtual thread
 * waiting for the build does not pin its carrier.
 *
 * @param <T> the value's type
 */
public final class Lazy<T> implements Supplier<T> {

    /** Told of every successful build. */
    @FunctionalInterface
    public interface Listener {
        /** {@code name} was built in {@code nanos}. */
        void built(String name, long nanos);
    }

    private final String name;
    private final Supplier<? extends T> factory;
    private final Ticker ticker;
    private final Listener listener;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile T value;
    private volatile long buildNanos = -1;
    private volatile int failures;

    private Lazy(String name, Supplier<? extends T> factory, Ticker ticker, Listener listener) {
        this.name = Objects.requireNonNull(name, "name");
        this.factory = Objects.requireNonNull(factory, "factory");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.listener = listener;
    }

    /** A lazy value timed by the system ticker. */
    public static <T> Lazy<T> of(String name, Supplier<? extends T> factory) {
        return new Lazy<>(name, factory, Ticker.system(), null);
    }

    /** A lazy value timed by {@code ticker} that tells {@code listener} of each build. */
    public static <T> Lazy<T> of(String name, Supplier<? extends T> factory, Ticker ticker, Listener listener) {
        return new Lazy<>(name, factory, ticker, listener);
    }

    /** The value, building it if needed. A failure propagates and leaves the holder empty. */
    @Override
    public T get() {
        T v = value;
        if (v != null) {
            return v;
        }
        lock.lock();
        try {
            v = value;
            if (v == null) {
                long start = ticker.read();
                try {
                    v = Objects.requireNonNull(factory.get(), () -> "factory of " + name + " returned null");
                } catch (RuntimeException | Error e) {
                    failures++;
                    throw e;
                }
                long took = ticker.read() - start;
                buildNanos = took;
                value = v;
                if (listener != null) {
                    listener.built(name, took);
                }
            }
            return v;
        } finally {
            lock.unlock();
        }
    }

    /** The value if already built; never builds. */
    public Optional<T> peek() {
        return Optional.ofNullable(value);
    }

    /** Whether the value is built. */
    public boolean isBuilt() {
        return value != null;
    }

    /** How long the last successful build took. */
    public OptionalLong buildNanos() {
        long n = buildNanos;
        return n < 0 ? OptionalLong.empty() : OptionalLong.of(n);
    }

    /** How many builds failed. */
    public int failures() {
        return failures;
    }

    /** The name given at construction. */
    public String name() {
        return name;
    }

    /** Forgets the value (closing it when it is {@link AutoCloseable}); the next {@link #get()} builds again. */
    public void reset() {
        T old;
        lock.lock();
        try {
            old = value;
            value = null;
            buildNanos = -1;
        } finally {
            lock.unlock();
        }
        if (old instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing a discarded client is best effort
            }
        }
    }

    @Override
    public String toString() {
        return "Lazy[" + name + (value == null ? ", not built]" : ", built]");
    }
}
