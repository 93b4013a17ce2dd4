package io.switchboard.local;

import io.switchboard.core.snapstart.Checkpointable;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One emulated Lambda execution environment: one thread, one handler instance built on its first invocation (the
 * init phase), one invocation at a time. For handlers that support it the init runs the SnapStart cycle (init,
 * before-checkpoint, after-restore) unless {@code SWITCHBOARD_LOCAL_SNAPSTART=off}. After a timeout it is discarded,
 * as Lambda discards an environment whose
 * invocation timed out.
 */
final class ExecutionEnvironment {
    /** Lambda's limit on the init phase. */
    static final Duration INIT_TIMEOUT = Duration.ofSeconds(10);
    private static final AtomicInteger IDS = new AtomicInteger();

    private final FunctionSpec spec;
    private final Map<String, String> env;
    private final ExecutorService thread;
    private final int id = IDS.incrementAndGet();
    /** {@code off} skips the SnapStart cycle at init (to compare against a plain init). */
    static final String SNAPSTART_FLAG = "SWITCHBOARD_LOCAL_SNAPSTART";
    private final boolean snapStart;
    private HandlerInvoker invoker;
    private long initNanos = -1;

    ExecutionEnvironment(FunctionSpec spec, Map<String, String> env) {
        this.spec = spec;
        this.env = env;
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
        init();
        return run(() -> {
            long deadline = System.nanoTime() + spec.timeout().toNanos();
            return invoker.invoke(eventJson, new LocalContext(requestId, spec, deadline));
        }, spec.timeout());
    }

    /**
     * Runs one invocation of an HTTP application on this environment's thread: the exchange goes to the application
     * as Lambda Web Adapter passes it (with the invocation's context), and its response streams straight to the
     * caller. Bounded by the function timeout like any invocation.
     */
    void serve(LocalExchange exchange) throws Exception {
        init();
        run(() -> {
            invoker.serve(exchange);
            return null;
        }, spec.timeout());
    }

    private void init() throws Exception {
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
            }, INIT_TIMEOUT);
        }
    }

    private <T> T run(java.util.concurrent.Callable<T> task, Duration limit) throws Exception {
        Future<T> f = thread.submit(task);
        try {
            return f.get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
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
}
