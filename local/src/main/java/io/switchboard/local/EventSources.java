package io.switchboard.local;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;

/** The event sources of a template that a local run emulates: buses, rules, schedules, tables and queues. */
final class EventSources {
    private EventSources() {
    }

    /**
     * An EventBridge rule of a function ({@code Type: EventBridgeRule}).
     *
     * @param function the target function's logical id
     * @param name the event's name in the template
     * @param bus the bus name
     * @param pattern the event pattern
     * @param retryAttempts EventBridge's delivery retries (RetryPolicy.MaximumRetryAttempts, default 185)
     * @param deadLetterQueue the rule's dead-letter queue name, or null
     */
    record Rule(String function, String name, String bus, JsonNode pattern, int retryAttempts,
            String deadLetterQueue) {
    }

    /**
     * A schedule of a function ({@code Type: Schedule}).
     *
     * @param function the target function's logical id
     * @param name the event's name in the template
     * @param expression {@code rate(...)} or {@code cron(...)}
     * @param every the rate's period, or null for a cron expression (runs only at start and on demand)
     */
    record Schedule(String function, String name, String expression, Duration every) {
    }

    /**
     * A DynamoDB table ({@code AWS::DynamoDB::Table}).
     *
     * @param logicalId the resource's logical id
     * @param name the table's name
     * @param properties its properties (key schema, attributes, indexes)
     */
    record Table(String logicalId, String name, JsonNode properties) {
    }

    /**
     * How Lambda invokes a function asynchronously.
     *
     * @param retries retries after a failed invocation (EventInvokeConfig.MaximumRetryAttempts, default 2)
     * @param deadLetterQueue the function's dead-letter queue name, or null
     */
    record AsyncConfig(int retries, String deadLetterQueue) {
        static final AsyncConfig DEFAULT = new AsyncConfig(2, null);
    }

    /** Everything, for one template. */
    record All(List<String> buses, List<Rule> rules, List<Schedule> schedules, List<Table> tables,
            List<String> queues) {
    }
}
