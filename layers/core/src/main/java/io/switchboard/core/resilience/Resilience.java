package io.switchboard.core.resilience;

import io.switchboard.core.Ticker;
import io.switchboard.core.metrics.GatewayMetrics;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.config.ModelGroup;
import io.switchboard.shared.config.ModelRoute;
import io.switchboard.shared.config.ResilienceConfig;
import io.switchboard.shared.config.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * Calls a model group the way its policy says, within the invocation's deadline:
 * <ol>
 * <li>a deployment is picked among those whose breaker is not open and whose {@code Retry-After} has passed,
 * preferring those not yet failed for this request ({@link Balancer});
 * <li>a retriable failure (connect error, timeout, 429, 5xx, 529, a broken answer) is retried while the group's
 * {@code maxAttempts} allow: on another healthy deployment at once, or on the same one after a full-jitter backoff;
 * a {@code Retry-After} keeps the deployment out until it passes, and is waited out only when no other deployment
 * is available, it is at most {@code maxRetryAfter} and it fits the deadline; otherwise the 429 is answered with it;
 * <li>no wait ever ends later than {@link #MIN_ATTEMPT} before the deadline, and nothing is retried once the caller
 * received a byte of a stream ({@link Trail#committed()});
 * <li>when the group fails, its fallbacks are tried in order: the context-window list for {@code
 * context_length_exceeded}, the content-policy list for {@code content_policy_violation}/{@code content_filter}
 * (each falling back to the general list when empty), the general list for the deployment's own failures; a
 * caller's error has no fallback.
 * </ol>
 * When every deployment's breaker is open the answer is an immediate 502 {@code deployments_unavailable} with a
 * {@code Retry-After} until the first probe. One instance per execution environment.
 */
public final class Resilience {
    /** The least time worth starting a call with: a wait that would leave less before the deadline is not made. */
    public static final Duration MIN_ATTEMPT = Duration.ofMillis(500);
    private static final long MIN_ATTEMPT_NANOS = MIN_ATTEMPT.toNanos();

    private final ResilienceConfig config;
    private final Function<String, ModelRoute> resolver;
    private final BreakerBoard board;
    private final Ticker ticker;
    private final Waits waits;
    private final RandomGenerator random;
    private final GatewayMetrics metrics;
    private final Map<String, Plan> plans = new ConcurrentHashMap<>();

    /**
     * A resilience layer.
     *
     * @param resolver a model name to its route (the {@code ModelRouter}), for fallbacks
     * @param random the jitter and weighted picks' randomness, or null for {@link ThreadLocalRandom}
     */
    public Resilience(ResilienceConfig config, Function<String, ModelRoute> resolver, BreakerBoard board,
            Ticker ticker, Waits waits, RandomGenerator random, GatewayMetrics metrics) {
        this.config = Objects.requireNonNull(config, "config");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.board = Objects.requireNonNull(board, "board");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.waits = Objects.requireNonNull(waits, "waits");
        this.random = random;
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** Local breakers only, system waits: for pipelines that share nothing (priming, tests). */
    public static Resilience local(ResilienceConfig config, Function<String, ModelRoute> resolver, Ticker ticker,
            GatewayMetrics metrics) {
        return new Resilience(config, resolver, new BreakerBoard(config.breaker(), ticker, null, null, metrics),
                ticker, Waits.system(), null, metrics);
    }

    /** The plan of model {@code model}, which the router resolved to {@code route}. */
    public Plan plan(String model, ModelRoute route) {
        Plan p = plans.get(model);
        if (p != null && (p.group().primary().equals(route) || config.groups().containsKey(model))) {
            return p;
        }
        ModelGroup g = config.groups().get(model);
        if (g == null) {
            g = ModelGroup.single(route, config.retry());
        }
        DeploymentState[] states = new DeploymentState[g.deployments().size()];
        for (int i = 0; i < states.length; i++) {
            states[i] = board.state(g.deployments().get(i));
        }
        Plan created = new Plan(model, g, states);
        if (plans.size() < 10_000) {
            plans.put(model, created);
        }
        return created;
    }

    /**
     * Runs {@code attempt} against {@code plan}'s deployments and fallbacks until one succeeds.
     *
     * @param deadline the {@link Ticker} time by which the last call must end ({@link Long#MAX_VALUE}: none)
     * @throws GatewayException the last failure when nothing succeeded
     */
    public <R> R call(Plan plan, long deadline, Trail trail, Attempt<R> attempt) {
        board.sync();
        int[] counter = {0};
        Plan current = plan;
        List<String> tried = null;
        while (true) {
            try {
                return group(current, deadline, trail, attempt, counter);
            } catch (GatewayException e) {
                if (trail.committed() || plan.group().deployments().isEmpty()) {
                    throw e;
                }
                Failures.Reason reason = Failures.reason(e);
                List<String> list = fallbacks(plan.group(), reason);
                if (list.isEmpty() || !fits(ticker.read(), 0, deadline)) {
                    throw e;
                }
                if (tried == null) {
                    tried = new java.util.ArrayList<>(4);
                    tried.add(plan.model());
                }
                Plan next = null;
                for (String name : list) {
                    if (tried.contains(name)) {
                        continue;
                    }
                    tried.add(name);
                    try {
                        next = plan(name, resolver.apply(name));
                        break;
                    } catch (GatewayException unknown) {
                        // a fallback that does not resolve is skipped
                    }
                }
                if (next == null) {
                    throw e;
                }
                metrics.fallback(current.model(), next.model(), reason.label);
                trail.fallback(next.model());
                current = next;
            }
        }
    }

    private static List<String> fallbacks(ModelGroup g, Failures.Reason reason) {
        return switch (reason) {
            case CONTEXT_WINDOW -> g.contextWindowFallbacks().isEmpty() ? g.fallbacks() : g.contextWindowFallbacks();
            case CONTENT_POLICY -> g.contentPolicyFallbacks().isEmpty() ? g.fallbacks() : g.contentPolicyFallbacks();
            case FAILURE -> g.fallbacks();
            case NONE -> List.of();
        };
    }

    private <R> R group(Plan plan, long deadline, Trail trail, Attempt<R> attempt, int[] counter) {
        RetryPolicy policy = plan.group().retry();
        DeploymentState[] states = plan.states();
        long all = states.length == 64 ? -1L : (1L << states.length) - 1;
        long failed = 0;
        long refused = 0;
        int attempts = 0;
        boolean waitedOut = false;
        GatewayException last = null;
        while (true) {
            long now = ticker.read();
            long ready = 0;
            for (int i = 0; i < states.length; i++) {
                if ((refused & (1L << i)) == 0 && states[i].ready(now) && states[i].breaker().available()) {
                    ready |= 1L << i;
                }
            }
            long fresh = ready & ~failed;
            int i = Balancer.pick(plan.group().routing(), states, fresh != 0 ? fresh : ready, rng());
            if (i < 0) {
                long cooling = cooling(states, all & ~refused, now);
                if (cooling >= 0 && attempts < policy.maxAttempts() && cooling <= policy.maxRetryAfter().toNanos()
                        && fits(now, cooling, deadline)) {
                    pause(cooling, trail);
                    waitedOut = true;
                    continue;
                }
                if (last != null) {
                    throw last;
                }
                throw unavailable(plan, states, now, cooling);
            }
            DeploymentState d = states[i];
            if (!d.breaker().tryAcquire()) {
                refused |= 1L << i; // another request took the half-open probe meanwhile
                continue;
            }
            if ((failed & (1L << i)) != 0 && !waitedOut) {
                long backoff = FullJitter.delayNanos(attempts, policy, rng());
                if (!fits(now, backoff, deadline)) {
                    d.breaker().release();
                    throw last;
                }
                pause(backoff, trail);
            }
            waitedOut = false;
            if (deadline != Long.MAX_VALUE && deadline - ticker.read() <= 0) {
                d.breaker().release(); // the invocation's time is up: not the deployment's fault
                if (last != null) {
                    throw last;
                }
                throw GatewayException.of(ErrorKind.UPSTREAM_TIMEOUT,
                        "The invocation has no time left to call the provider.");
            }
            attempts++;
            trail.attempt(d.deployment(), ++counter[0]);
            long start = ticker.read();
            d.started();
            boolean ended = false;
            try {
                R r = attempt.run(d.deployment(), policy.attemptTimeout());
                long took = ticker.read() - start;
                d.ended(took);
                ended = true;
                d.breaker().success();
                metrics.attempt(d.deployment().id(), took, null);
                return r;
            } catch (GatewayException e) {
                long end = ticker.read();
                d.ended(end - start);
                ended = true;
                if (Failures.counts(e)) {
                    d.breaker().failure();
                } else {
                    d.breaker().release();
                }
                metrics.attempt(d.deployment().id(), end - start, e.code());
                if (e.kind() == ErrorKind.RATE_LIMITED && e.retryAfterSeconds() > 0) {
                    d.coolUntil(end + e.retryAfterSeconds() * 1_000_000_000L);
                }
                if (trail.committed() || !Failures.retriable(e) || attempts >= policy.maxAttempts()
                        || !fits(end, 0, deadline)) {
                    throw e;
                }
                metrics.retry(d.deployment().id(), e.code());
                last = e;
                failed |= 1L << i;
            } catch (RuntimeException | Error other) {
                if (!ended) {
                    d.ended(ticker.read() - start);
                }
                d.breaker().release();
                throw other;
            }
        }
    }

    /** Nanoseconds until the first {@code Retry-After} among deployments whose breaker allows a call, or -1. */
    private static long cooling(DeploymentState[] states, long mask, long now) {
        long min = -1;
        for (int i = 0; i < states.length; i++) {
            if ((mask & (1L << i)) == 0 || !states[i].breaker().available()) {
                continue;
            }
            long c = states[i].coolingFor(now);
            if (c >= 0 && (min < 0 || c < min)) {
                min = c;
            }
        }
        return min;
    }

    private static GatewayException unavailable(Plan plan, DeploymentState[] states, long now, long cooling) {
        if (cooling >= 0) {
            return GatewayException.of(ErrorKind.RATE_LIMITED, "Every deployment of model '" + plan.model()
                    + "' asked to wait; retry later.").withRetryAfter(seconds(cooling));
        }
        long probe = Long.MAX_VALUE;
        for (DeploymentState s : states) {
            probe = Math.min(probe, s.breaker().openForNanos());
        }
        return GatewayException.of(ErrorKind.UPSTREAM_ERROR, "Every deployment of model '" + plan.model()
                + "' is failing; retry later.").withCode("deployments_unavailable")
                .withRetryAfter(seconds(probe == Long.MAX_VALUE ? 0 : probe));
    }

    private static long seconds(long nanos) {
        return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    }

    private static boolean fits(long now, long wait, long deadline) {
        return deadline == Long.MAX_VALUE || deadline - now - wait >= MIN_ATTEMPT_NANOS;
    }

    private void pause(long nanos, Trail trail) {
        if (nanos <= 0) {
            return;
        }
        long start = ticker.read();
        try {
            waits.pause(Duration.ofNanos(nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw GatewayException.of(ErrorKind.UPSTREAM_TIMEOUT, "The wait before a retry was interrupted.");
        } finally {
            trail.waited(ticker.read() - start);
        }
    }

    private RandomGenerator rng() {
        return random != null ? random : ThreadLocalRandom.current();
    }
}
