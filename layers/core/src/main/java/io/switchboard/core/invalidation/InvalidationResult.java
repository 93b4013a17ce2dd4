package io.switchboard.core.invalidation;

/**
 * What one event did.
 *
 * @param eventId the event's id
 * @param duplicate whether the event had been processed already (nothing was done)
 * @param sequence the invalidation log sequence it was recorded under (-1 for a duplicate or without L2)
 * @param removed L2 entries removed
 * @param scopes scopes invalidated
 * @param nanos time taken
 */
public record InvalidationResult(String eventId, boolean duplicate, long sequence, long removed, int scopes,
        long nanos) {
}
