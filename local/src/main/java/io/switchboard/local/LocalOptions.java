package io.switchboard.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * What a local run stands up besides the API routes.
 *
 * @param resources whether the template's resources (buses, tables, queues) exist for this run — stood up by it
 *     or elsewhere (LocalStack) — so references to them resolve and every function gets an environment
 * @param dynamoDb where DynamoDB Local keeps the template's tables: {@code DISK} (in {@code dataDir}), {@code MEMORY},
 *     or {@code OFF} (no tables: the functions use their bundled fallbacks)
 * @param bus whether the template's EventBridge buses and rules run
 * @param schedules whether the template's schedules run (at start, then at their rate divided by {@code scale})
 * @param scheduleScale how much faster than on AWS schedules run
 * @param retryDelay the first delay before an asynchronous invocation is retried
 * @param dataDir the folder for tables and dead-letter queues
 */
public record LocalOptions(boolean resources, DynamoDbMode dynamoDb, boolean bus, boolean schedules, long scheduleScale,
        Duration retryDelay, Path dataDir) {

    /** Where tables live. */
    public enum DynamoDbMode {
        /** DynamoDB Local's files in the data folder, kept across restarts. */
        DISK,
        /** DynamoDB Local in memory. */
        MEMORY,
        /** No tables. */
        OFF
    }

    /** Only the API routes, as before the stack was emulated (tests of the HTTP edge). */
    public static final LocalOptions HTTP_ONLY = new LocalOptions(false, DynamoDbMode.OFF, false, false, 1,
            Duration.ofSeconds(1), null);

    /**
     * Whether the template's resources are stood up or referred to: with it, references to buses, tables and queues
     * resolve to their names (also when they are provided elsewhere, such as LocalStack) and every function gets an
     * environment, routes or not.
     */
    public boolean stack() {
        return resources;
    }

    /**
     * The whole stack, as {@code ./local/run.sh} runs it: {@code SWITCHBOARD_LOCAL_DYNAMODB} ({@code disk}, the
     * default, {@code memory} or {@code off}), {@code SWITCHBOARD_LOCAL_BUS} and {@code SWITCHBOARD_LOCAL_SCHEDULES}
     * ({@code on}/{@code off}), {@code SWITCHBOARD_LOCAL_SCHEDULE_SCALE} (default 1),
     * {@code SWITCHBOARD_LOCAL_RETRY_DELAY_MS} (default 1000), {@code SWITCHBOARD_LOCAL_DATA} (default
     * {@code .switchboard} beside the template).
     */
    public static LocalOptions fromEnvironment(Map<String, String> env, Path projectDir) {
        DynamoDbMode mode = DynamoDbMode.valueOf(env.getOrDefault("SWITCHBOARD_LOCAL_DYNAMODB", "disk").strip()
                .toUpperCase(Locale.ROOT));
        Path data = env.containsKey("SWITCHBOARD_LOCAL_DATA") ? Path.of(env.get("SWITCHBOARD_LOCAL_DATA"))
                : projectDir.resolve(".switchboard");
        return new LocalOptions(true, mode, !"off".equalsIgnoreCase(env.getOrDefault("SWITCHBOARD_LOCAL_BUS", "on")),
                !"off".equalsIgnoreCase(env.getOrDefault("SWITCHBOARD_LOCAL_SCHEDULES", "on")),
                Long.parseLong(env.getOrDefault("SWITCHBOARD_LOCAL_SCHEDULE_SCALE", "1")),
                Duration.ofMillis(Long.parseLong(env.getOrDefault("SWITCHBOARD_LOCAL_RETRY_DELAY_MS", "1000"))), data);
    }
}
