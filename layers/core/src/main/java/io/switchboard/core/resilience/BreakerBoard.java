package io.switchboard.core.resilience;

import io.switchboard.core.Ticker;
import io.switchboard.core.cache.L2Guard;
import io.switchboard.core.metrics.GatewayMetrics;
import io.switchboard.shared.config.BreakerPolicy;
import io.switchboard.shared.config.Deployment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One execution environment's deployments and their breakers, kept in step with the trips of every other
 * environment through {@link SharedBreakerState}. A local trip is written to the shared state at once (one round
 * trip, on the failing request); the shared state is read at most once per {@code shareEvery}, by the first request
 * after that time (one pipelined round trip; the other requests meanwhile read nothing). So a trip in one
 * environment is honoured by another one for every request it starts later than {@code shareEvery} after the trip
 * was written. When L2 is unreachable (or there is none) the {@link L2Guard} skips it and each environment decides
 * on its own counts alone.
 */
public final class BreakerBoard {
    private final BreakerPolicy policy;
    private final Ticker ticker;
    private final SharedBreakerState shared;
    private final L2Guard guard;
    private final GatewayMetrics metrics;
    private final long shareEveryNanos;
    private final Map<String, DeploymentState> states = new ConcurrentHashMap<>();
    private final AtomicLong lastRead;
    private volatile DeploymentState[] known = new DeploymentState[0];

    /**
     * A board.
     *
     * @param shared the shared trips, or null for local breakers only
     * @param guard L2's fail-open guard (the cache's), or null with {@code shared} null
     */
    public BreakerBoard(BreakerPolicy policy, Ticker ticker, SharedBreakerState shared, L2Guard guard,
            GatewayMetrics metrics) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.shared = shared;
        this.guard = shared == null ? null : Objects.requireNonNull(guard, "guard");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.shareEveryNanos = policy.shareEvery().toNanos();
        this.lastRead = new AtomicLong(ticker.read() - shareEveryNanos - 1);
    }

    /** The state of {@code d} (by its id), created on first use. */
    public DeploymentState state(Deployment d) {
        DeploymentState s = states.get(d.id());
        return s != null ? s : states.computeIfAbsent(d.id(), id -> {
            DeploymentState created = new DeploymentState(d, new CircuitBreaker(id, policy, ticker,
                    this::transition));
            synchronized (this) {
                DeploymentState[] k = java.util.Arrays.copyOf(known, known.length + 1);
                k[k.length - 1] = created;
                known = k;
            }
            return created;
        });
    }

    /**
     * The breakers this environment has met, by deployment id, as {@code closed}, {@code open} or {@code half_open}
     * (for {@code GET /health}; no I/O).
     */
    public Map<String, Object> states() {
        Map<String, Object> out = new java.util.TreeMap<>();
        for (DeploymentState s : known) {
            out.put(s.deployment().id(), s.breaker().state().name().toLowerCase(java.util.Locale.ROOT));
        }
        return out;
    }

    /** Reads the shared trips if the last read is older than {@code shareEvery} (one caller at a time). */
    public void sync() {
        if (shared == null) {
            return;
        }
        long now = ticker.read();
        long last = lastRead.get();
        if (now - last < shareEveryNanos || !lastRead.compareAndSet(last, now)) {
            return;
        }
        DeploymentState[] k = known;
        if (k.length == 0 || !guard.allow()) {
            return;
        }
        List<String> ids = new ArrayList<>(k.length);
        for (DeploymentState s : k) {
            ids.add(s.deployment().id());
        }
        long[] open;
        try {
            open = shared.openMillis(ids);
            guard.success();
        } catch (RuntimeException e) {
            guard.failure();
            return;
        }
        for (int i = 0; i < k.length; i++) {
            if (open[i] > 0) {
                k[i].breaker().openRemotely(open[i] * 1_000_000L);
            }
        }
    }

    private void transition(CircuitBreaker b, CircuitBreaker.State from, CircuitBreaker.State to, boolean remote,
            long openForNanos) {
        metrics.breaker(b.id(), from.name(), to.name(), remote);
        if (to == CircuitBreaker.State.OPEN && !remote && shared != null && guard.allow()) {
            try {
                shared.open(b.id(), java.time.Duration.ofNanos(openForNanos));
                guard.success();
            } catch (RuntimeException e) {
                guard.failure();
            }
        }
    }
}
