package io.switchboard.core.catalog;

import io.switchboard.core.Ticker;
import io.switchboard.shared.config.GatewayConfig;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The current {@link CatalogSnapshot} of an execution environment. Loaded on first use; afterwards the stored
 * generation is read at most once per refresh interval, off the request path: the first request after the interval
 * starts the read on the refresher (a virtual thread by default) and, like every other, is answered from the current
 * snapshot, so an unreachable or slow store never delays a request once a snapshot exists. The catalog is reloaded
 * only when the generation moved. Without a store, or
 * while the store is unreachable before any load succeeded, the bundled configuration is the catalog; after a load,
 * a failing store leaves the last snapshot in place.
 */
public final class CatalogSnapshots implements Supplier<CatalogSnapshot> {
    private final CatalogStore store;
    private final GatewayConfig config;
    private final Ticker ticker;
    private final long intervalNanos;
    private final CatalogSnapshot fallback;
    private final Executor refresher;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private final AtomicInteger checks = new AtomicInteger();
    private final AtomicInteger loads = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private volatile CatalogSnapshot current;
    private volatile long nextCheck;

    /**
     * Snapshots of {@code store} (null: the configuration alone) for the providers of {@code config}.
     *
     * @param interval least time between two generation reads
     */
    public CatalogSnapshots(CatalogStore store, GatewayConfig config, Ticker ticker, Duration interval) {
        this(store, config, ticker, interval, r -> Thread.ofVirtual().name("switchboard-catalog-refresh").start(r));
    }

    /**
     * Snapshots whose refreshes after the first load run on {@code refresher} ({@code Runnable::run}: on the request
     * that finds one due, as tests want).
     */
    public CatalogSnapshots(CatalogStore store, GatewayConfig config, Ticker ticker, Duration interval,
            Executor refresher) {
        this.refresher = Objects.requireNonNull(refresher, "refresher");
        this.store = store;
        this.config = Objects.requireNonNull(config, "config");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.intervalNanos = interval.toNanos();
        this.fallback = CatalogSnapshot.fromConfig(config);
        if (store == null) {
            current = fallback;
        }
    }

    /** Snapshots of the bundled configuration alone. */
    public static CatalogSnapshots ofConfig(GatewayConfig config) {
        return new CatalogSnapshots(null, config, Ticker.system(), Duration.ZERO);
    }

    /** The current snapshot; the first use loads it, a due refresh starts in the background. */
    @Override
    public CatalogSnapshot get() {
        CatalogSnapshot s = current;
        if (s != null && (store == null || ticker.read() - nextCheck < 0)) {
            return s;
        }
        if (!refreshing.compareAndSet(false, true)) {
            return s != null ? s : fallback;
        }
        if (s == null) {
            try {
                return refresh(null);
            } finally {
                refreshing.set(false);
            }
        }
        try {
            refresher.execute(() -> {
                try {
                    refresh(s);
                } finally {
                    refreshing.set(false);
                }
            });
        } catch (RuntimeException rejected) {
            refreshing.set(false);
        }
        CatalogSnapshot now = current;
        return now != null ? now : s;
    }

    private CatalogSnapshot refresh(CatalogSnapshot s) {
        CatalogSnapshot next = s;
        try {
            checks.incrementAndGet();
            long generation = store.generation();
            if (s == null || s.source() == CatalogSnapshot.Source.CONFIG || generation != s.generation()) {
                Catalog catalog = store.load();
                loads.incrementAndGet();
                next = CatalogSnapshot.of(catalog, config);
            }
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            if (next == null) {
                next = fallback;
            }
        }
        current = next;
        nextCheck = ticker.read() + intervalNanos;
        return next;
    }

    /** Makes the next {@link #get()} read the store's generation (after a SnapStart restore). */
    public void expire() {
        nextCheck = ticker.read();
    }

    /** How many times the stored generation was read. */
    public int checks() {
        return checks.get();
    }

    /** How many times the whole catalog was loaded. */
    public int loads() {
        return loads.get();
    }

    /** How many reads of the store failed. */
    public int failures() {
        return failures.get();
    }
}
