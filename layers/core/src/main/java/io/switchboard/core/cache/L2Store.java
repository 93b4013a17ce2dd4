package io.switchboard.core.cache;

import java.time.Duration;
import java.util.List;

/** The shared tier. Every method may throw on an unreachable or slow store; {@link L2Guard} makes that fail-open. */
public interface L2Store extends AutoCloseable {
    /** The value under {@code key}, or null. */
    byte[] get(String key);

    /**
     * Stores {@code value} under {@code key} for {@code ttl}, and adds {@code key} to each index set (kept for
     * {@code indexTtl}) in the same round trip.
     */
    void put(String key, byte[] value, Duration ttl, List<String> indexKeys, Duration indexTtl);

    /** Takes the lock {@code lockKey} for {@code owner} if nobody holds it. */
    boolean tryLock(String lockKey, String owner, Duration ttl);

    /** Releases the lock if {@code owner} still holds it. */
    void unlock(String lockKey, String owner);

    /** Drops the connection; the next call reconnects. */
    @Override
    void close();
}
