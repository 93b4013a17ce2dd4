package io.switchboard.core.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.switchboard.core.Ticker;
import java.time.Duration;

/**
 * This environment's cache: Caffeine bounded by bytes (a weigher over the completion JSON), each entry living for
 * the shorter of the L1 TTL and what is left of its own TTL. Maintenance runs on the caller's thread
 * ({@code executor(Runnable::run)}), so nothing depends on a background thread that Lambda freezes between
 * invocations; time comes from the injected {@link Ticker}.
 */
public final class L1Cache {
    /** A stored completion, how long it may live in L1, and what it belongs to (null: unknown). */
    record Entry(byte[] json, long ttlNanos, InvalidationScope.EntryScope scope) {
    }

    private static final int OVERHEAD_BYTES = 160;
    private final Cache<String, Entry> cache;

    /** An L1 of at most {@code maxBytes}, entries living at most {@code ttl}. */
    public L1Cache(long maxBytes, Duration ttl, Ticker ticker) {
        long maxTtl = ttl.toNanos();
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((String k, Entry e) -> e.json().length + k.length() * 2 + OVERHEAD_BYTES)
                .expireAfter(new Expiry<String, Entry>() {
                    @Override
                    public long expireAfterCreate(String key, Entry e, long now) {
                        return Math.min(maxTtl, e.ttlNanos());
                    }

                    @Override
                    public long expireAfterUpdate(String key, Entry e, long now, long current) {
                        return Math.min(maxTtl, e.ttlNanos());
                    }

                    @Override
                    public long expireAfterRead(String key, Entry e, long now, long current) {
                        return current;
                    }
                })
                .executor(Runnable::run)
                .ticker(ticker::read)
                .build();
    }

    /** The completion JSON stored under {@code key}, or null. */
    public byte[] get(String key) {
        Entry e = cache.getIfPresent(key);
        return e == null ? null : e.json();
    }

    /** Stores {@code json} under {@code key} for at most {@code ttl} (and the L1 TTL). */
    public void put(String key, byte[] json, Duration ttl) {
        cache.put(key, new Entry(json, ttl.toNanos(), null));
    }

    /** Stores {@code json} under {@code key}, remembering what it belongs to for invalidation. */
    void put(String key, byte[] json, Duration ttl, InvalidationScope.EntryScope scope) {
        cache.put(key, new Entry(json, ttl.toNanos(), scope));
    }

    /** Removes the entries any of {@code scopes} covers; returns how many. */
    long invalidate(java.util.Collection<InvalidationScope> scopes) {
        if (scopes.isEmpty()) {
            return 0;
        }
        long[] removed = {0};
        cache.asMap().entrySet().removeIf(e -> {
            for (InvalidationScope s : scopes) {
                if (s.covers(e.getKey(), e.getValue().scope())) {
                    removed[0]++;
                    return true;
                }
            }
            return false;
        });
        return removed[0];
    }

    /** Removes one entry. */
    public void invalidate(String key) {
        cache.invalidate(key);
    }

    /** Removes everything (e.g. before a snapshot). */
    public void clear() {
        cache.invalidateAll();
        cache.cleanUp();
    }

    /** Entries held now (after pending maintenance). */
    public long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }
}
