package io.switchboard.core.cache;

import io.switchboard.core.Ticker;
import io.switchboard.shared.chat.ChatRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The tiered cache as the completion pipeline uses it: L1 first, then L2 (promoting hits to L1), stampede
 * protection across environments through a short lock in L2, and stores that record the tag indexes invalidation
 * needs. Every L2 failure is absorbed (fail-open) and counted; after repeated failures L2 is skipped for a while.
 *
 * <p>Index format (the invalidation function relies on it). With every entry {@code sb:v1:e:{tenant}:{ns}:{digest}}
 * the key is added to the sets {@code sb:v1:idx:tenant:{tenant}}, {@code sb:v1:idx:ns:{tenant}:{ns}},
 * {@code sb:v1:idx:model:{provider}/{model}} and {@code sb:v1:idx:tag:{tenant}:{tag}} per tag, each set living as
 * long as the longest entry may. Sets rather than generation counters folded into keys: invalidation can then remove
 * the entries themselves in batches (SSCAN + UNLINK), with no keyspace scan, instead of leaving dead entries to
 * occupy memory until their TTL; and a lookup stays one GET, with no counters to read first.
 *
 * <p>With an {@link InvalidationView}, every lookup first lets the view catch up with the invalidation log (at most
 * once per staleness bound), and every put into L1 goes through it, so invalidations reach this environment's L1
 * within the bound.
 */
public final class ResponseCache implements AutoCloseable {
    /** Outcome of waiting for another environment's identical request. */
    public record Lease(String owner, byte[] value) {
        /** Whether this environment holds the lock and must call the provider. */
        public boolean owned() {
            return owner != null;
        }
    }

    private final CacheSettings settings;
    private final L1Cache l1;
    private final L2Store l2;
    private final L2Guard guard;
    private final ValueCodec codec;
    private final Ticker ticker;
    private final Supplier<String> ownerIds;
    private final InvalidationView view;

    /** A cache over {@code l1} and {@code l2} (null for L1 only). */
    public ResponseCache(CacheSettings settings, L1Cache l1, L2Store l2, L2Guard guard, Ticker ticker) {
        this(settings, l1, l2, guard, ticker, null);
    }

    /** A cache over {@code l1} and {@code l2} whose L1 follows invalidations through {@code view} (null: none). */
    public ResponseCache(CacheSettings settings, L1Cache l1, L2Store l2, L2Guard guard, Ticker ticker,
            InvalidationView view) {
        this.view = view;
        this.settings = settings;
        this.l1 = l1;
        this.l2 = l2;
        this.guard = guard;
        this.codec = new ValueCodec(settings.compressMinBytes());
        this.ticker = ticker;
        this.ownerIds = () -> UUID.randomUUID().toString();
    }

    /** Whether {@code request} may be cached under {@code directives}. */
    public boolean cacheable(ChatRequest request, CacheDirectives directives) {
        if (!cacheable(directives)) {
            return false;
        }
        if (request.choices() != 1) {
            return false;
        }
        if (!settings.deterministicOnly()) {
            return true;
        }
        return (request.temperature() != null && request.temperature() == 0.0) || request.seed() != null;
    }

    /**
     * Whether an answer that is deterministic by nature (embeddings) may be cached under {@code directives}: only the
     * cache switch and {@code no-store} decide; the deterministic-only policy is for sampled completions.
     */
    public boolean cacheable(CacheDirectives directives) {
        return settings.enabled() && !directives.noStore();
    }

    /** The stored completion JSON, from L1 or L2, or null. Marks the trace with the tier. */
    public byte[] lookup(CacheKey key, CacheTrace trace) {
        String k = key.storageKey();
        if (view != null) {
            view.refreshIfDue();
        }
        long stamp = view == null ? 0 : view.stamp();
        byte[] hit = l1.get(k);
        if (hit != null) {
            trace.status = CacheStatus.HIT_L1;
            return hit;
        }
        byte[] stored = l2Get(k, trace);
        if (stored != null) {
            byte[] json = decode(stored);
            if (json != null) {
                l1Put(stamp, key, json, settings.l1Ttl(), null);
                trace.status = CacheStatus.HIT_L2;
                return json;
            }
        }
        return null;
    }

    /**
     * Stampede protection: takes the entry's lock in L2, or, while another environment holds it, waits (bounded by
     * {@code lockWait}) for its value to appear. Returns the value if it appeared, the lock if this environment got
     * it, or neither (L2 unavailable or the wait ran out): then the caller calls the provider itself.
     */
    public Lease acquire(CacheKey key, CacheTrace trace) {
        return acquire(key, trace, Long.MAX_VALUE);
    }

