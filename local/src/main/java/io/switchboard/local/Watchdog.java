package io.switchboard.local;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * The function timeout of invocations that run inline on their caller's thread: one daemon thread per function looks
 * at the invocations under watch every {@link #TICK} and fires those past their deadline (their {@code onTimeout},
 * then an interrupt of the caller). Watching costs a request a set insertion and removal and wakes no thread: a
 * {@code ScheduledThreadPoolExecutor} with a timer per invocation woke its thread twice per request (the new timer
 * became the queue's head, and its cancellation removed it), two context switches per request on a 2-CPU machine. A
 * timeout fires at most one tick late; Lambda's timeouts are whole seconds.
 */
final class Watchdog implements AutoCloseable {
    /** How often the watchdog looks. */
    static final Duration TICK = Duration.ofMillis(20);

    private final Set<Watch> watched = ConcurrentHashMap.newKeySet();
    private final LongSupplier nanoTime;
    private final Thread thread;
    private volatile boolean closed;

    /** One invocation under watch: whoever sets {@code finished} first decides whether it timed out. */
    static final class Watch {
        private final Thread caller;
        private final long deadlineNanos;
        private final Runnable onTimeout;
        private final AtomicBoolean finished = new AtomicBoolean();
        private final CountDownLatch fired = new CountDownLatch(1);

        private Watch(Thread caller, long deadlineNanos, Runnable onTimeout) {
            this.caller = caller;
            this.deadlineNanos = deadlineNanos;
            this.onTimeout = onTimeout;
        }

        /** Ends the watch: true if the invocation finished in time, false if the watchdog fired (or is firing). */
        boolean finish() {
            return finished.compareAndSet(false, true);
        }

        /**
         * After {@link #finish} returned false: waits until the watchdog has answered and interrupted the caller, then
         * clears that interrupt (it was this invocation's, not the caller's next one's).
         */
        void awaitFired() {
            while (true) {
                try {
                    fired.await();
                    break;
                } catch (InterruptedException e) {
                    // the watchdog's own interrupt: keep waiting for it to finish answering
                }
            }
            Thread.interrupted();
        }
    }

    Watchdog(String name) {
        this(name, System::nanoTime);
    }

    Watchdog(String name, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Watches the current thread's invocation for {@code limit}; end it with {@link #end}. */
    Watch watch(Duration limit, Runnable onTimeout) {
        Watch w = new Watch(Thread.currentThread(), nanoTime.getAsLong() + limit.toNanos(), onTimeout);
        watched.add(w);
        return w;
    }

    /** Stops watching {@code w}. */
    void end(Watch w) {
        watched.remove(w);
    }

    private void loop() {
        while (!closed) {
            try {
                Thread.sleep(TICK);
            } catch (InterruptedException e) {
                return;
            }
            check();
        }
    }

    /** Fires every watch past its deadline (the loop's step; tests call it directly). */
    void check() {
        long now = nanoTime.getAsLong();
        for (Watch w : watched) {
            if (now - w.deadlineNanos >= 0 && w.finish()) {
                watched.remove(w);
                try {
                    w.onTimeout.run();
                } finally {
                    w.caller.interrupt();
                    w.fired.countDown();
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
