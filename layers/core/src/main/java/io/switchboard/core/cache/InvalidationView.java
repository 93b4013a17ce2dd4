package io.switchboard.core.cache;

import io.switchboard.core.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * This environment's view of the invalidation log in L2, which keeps its L1 within a bounded staleness of every
 * invalidation.
 *
 * <p>{@link #refreshIfDue()} runs before every L1 lookup: at most once per {@code bound} (by the injected
 * {@link Ticker}) it reads the log's state and its new entries in one round trip, and removes from L1 every entry
 * a new scope covers. In between, an L1 hit costs one clock read and a comparison. So an L1 hit served at time
 * {@code t} follows a refresh that started after {@code t - bound}: an invalidation recorded in the log before that
 * refresh started is never served from L1 afterwards.
 *
 * <p>Races: an entry read from L2 (or from upstream) before an invalidation was applied here, but put in L1 after,
 * is refused: each put carries the local epoch observed before its read ({@link #stamp()}), and a put whose stamp
 * predates an applied scope that covers it is dropped. If the log cannot be followed (too far behind, a new
 * incarnation of L2, or more tracked scopes than {@link #MAX_TRACKED}), L1 is cleared instead: more misses, never a
 * stale hit.
 *
 * <p>L2 unreachable: a refresh that fails (or is skipped while {@link L2Guard} is open) is retried one bound later;
 * meanwhile L1 keeps serving what it holds, each entry at most until its L1 TTL runs out. This is the fail-open
 * choice of the whole cache; the README states it as part of the guarantee.
 */
public final class InvalidationView {
    /** Sequences applied from the log in one refresh; a larger gap clears L1. */
    public static final int MAX_APPLY = 64;
    /** Scopes remembered for refusing racing puts; beyond that every older stamp is refused. */
    static final int MAX_TRACKED = 4096;

    private final InvalidationStore store;
    private final L1Cache l1;
    private final L2Guard guard;
    private final Ticker ticker;
    private final long boundNanos;
    private volatile long nextRefresh;
    private volatile boolean started;
    private volatile long epoch;
    private long floor;
    private String incarnation;
    private long seen;
    private boolean initialized;
    private final Map<InvalidationScope, Long> appliedAt = new HashMap<>();
    private long refreshes;
    private long failures;
    private long evicted;
    private long clears;

    /** A view keeping {@code l1} within {@code bound} of the log in {@code store}. */
    public InvalidationView(InvalidationStore store, L1Cache l1, L2Guard guard, Ticker ticker, Duration bound) {
        this.store = Objects.requireNonNull(store, "store");
        this.l1 = Objects.requireNonNull(l1, "l1");
        this.guard = Objects.requireNonNull(guard, "guard");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        if (bound.isNegative()) {
            throw new IllegalArgumentException("the staleness bound must not be negative");
        }
        this.boundNanos = bound.toNanos();
    }

    /** Refreshes from L2 when the last refresh started at least one bound ago (or never). Never throws. */
    public void refreshIfDue() {
        long now = ticker.read();
        if (started && now - nextRefresh < 0) {
            return;
        }
        refresh(now);
    }

    private synchronized void refresh(long now) {
        if (started && now - nextRefresh < 0) {
            return; // another thread refreshed meanwhile
        }
        started = true;
        nextRefresh = now + boundNanos;
        refreshes++;
        if (!guard.allow()) {
            failures++;
            return;
        }
        InvalidationStore.LogRead read;
        try {
            read = store.readLog(seen, MAX_APPLY);
            guard.success();
        } catch (RuntimeException e) {
            guard.failure();
            failures++;
            return;
        }
        apply(read);
    }

    private void apply(InvalidationStore.LogRead read) {
        // A log appearing where there was none is followed from its start; any other change of incarnation is a new L2.
        boolean sameLog = Objects.equals(read.incarnation(), incarnation) || (incarnation == null && seen == 0);
        if (!initialized || !sameLog || read.sequence() < seen || read.sequence() - seen > MAX_APPLY) {
            // first contact (what happened before is unknown), a new L2, or too far behind: start over
            initialized = true;
            incarnation = read.incarnation();
            seen = read.sequence();
            clearAll();
            return;
        }
        incarnation = read.incarnation();
        if (read.sequence() == seen) {
            return;
        }
        List<InvalidationScope> scopes = new ArrayList<>();
        List<InvalidationScope> keys = new ArrayList<>();
        for (InvalidationStore.LogEntry e : read.entries()) {
            if (e.sequence() > seen && e.sequence() <= read.sequence()) {
                (e.scope().kind() == InvalidationScope.Kind.KEY ? keys : scopes).add(e.scope());
            }
        }
        long next = epoch + 1;
        if (appliedAt.size() + scopes.size() + keys.size() > MAX_TRACKED) {
            appliedAt.clear();
            floor = next;
        }
        for (InvalidationScope s : scopes) {
            appliedAt.put(s, next);
        }
        for (InvalidationScope k : keys) {
            appliedAt.put(k, next);
        }
        epoch = next;
        for (InvalidationScope k : keys) {
            if (l1.get(k.value()) != null) {
                l1.invalidate(k.value());
                evicted++;
            }
        }
        evicted += l1.invalidate(scopes);
        seen = read.sequence();
    }

    private void clearAll() {
        long next = epoch + 1;
        appliedAt.clear();
        floor = next;
        epoch = next;
        l1.clear();
        clears++;
    }

    /** The local epoch to stamp a read with, taken before reading L2 or calling upstream. */
    public long stamp() {
        return epoch;
    }

    /** Puts into L1 unless an invalidation applied after {@code stamp} covers the entry. */
    synchronized boolean putIfCurrent(long stamp, String key, byte[] json, Duration ttl,
            InvalidationScope.EntryScope scope) {
        if (stamp != epoch) {
            if (stamp < floor) {
                return false;
            }
            for (Map.Entry<InvalidationScope, Long> e : appliedAt.entrySet()) {
                if (e.getValue() > stamp && e.getKey().covers(key, scope)) {
                    return false;
                }
            }
        }
        l1.put(key, json, ttl, scope);
        return true;
    }

    /** The last log sequence this environment applied. */
    public synchronized long sequence() {
        return seen;
    }

    /** Counters: refreshes attempted, refreshes failed or skipped, L1 entries evicted, L1 clears. */
    public synchronized long[] counters() {
        return new long[] {refreshes, failures, evicted, clears};
    }
}
