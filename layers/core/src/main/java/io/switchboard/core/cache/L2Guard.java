package io.switchboard.core.cache;

import io.switchboard.core.Ticker;
import java.time.Duration;

/**
 * Fail-open bookkeeping for L2: after {@code failuresToOpen} consecutive failures, L2 is skipped for {@code openFor}
 * (no request pays its timeout meanwhile); then one request tries it again, and success closes the guard. Used by
 * one environment; thread-safe all the same.
 */
public final class L2Guard {
    private final int failuresToOpen;
    private final long openForNanos;
    private final Ticker ticker;
    private int consecutiveFailures;
    private long openUntil;
    private boolean open;

    /** A guard opening after {@code failuresToOpen} failures for {@code openFor}. */
    public L2Guard(int failuresToOpen, Duration openFor, Ticker ticker) {
        this.failuresToOpen = failuresToOpen;
        this.openForNanos = openFor.toNanos();
        this.ticker = ticker;
    }

    /** Whether L2 may be used now. */
    public synchronized boolean allow() {
        return !open || ticker.read() - openUntil >= 0;
    }

    /** An L2 call succeeded. */
    public synchronized void success() {
        consecutiveFailures = 0;
        open = false;
    }

    /** An L2 call failed. */
    public synchronized void failure() {
        consecutiveFailures++;
        if (open || consecutiveFailures >= failuresToOpen) {
            open = true;
            openUntil = ticker.read() + openForNanos;
        }
    }

    /** Whether L2 is being skipped. */
    public synchronized boolean isOpen() {
        return open && ticker.read() - openUntil < 0;
    }
}