    /** {@link #acquire(CacheKey, CacheTrace)}, waiting at most {@code maxWaitNanos} (what the invocation has left). */
    public Lease acquire(CacheKey key, CacheTrace trace, long maxWaitNanos) {
        if (l2 == null) {
            return new Lease(null, null);
        }
        String owner = ownerIds.get();
        long stamp = view == null ? 0 : view.stamp();
        long deadline = ticker.read() + Math.min(settings.lockWait().toNanos(), Math.max(0, maxWaitNanos));
        long pause = 5_000_000L;
        while (true) {
            Boolean locked = l2Lock(key.lockKey(), owner, trace);
            if (locked == null) {
                return new Lease(null, null); // L2 unavailable: no cross-instance protection
            }
            if (locked) {
                return new Lease(owner, null);
            }
            if (ticker.read() - deadline >= 0) {
                return new Lease(null, null);
            }
            try {
                Thread.sleep(Duration.ofNanos(pause));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Lease(null, null);
            }
            pause = Math.min(pause * 2, 50_000_000L);
            byte[] stored = l2Get(key.storageKey(), trace);
            if (stored != null) {
                byte[] json = decode(stored);
                if (json != null) {
                    l1Put(stamp, key, json, settings.l1Ttl(), null);
                    trace.status = CacheStatus.HIT_L2;
                    return new Lease(null, json);
                }
            }
        }
    }

    /** Releases a lock taken by {@link #acquire}. */
    public void release(CacheKey key, Lease lease, CacheTrace trace) {
        if (lease.owned() && l2 != null) {
            l2Call(trace, () -> {
                l2.unlock(key.lockKey(), lease.owner());
                return Boolean.TRUE;
            });
        }
    }

    /** Stores a complete, successful completion in L1 and L2 with its indexes. */
    public void store(CacheKey key, CacheDirectives directives, byte[] json, CacheTrace trace) {
        Duration ttl = directives.ttl() != null ? directives.ttl() : settings.ttl();
        l1Put(view == null ? 0 : view.stamp(), key, json, ttl, directives.tags());
        trace.bytesStored = json.length;
        if (l2 == null || !guard.allow()) {
            return;
        }
        byte[] encoded = codec.encode(json);
        trace.bytesStoredEncoded = encoded.length;
        List<String> indexes = new ArrayList<>(4 + directives.tags().size());
        indexes.add(CacheKey.PREFIX + "idx:tenant:" + key.tenant());
        indexes.add(CacheKey.PREFIX + "idx:ns:" + key.tenant() + ":" + key.namespace());
        indexes.add(CacheKey.PREFIX + "idx:model:" + key.provider() + "/" + key.model());
        for (String tag : directives.tags()) {
            indexes.add(CacheKey.PREFIX + "idx:tag:" + key.tenant() + ":" + tag);
        }
        l2Call(trace, () -> {
            l2.put(key.storageKey(), encoded, ttl, indexes, settings.maxTtl());
            return Boolean.TRUE;
        });
    }

    /** Puts into L1 through the view, if any; {@code tags} null when unknown (an entry read from L2). */
    private void l1Put(long stamp, CacheKey key, byte[] json, Duration ttl, List<String> tags) {
        InvalidationScope.EntryScope scope = InvalidationScope.EntryScope.of(key, tags);
        if (view == null) {
            l1.put(key.storageKey(), json, ttl, scope);
        } else {
            view.putIfCurrent(stamp, key.storageKey(), json, ttl, scope);
        }
    }

    private byte[] l2Get(String key, CacheTrace trace) {
        return l2 == null ? null : l2Call(trace, () -> l2.get(key));
    }

    private Boolean l2Lock(String lockKey, String owner, CacheTrace trace) {
        return l2Call(trace, () -> l2.tryLock(lockKey, owner, settings.lockTtl()));
    }

    /** One guarded, timed L2 command: null when the guard is open or the command failed (fail-open). */
    private <T> T l2Call(CacheTrace trace, java.util.function.Supplier<T> command) {
        if (!guard.allow()) {
            return null;
        }
        long start = ticker.read();
        try {
            T result = command.get();
            guard.success();
            return result;
        } catch (RuntimeException e) {
            fail(trace);
            return null;
        } finally {
            trace.l2Nanos += ticker.read() - start;
            trace.l2Calls++;
        }
    }

    private void fail(CacheTrace trace) {
        trace.l2Errors++;
        guard.failure();
    }

    private byte[] decode(byte[] stored) {
        try {
            return codec.decode(stored);
        } catch (IllegalArgumentException e) {
            return null; // an unreadable entry is a miss, never an error
        }
    }

    /** The L1 (for tests and priming). */
    public L1Cache l1() {
        return l1;
    }

    /** This environment's view of the invalidation log, or null without L2. */
    public InvalidationView view() {
        return view;
    }

    /** The fail-open guard of L2. */
    public L2Guard guard() {
        return guard;
    }

    /** Whether an L2 is configured. */
    public boolean hasL2() {
        return l2 != null;
    }

    @Override
    public void close() {
        if (l2 != null) {
            l2.close();
        }
    }
}
