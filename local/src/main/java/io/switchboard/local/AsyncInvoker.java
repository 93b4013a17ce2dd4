package io.switchboard.local;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;

/**
 * Lambda's asynchronous invocation, locally: the event is queued (accepted at once), then invoked in one of the
 * function's environments when one is free; a failed invocation (an error or a timeout) is retried the function's
 * {@code EventInvokeConfig.MaximumRetryAttempts} times (default 2) after growing delays, then sent to the function's
 * dead-letter queue with Lambda's error attributes, if it has one. Lambda waits about a minute, then two, between
 * attempts; locally the first delay is {@code SWITCHBOARD_LOCAL_RETRY_DELAY_MS} (default 1000) and each next one
 * twice the last.
 */
final class AsyncInvoker implements AutoCloseable {
    /** Outcome of one asynchronous event, for tests and logs. */
    record Outcome(String function, String requestId, int attempts, boolean succeeded, byte[] result) {
    }

    /** Hears when an asynchronous event is done. */
    interface Listener {
        void done(Outcome outcome);
    }

    private final Map<String, FunctionPool> pools;
    private final Map<String, EventSources.AsyncConfig> configs;
    private final LocalQueues queues;
    private final Duration firstDelay;
    private final Listener listener;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    AsyncInvoker(Map<String, FunctionPool> pools, Map<String, EventSources.AsyncConfig> configs, LocalQueues queues,
            Duration firstDelay, Listener listener) {
        this.pools = pools;
        this.configs = configs;
        this.queues = queues;
        this.firstDelay = firstDelay;
        this.listener = listener;
    }

    /** Queues {@code event} for {@code function}; returns the invocation's request id. */
    String invoke(String function, byte[] event) {
        FunctionPool pool = pools.get(function);
        if (pool == null) {
            throw new IllegalArgumentException("no function " + function + " in the template");
        }
        String requestId = UUID.randomUUID().toString();
        threads.submit(() -> run(pool, event, requestId));
        return requestId;
    }

    private void run(FunctionPool pool, byte[] event, String requestId) {
        String fn = pool.spec().logicalId();
        EventSources.AsyncConfig config = configs.getOrDefault(fn, EventSources.AsyncConfig.DEFAULT);
        Duration delay = firstDelay;
        String lastError = null;
        for (int attempt = 1; attempt <= config.retries() + 1; attempt++) {
            try {
                byte[] result = invokeOnce(pool, event, requestId);
                listener.done(new Outcome(fn, requestId, attempt, true, result));
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
                        ? e.getCause() : e;
                lastError = cause instanceof TimeoutException ? "Task timed out" : cause.getClass().getName();
                System.err.println(requestId + " " + fn + " asynchronous invocation " + attempt + " failed: "
                        + lastError);
            }
            if (attempt <= config.retries()) {
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                delay = delay.multipliedBy(2);
            }
        }
        if (config.deadLetterQueue() != null) {
            queues.send(config.deadLetterQueue(), new String(event, java.nio.charset.StandardCharsets.UTF_8),
                    Map.of("RequestID", requestId, "ErrorCode", "200", "ErrorMessage", lastError == null ? "" : lastError,
                            "FunctionName", fn));
        }
        listener.done(new Outcome(fn, requestId, config.retries() + 1, false, null));
    }

    /** One invocation in a free environment (waiting for one while all are busy, as Lambda's queue does). */
    private static byte[] invokeOnce(FunctionPool pool, byte[] event, String requestId) throws Exception {
        ExecutionEnvironment env;
        while ((env = pool.acquire()) == null) {
            Thread.sleep(10);
        }
        try {
            byte[] result = env.invoke(event, requestId);
            pool.release(env);
            return result;
        } catch (TimeoutException e) {
            pool.discard(env); // Lambda replaces an environment whose invocation timed out
            throw e;
        } catch (Exception e) {
            pool.release(env); // a handler's error leaves its environment in service, as on Lambda
            throw e;
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
