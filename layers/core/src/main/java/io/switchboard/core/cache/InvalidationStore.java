package io.switchboard.core.cache;

import java.time.Duration;
import java.util.List;

/**
 * The L2 side of invalidation: removing indexed entries in batches, and the invalidation log every environment reads
 * to keep its L1 in step. Every method may throw when L2 is unreachable.
 *
 * <p>The log is a counter {@code sb:v1:inv:{log}:seq}, an incarnation id {@code sb:v1:inv:{log}:id} (a fresh L2
 * gets a new one, so environments notice a flushed or replaced L2), and a sorted set {@code sb:v1:inv:{log}:entries} of
 * {@code seq|kind|tenant|value} members scored by sequence, trimmed to the last {@link #LOG_KEEP} sequences.
 */
public interface InvalidationStore {
    /** Sequences kept in the log. */
    int LOG_KEEP = 1024;

    /**
     * One read of the log.
     *
     * @param incarnation the log's incarnation id, or null when no invalidation was ever recorded in this L2
     * @param sequence the last sequence recorded (0 when none)
     * @param entries the scopes recorded after the sequence asked for, at most the number asked for sequences
     */
    record LogRead(String incarnation, long sequence, List<LogEntry> entries) {
        public LogRead {
            entries = List.copyOf(entries);
        }
    }

    /**
     * One scope in the log.
     *
     * @param sequence the invalidation's sequence
     * @param scope what it invalidated
     */
    record LogEntry(long sequence, InvalidationScope scope) {
    }

    /** The log's state and its entries in {@code (after, after + maxSequences]}, in one round trip. */
    LogRead readLog(long after, int maxSequences);

    /**
     * Records {@code scopes} as one new sequence, unless {@code eventId} was recorded already (within
     * {@code dedupeTtl}); atomic. Returns the new sequence, or -1 for a duplicate.
     */
    long appendLog(String eventId, List<InvalidationScope> scopes, Duration dedupeTtl);

    /** Whether {@code eventId} was recorded already. */
    boolean recorded(String eventId);

    /**
     * Removes every entry listed in the set {@code indexKey}: SSCAN in batches of {@code batch}, and per batch one
     * pipelined UNLINK of the entries and SREM of the members (so members added meanwhile stay). Returns the entries
     * that existed.
     */
    long unlinkIndexed(String indexKey, int batch);

    /** Removes entries by key; returns those that existed. */
    long unlink(List<String> keys);
}
