package io.switchboard.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The template's schedules, locally: each scheduled function is invoked (asynchronously, with EventBridge's
 * {@code Scheduled Event}) once when the local run starts, then every {@code rate(...)} period divided by
 * {@code SWITCHBOARD_LOCAL_SCHEDULE_SCALE} (default 1: the real rate; 60 turns an hour into a minute). A
 * {@code cron(...)} schedule runs only at start. Any schedule also runs on demand:
 * {@code ./local/run.sh invoke <Function> -e events/discovery-scheduled.json}.
 */
final class LocalScheduler implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "local-schedules");
        t.setDaemon(true);
        return t;
    });

    /** Starts the schedules once {@code after} completes (whatever its outcome). */
    LocalScheduler(List<EventSources.Schedule> schedules, AsyncInvoker invoker, long scale,
            java.util.concurrent.CompletableFuture<?> after, String region) {
        after.whenComplete((ok, failed) -> schedule(schedules, invoker, scale, Duration.ZERO, region));
    }

    private void schedule(List<EventSources.Schedule> schedules, AsyncInvoker invoker, long scale,
            Duration initialDelay, String region) {
        for (EventSources.Schedule s : schedules) {
            Runnable run = () -> {
                try {
                    invoker.invoke(s.function(), event(s, region));
                } catch (RuntimeException e) {
                    System.err.println("local run: schedule " + s.name() + " of " + s.function() + " failed: " + e);
                }
            };
            if (s.every() != null) {
                long period = Math.max(1_000, s.every().toMillis() / Math.max(1, scale));
                timer.scheduleAtFixedRate(run, initialDelay.toMillis(), period, TimeUnit.MILLISECONDS);
            } else {
                timer.schedule(run, initialDelay.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** EventBridge's scheduled event for {@code s}. */
    static byte[] event(EventSources.Schedule s, String region) {
        ObjectNode e = JSON.createObjectNode();
        e.put("version", "0");
        e.put("id", UUID.randomUUID().toString());
        e.put("detail-type", "Scheduled Event");
        e.put("source", "aws.events");
        e.put("account", "123456789012");
        e.put("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        e.put("region", region);
        e.putArray("resources").add("arn:aws:events:" + region + ":123456789012:rule/" + s.function() + s.name());
        e.putObject("detail");
        try {
            return JSON.writeValueAsBytes(e);
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
