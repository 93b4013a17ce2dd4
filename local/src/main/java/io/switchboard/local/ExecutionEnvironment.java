package io.switchboard.local;

import io.switchboard.core.snapstart.Checkpointable;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One emulated Lambda execution environment: one handler instance built on its first invocation (the init phase),
 * one invocation at a time (its {@link FunctionPool} hands it to one caller at a time). For handlers that support it
 * the init runs the SnapStart cycle (init, before-checkpoint, after-restore) unless
 * {@code SWITCHBOARD_LOCAL_SNAPSTART=off}; its init is then bounded as a SnapStart init is (the function timeout, at
 * least 130 s), since on AWS it happens when a version is published, not on a caller's request.
 *
 * <p>An invocation runs on the caller's own (virtual) thread — no hand-off to a thread of the environment's, which
 * is what a request would otherwise pay twice — and a watchdog bounds it: past the function timeout (or Lambda's
 * 10-second init limit) it runs the caller's {@code onTimeout} (which answers the client as Lambda would), interrupts
 * the invocation, and the invocation ends in {@link TimeoutException}; the environment is then discarded, as Lambda
 * discards an environment whose invocation timed out.
 */
final class ExecutionEnvironment {
    /** Lambda's limit on the init phase. */
    static final Duration INIT_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Lambda's limit on a SnapStart function's init (taken when a version is published, before-checkpoint hooks
     * included): the function timeout, but at least 130 s.
     */
    static final Duration SNAPSTART_INIT_MIN = Duration.ofSeconds(130);
    /** {@code off} skips the SnapStart cycle at init (to compare against a plain init). */
    static final String SNAPSTART_FLAG = "SWITCHBOARD_LOCAL_SNAPSTART";
    private static final AtomicInteger IDS = new AtomicInteger();
    /** One timer thread for every environment's watchdogs (a daemon: it never keeps the JVM alive). */
    private static final ScheduledExecutorService WATCHDOGS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "local-invocation-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final FunctionSpec spec;
    private final Map<String, String> env;
    private final int id = IDS.incrementAndGet();
    private final boolean snapStart;
    private HandlerInvoker invoker;
    private long initNanos = -1;

    ExecutionEnvironment(FunctionSpec spec, Map<String, String> env) {
        this.spec = spec;
        this.env = env;
        this.snapStart = !"off".equalsIgnoreCase(env.getOrDefault(SNAPSTART_FLAG, "on"));
    }

    /**
     * Runs one invocation. The first one runs the init phase before it (bounded by Lambda's 10-second init limit);
     * the invocation itself is bounded by the function timeout. Throws {@link TimeoutException} past either.
     */
    byte[] invoke(byte[] eventJson, String requestId) throws Exception {
        return invoke(eventJson, requestId, () -> { });
    }

    /** {@link #invoke(byte[], String)}, running {@code onTimeout} as soon as a limit passes. */
    byte[] invoke(byte[] eventJson, String requestId, Runnable onTimeout) throws Exception {
        init(onTimeout);
        return run(() -> {
            long deadline = System.nanoTime() + spec.timeout().toNanos();
            return invoker.invoke(eventJson, new LocalContext(requestId, spec, deadline));
        }, spec.timeout(), onTimeout);
    }

    /**
     * Runs one invocation of an HTTP application: the exchange goes to the application as Lambda Web Adapter passes
     * it (with the invocation's context), and its response streams straight to the caller. Bounded by the function
     * timeout like any invocation.
     */
    void serve(LocalExchange exchange, Runnable onTimeout) throws Exception {
        init(onTimeout);
        run(() -> {
            invoker.serve(exchange);
            return null;
        }, spec.timeout(), onTimeout);
    }

    private void init(Runnable onTimeout) throws Exception {
        if (invoker == null) {
            run(() -> {
                long start = System.nanoTime();
                invoker = HandlerInvoker.create(spec, env, ExecutionEnvironment.class.getClassLoader());
                if (snapStart && invoker.handler() instanceof Checkpointable c) {
                    // as SnapStart does: init, snapshot (before-checkpoint hooks), restore (after-restore hooks)
                    c.checkpointHooks().beforeCheckpoint();
                    c.checkpointHooks().afterRestore();
                }
                initNanos = System.nanoTime() - start;
                return null;
            }, snapStart ? (spec.timeout().compareTo(SNAPSTART_INIT_MIN) > 0 ? spec.timeout() : SNAPSTART_INIT_MIN)
                    : INIT_TIMEOUT, onTimeout);
        }
    }

    private static <T> T run(Callable<T> task, Duration limit, Runnable onTimeout) throws Exception {
        Thread caller = Thread.currentThread();
        AtomicBoolean finished = new AtomicBoolean();
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> watchdog = WATCHDOGS.schedule(() -> {
            if (finished.compareAndSet(false, true)) {
                timedOut.set(true);
                try {
                    onTimeout.run();
                } finally {
                    caller.interrupt();
                }
            }
        }, limit.toNanos(), TimeUnit.NANOSECONDS);
        try {
            T result = task.call();
            if (!finished.compareAndSet(false, true)) {
                throw new TimeoutException("the invocation outlived its limit of " + limit);
            }
            return result;
        } catch (Exception | Error e) {
            if (finished.compareAndSet(false, true) || !timedOut.get()) {
                throw e;
            }
            throw new TimeoutException("the invocation outlived its limit of " + limit);
        } finally {
            watchdog.cancel(false);
            if (timedOut.get()) {
                Thread.interrupted(); // the watchdog's interrupt belongs to this invocation only
            }
        }
    }

    /** How long the init phase took, or -1 before it ran. */
    long initNanos() {
        return initNanos;
    }

    int id() {
        return id;
    }

    void destroy() {
        // nothing runs on its own: an invocation that outlived its limit was interrupted and ends on its caller
    }
}
