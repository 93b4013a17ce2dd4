package io.switchboard.core.stream;

import io.switchboard.core.Ticker;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Watches one streamed call from a virtual thread of its own, so the request thread can block on the provider's
 * body: closes the upstream body (which cancels the upstream request) when the provider is silent too long before
 * its first event or between two events, or when the invocation's deadline comes; and asks the caller's writer for a
 * keep-alive comment whenever the caller has received nothing for the keep-alive interval. Time spent writing to a
 * slow caller does not count as upstream silence. {@link #close()} ends the watch.
 */
public final class StreamWatch implements AutoCloseable {
    /** Why the watch closed the upstream. */
    public enum Expiry {
        /** No first event within the first-event timeout. */
        FIRST_EVENT,
        /** Silence between two events longer than the idle timeout. */
        IDLE,
        /** The invocation's deadline. */
        DEADLINE
    }

    /** The caller's side of the watch: when it last received something, and how to send it a keep-alive. */
    public interface Caller {
        /** {@link Ticker} time of the caller's last write. */
        long lastWriteNanos();

        /** Sends a keep-alive; false when the stream ended (the watch stops asking). */
        boolean keepAlive();
    }

    private static final long MIN_PARK = 1_000_000L;

    private final Ticker ticker;
    private final long firstEventNanos;
    private final long idleNanos;
    private final long deadline;
    private final long keepAliveNanos;
    private final Caller caller;
    private final long started;
    private volatile long lastEvent;
    private volatile boolean sawEvent;
    private volatile boolean busy;
    private volatile Closeable upstream;
    private volatile Expiry expired;
    private volatile boolean closed;
    private volatile Thread thread;

    private StreamWatch(Ticker ticker, Duration firstEvent, Duration idle, long deadline, Duration keepAlive,
            Caller caller) {
        this.ticker = ticker;
        this.firstEventNanos = firstEvent.toNanos();
        this.idleNanos = idle.toNanos();
        this.deadline = deadline;
        this.keepAliveNanos = keepAlive == null || keepAlive.isZero() || caller == null ? 0 : keepAlive.toNanos();
        this.caller = caller;
        this.started = ticker.read();
        this.lastEvent = started;
    }

    /**
     * Starts a watch.
     *
     * @param firstEvent longest wait for the provider's first event
     * @param idle longest silence between two events
     * @param deadline {@link Ticker} time by which the call must be over ({@link Long#MAX_VALUE}: none)
     * @param keepAlive keep-alive interval (null or zero: none)
     * @param caller the caller's writer (null: no keep-alives)
     */
    public static StreamWatch start(Ticker ticker, Duration firstEvent, Duration idle, long deadline,
            Duration keepAlive, Caller caller) {
        StreamWatch w = new StreamWatch(ticker, firstEvent, idle, deadline, keepAlive, caller);
        w.thread = Thread.ofVirtual().name("switchboard-stream-watch").start(w::run);
        return w;
    }

    /** The upstream body to close when the watch expires. */
    public void upstream(Closeable body) {
        this.upstream = body;
        if (expired != null || closed) {
            closeUpstream();
        }
    }

    /** An upstream event arrived. */
    public void event() {
        lastEvent = ticker.read();
        if (!sawEvent) {
            sawEvent = true;
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t); // from the first-event bound to the (possibly shorter) idle bound
            }
        }
    }

    /** The request thread is (or is no longer) writing to the caller; that time is not upstream silence. */
    public void busy(boolean writing) {
        if (!writing) {
            lastEvent = ticker.read();
        }
        busy = writing;
    }

    /** Why the watch closed the upstream, or null. */
    public Expiry expired() {
        return expired;
    }

    private void run() {
        long nextKeepAlive = keepAliveNanos > 0 ? started + keepAliveNanos : Long.MAX_VALUE;
        while (!closed) {
            long now = ticker.read();
            long limit = sawEvent ? lastEvent + idleNanos : started + firstEventNanos;
            if (!busy && now - limit >= 0) {
                expire(sawEvent ? Expiry.IDLE : Expiry.FIRST_EVENT);
                return;
            }
            if (deadline != Long.MAX_VALUE && now - deadline >= 0) {
                expire(Expiry.DEADLINE);
                return;
            }
            if (nextKeepAlive != Long.MAX_VALUE) {
                long due = Math.max(caller.lastWriteNanos() + keepAliveNanos, nextKeepAlive);
                if (now - due >= 0) {
                    try {
                        if (!caller.keepAlive()) {
                            nextKeepAlive = Long.MAX_VALUE;
                        } else {
                            nextKeepAlive = now + keepAliveNanos;
                        }
                    } catch (RuntimeException e) {
                        // the caller went away: stop the upstream too
                        closeUpstream();
                        return;
                    }
                    continue;
                }
            }
            long wake = limit;
            if (deadline != Long.MAX_VALUE && deadline - wake < 0) {
                wake = deadline;
            }
            if (nextKeepAlive != Long.MAX_VALUE) {
                long due = Math.max(caller.lastWriteNanos() + keepAliveNanos, nextKeepAlive);
                if (due - wake < 0) {
                    wake = due;
                }
            }
            LockSupport.parkNanos(this, Math.max(MIN_PARK, wake - now));
        }
    }

    private void expire(Expiry why) {
        expired = why;
        closeUpstream();
    }

    private void closeUpstream() {
        Closeable c = upstream;
        if (c != null) {
            try {
                c.close();
            } catch (IOException | RuntimeException ignored) {
                // closing is all we can do
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }
}
