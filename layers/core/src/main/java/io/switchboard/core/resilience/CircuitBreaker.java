package io.switchboard.core.resilience;

import io.switchboard.core.Ticker;
import io.switchboard.shared.config.BreakerPolicy;
import java.util.Objects;

/**
 * One deployment's circuit breaker in one execution environment: closed until {@code consecutiveFailures} in a row
 * or more than {@code failureRate} of the last {@code window} calls failed; then open for {@code cooldown}, during which the deployment
 * is skipped; then half-open, letting one probe through, whose success closes it and whose failure opens it again.
 * Another environment's trip (read from L2) opens it too, until the time that environment chose. Thread-safe; the
 * listener hears transitions outside the lock.
 */
public final class CircuitBreaker {
    /** A breaker's state. */
    public enum State {
        /** Calls go through. */
        CLOSED,
        /** Calls are refused until the cooldown ends. */
        OPEN,
        /** One probe call goes through. */
        HALF_OPEN
    }

    /** Hears a breaker change state. */
    @FunctionalInterface
    public interface Listener {
        /**
         * A transition.
         *
         * @param remote whether another environment's trip caused it
         * @param openForNanos for a transition to {@link State#OPEN}, how long it stays open
         */
        void transition(CircuitBreaker breaker, State from, State to, boolean remote, long openForNanos);
    }

    private final String id;
    private final BreakerPolicy policy;
    private final Ticker ticker;
    private final Listener listener;
    private final boolean[] window;
    private State state = State.CLOSED;
    private long openUntil;
    private boolean probing;
    private int consecutive;
    private int position;
    private int calls;
    private int failures;

    /** A closed breaker for deployment {@code id}. */
    public CircuitBreaker(String id, BreakerPolicy policy, Ticker ticker, Listener listener) {
        this.id = Objects.requireNonNull(id, "id");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.window = new boolean[policy.window()];
    }

    /** The deployment's id. */
    public String id() {
        return id;
    }

    /** Whether a call could go through now (no side effect). */
    public synchronized boolean available() {
        return switch (state) {
            case CLOSED -> true;
            case OPEN -> ticker.read() - openUntil >= 0;
            case HALF_OPEN -> !probing;
        };
    }

    /**
     * Asks to make one call: always granted when closed; when the cooldown of an open breaker has passed, the call
     * becomes the half-open probe. Every granted call ends in {@link #success}, {@link #failure} or {@link #release}.
     */
    public boolean tryAcquire() {
        synchronized (this) {
            if (state == State.CLOSED) {
                return true;
            }
            if (state == State.HALF_OPEN) {
                if (probing) {
                    return false;
                }
                probing = true;
                return true;
            }
            if (ticker.read() - openUntil < 0) {
                return false;
            }
            state = State.HALF_OPEN;
            probing = true;
        }
        listener.transition(this, State.OPEN, State.HALF_OPEN, false, 0);
        return true;
    }

    /** A granted call succeeded. */
    public void success() {
        synchronized (this) {
            if (state == State.CLOSED) {
                consecutive = 0;
                record(false);
                return;
            }
            if (state != State.HALF_OPEN) {
                return; // an older call ended after another environment's trip: the trip stands
            }
            state = State.CLOSED;
            probing = false;
            reset();
        }
        listener.transition(this, State.HALF_OPEN, State.CLOSED, false, 0);
    }

    /** A granted call failed in a way that counts against the deployment. */
    public void failure() {
        State from;
        long cooldown = policy.cooldown().toNanos();
        synchronized (this) {
            from = state;
            if (state == State.OPEN) {
                return;
            }
            if (state == State.CLOSED) {
                consecutive++;
                record(true);
                if (consecutive < policy.consecutiveFailures()
                        && (calls < policy.minCalls() || failures <= policy.failureRate() * calls)) {
                    return;
                }
            }
            state = State.OPEN;
            probing = false;
            openUntil = ticker.read() + cooldown;
            reset();
        }
        listener.transition(this, from, State.OPEN, false, cooldown);
    }

    /** A granted call ended in a way that says nothing about the deployment (the caller's error, the caller left). */
    public synchronized void release() {
        if (state == State.HALF_OPEN) {
            probing = false;
        }
    }

    /** Another environment opened this deployment's breaker for {@code remainingNanos} more. */
    public void openRemotely(long remainingNanos) {
        State from;
        synchronized (this) {
            long until = ticker.read() + remainingNanos;
            if (state == State.OPEN && until - openUntil <= 0) {
                return;
            }
            from = state;
            state = State.OPEN;
            probing = false;
            openUntil = until;
            reset();
        }
        if (from != State.OPEN) {
            listener.transition(this, from, State.OPEN, true, remainingNanos);
        }
    }

    /** The state, as last changed (an open breaker whose cooldown passed still says OPEN until it is asked). */
    public synchronized State state() {
        return state;
    }

    /** Nanoseconds until an open breaker lets a probe through (0 when it would now, or it is not open). */
    public synchronized long openForNanos() {
        return state == State.OPEN ? Math.max(0, openUntil - ticker.read()) : 0;
    }

    private void record(boolean failed) {
        if (calls == window.length) {
            if (window[position]) {
                failures--;
            }
        } else {
            calls++;
        }
        window[position] = failed;
        if (failed) {
            failures++;
        }
        position = (position + 1) % window.length;
    }

    private void reset() {
        consecutive = 0;
        calls = 0;
        failures = 0;
        position = 0;
        java.util.Arrays.fill(window, false);
    }
}
