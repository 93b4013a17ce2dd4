package io.switchboard.local;

import io.switchboard.core.snapstart.Checkpointable;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One emulated Lambda execution environment: one handler instance built on its first invocation (the init phase),
 * one invocation at a time (its {@link FunctionPool} hands it to one caller at a time). For handlers that support it
 * the init runs the SnapStart cycle (init, before-checkpoint, after-restore) unless
 * {@code SWITCHBOARD_LOCAL_SNAPSTART=off}; its init is then bounded as a SnapStart init is (the function timeout, at
 * least 130 s), since on AWS it happens when a version is published, not on a caller's request.
 *
 * <p>The init phase runs on the environment's own platform thread. An invocation runs on the caller's thread when
 * that is a platform thread (the local HTTP server's connection threads, the bus's invokers): one environment still
 * serves one invocation at a time (its {@link FunctionPool} hands it to one caller at a time), and the hand-off to
 * another thread and back — two thread wake-ups per request, measurable in the local run's added latency — is saved.
 * From a virtual thread it runs on the environment's thread (running it on the request's virtual thread was measured:
 * at concurrency 8 it tripled the local run's added latency, the handlers' blocking work queueing on the two carrier
 * threads). Past the function timeout (or the init limit) the caller's {@code onTimeout} answers the client as Lambda
 * would (from a watchdog when the invocation runs inline), the invocation is interrupted and ends in
 * {@link TimeoutException}; the environment is then discarded, as Lambda discards an environment whose invocation
 * timed out.
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

    private final FunctionSpec spec;
    private final Map<String, String> env;
    private final int id = IDS.incrementAndGet();
    /** The environment's own thread: the handler runs here, as in a Lambda environment's runtime process. */
    private final java.util.concurrent.ExecutorService thread;
    private final boolean snapStart;
    /** Fires the timeout of invocations that run inline on their caller's thread. */
    private final Watchdog watchdog;
    private HandlerInvoker invoker;
    private long initNanos = -1;

    ExecutionEnvironment(FunctionSpec spec, Map<String, String> env, Watchdog watchdog) {
        this.spec = spec;
        this.env = env;
        this.watchdog = watchdog;
        this.snapStart = !"off".equalsIgnoreCase(env.getOrDefault(SNAPSTART_FLAG, "on"));
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "env-" + spec.logicalId() + "-" + id);
            t.setDaemon(true);
            return t;
        });
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
        return invocation(() -> {
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
        invocation(() -> {
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

    /** Runs an invocation: inline on a platform caller's thread under a watchdog, else on the environment's thread. */
    private <T> T invocation(Callable<T> task, Duration limit, Runnable onTimeout) throws Exception {
        Thread caller = Thread.currentThread();
        if (caller.isVirtual()) {
            return run(task, limit, onTimeout);
        }
        Watchdog.Watch watch = watchdog.watch(limit, onTimeout);
        T result;
        try {
            result = task.call();
        } catch (Exception e) {
            if (watch.finish()) {
                throw new java.util.concurrent.ExecutionException(e);
            }
            throw timedOut(watch);
        } catch (Error e) {
            if (!watch.finish()) {
                watch.awaitFired();
            }
            throw e;
        } finally {
            watchdog.end(watch);
        }
        if (watch.finish()) {
            return result;
        }
        throw timedOut(watch);
    }

    /** The watchdog fired: once it has answered and interrupted, the interrupt (this invocation's) is cleared. */
    private static TimeoutException timedOut(Watchdog.Watch watch) {
        watch.awaitFired();
        return new TimeoutException("function timeout");
    }

    private <T> T run(Callable<T> task, Duration limit, Runnable onTimeout) throws Exception {
        java.util.concurrent.Future<T> f = thread.submit(task);
        try {
            return f.get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            onTimeout.run();
            throw e;
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
        thread.shutdownNow();
    }

    /**
     * Shuts the environment down as Lambda does when it has an extension (SIGTERM to the runtime): a handler that is
     * {@link AutoCloseable} is closed on the environment's thread (buffered spend written), within {@code grace}.
     */
    void shutdown(Duration grace) {
        if (invoker != null && invoker.handler() instanceof AutoCloseable closeable) {
            try {
                thread.submit(() -> {
                    closeable.close();
                    return null;
                }).get(grace.toNanos(), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                // past the grace period (or failing) the environment goes anyway, as on Lambda
            }
        }
        destroy();
    }
}
