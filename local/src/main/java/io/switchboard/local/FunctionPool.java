package io.switchboard.local;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/**
 * The execution environments of one function: reused most-recently-used first (as Lambda keeps warm environments
 * busy), created on demand up to the reserved concurrency, and beyond that none: the caller is throttled.
 */
final class FunctionPool {
    private final FunctionSpec spec;
    private final Map<String, String> env;
    private final Deque<ExecutionEnvironment> idle = new ArrayDeque<>();
    private int live;
    /** The timeouts of this function's inline invocations (one daemon thread, made on first use). */
    private Watchdog watchdog;

    FunctionPool(FunctionSpec spec, Map<String, String> env) {
        this.spec = spec;
        this.env = env;
    }

    FunctionSpec spec() {
        return spec;
    }

    /** An environment to invoke, or null when all {@code reservedConcurrency} are busy. */
    synchronized ExecutionEnvironment acquire() {
        ExecutionEnvironment e = idle.pollFirst();
        if (e != null) {
            return e;
        }
        if (live >= spec.reservedConcurrency()) {
            return null;
        }
        live++;
        if (watchdog == null) {
            watchdog = new Watchdog("timeouts-" + spec.logicalId());
        }
        return new ExecutionEnvironment(spec, env, watchdog);
    }

    /** Returns a healthy environment for reuse. */
    synchronized void release(ExecutionEnvironment e) {
        idle.addFirst(e);
    }

    /** Drops an environment that must not be reused. */
    synchronized void discard(ExecutionEnvironment e) {
        live--;
        e.destroy();
    }

    /** Environments alive now. */
    synchronized int live() {
        return live;
    }

    synchronized void shutdown() {
        idle.forEach(ExecutionEnvironment::destroy);
        idle.clear();
        if (watchdog != null) {
            watchdog.close();
        }
    }

    /** Shuts the idle environments down gracefully (their handlers closed, within Lambda's 2 s shutdown phase). */
    synchronized void shutdownGracefully() {
        idle.forEach(e -> e.shutdown(java.time.Duration.ofSeconds(2)));
        idle.clear();
        if (watchdog != null) {
            watchdog.close();
        }
    }
}
