package io.switchboard.core.governance;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.core.Ticker;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.chat.ChatMessage;
import io.switchboard.shared.chat.ChatRequest;
import io.switchboard.shared.chat.Usage;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The request path's governance, in three calls: {@link #authenticate} (environment keys, then the key table through
 * the {@link KeyDirectory}), {@link #admit} (the key's models, then rate limits and budgets in one L2 call, giving
 * the {@code x-ratelimit-*} headers) and, once the answer is written, {@link #settle} (tokens corrected, spend priced
 * and buffered); {@link #flush} writes the buffered spend at the end of the invocation.
 *
 * <p>With L2 unreachable a request is admitted unchecked (fail-open, the default; {@code RateLimiterUnavailable}
 * counts it) or refused with 429 {@code rate_limiter_unavailable} (fail-closed); after a failure L2 is not asked
 * again for one second, so an outage costs one timeout per second per environment, not one per request.
 */
public final class Governance {
    private static final BigDecimal NANOS_PER_USD = BigDecimal.valueOf(1_000_000_000L);
    private static final long RETRY_L2_AFTER_NANOS = 1_000_000_000L;

    private final KeyDirectory keys;
    private final RateLimiter limiter;
    private final boolean failClosed;
    private final PriceTable prices;
    private final SpendRecorder spend;
    private final InstantSource clock;
    private final Ticker ticker;
    private final GovernanceMetrics metrics;
    private final int estimatedCompletionTokens;
    private volatile boolean l2Down;
    private volatile long l2DownUntil;

    /**
     * Governance over its collaborators.
     *
     * @param limiter null: no rate limits or budgets (no L2)
     * @param spend null: spend is not recorded
     */
    public Governance(KeyDirectory keys, RateLimiter limiter, boolean failClosed, PriceTable prices,
            SpendRecorder spend, InstantSource clock, Ticker ticker, GovernanceMetrics metrics,
            int estimatedCompletionTokens) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.limiter = limiter;
        this.failClosed = failClosed;
        this.prices = Objects.requireNonNull(prices, "prices");
        this.spend = spend;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.estimatedCompletionTokens = estimatedCompletionTokens;
    }

    /** The caller of {@code authorization}; 401 for a missing, unknown, revoked or expired key. */
    public Principal authenticate(String authorization) {
        return keys.resolve(authorization);
    }

    /**
     * Admits {@code caller} to {@code model} reserving {@code estimatedTokens}: 404 {@code model_not_found} (as for a
     * model that does not exist) when the key may not use it; otherwise a grant whose {@link Grant#refusal()} is the
     * 429 when a limit or budget is reached.
     */
    public Grant admit(Principal caller, String model, long estimatedTokens) {
        if (!caller.allows(model)) {
            throw unknownModel(model);
        }
        long now = clock.millis();
        if (limiter == null || caller.key() == null) {
            return new Grant(caller, Reservation.UNLIMITED, Map.of(), null, now);
        }
        if (l2Down) {
            if (ticker.read() - l2DownUntil < 0) {
                return unavailable(caller, now);
            }
            l2Down = false;
        }
        Reservation r;
        try {
            r = limiter.acquire(caller, estimatedTokens, now);
        } catch (RuntimeException e) {
            l2DownUntil = ticker.read() + RETRY_L2_AFTER_NANOS;
            l2Down = true;
            return unavailable(caller, now);
        }
        Map<String, String> headers = headers(r);
        return new Grant(caller, r, headers, r.denied() == null ? null : refusal(r), now);
    }

    private Grant unavailable(Principal caller, long now) {
        metrics.limiterUnavailable();
        GatewayException refusal = failClosed ? GatewayException.of(ErrorKind.RATE_LIMITED,
                "Rate limits cannot be checked right now; retry shortly.").withCode("rate_limiter_unavailable")
                .withRetryAfter(1) : null;
        return new Grant(caller, Reservation.UNLIMITED, Map.of(), refusal, now);
    }

    private static GatewayException refusal(Reservation r) {
        long seconds = Math.max(1, (r.retryAfterMillis() + 999) / 1000);
        return switch (r.denied()) {
            case REQUESTS -> GatewayException.of(ErrorKind.RATE_LIMITED, "Rate limit reached for requests per "
                    + "minute on this key or its tenant. Retry after " + seconds + " s.").withRetryAfter(seconds);
            case TOKENS -> GatewayException.of(ErrorKind.RATE_LIMITED, "Rate limit reached for tokens per minute on "
                    + "this key or its tenant. Retry after " + seconds + " s.").withRetryAfter(seconds);
            case BUDGET_DAILY -> GatewayException.of(ErrorKind.RATE_LIMITED, "This key's daily budget is spent; it "
                    + "resets at 00:00 UTC.").withCode("budget_exceeded").withRetryAfter(seconds);
            case BUDGET_MONTHLY -> GatewayException.of(ErrorKind.RATE_LIMITED, "This key's monthly budget is spent;"
                    + " it resets on the 1st at 00:00 UTC.").withCode("budget_exceeded").withRetryAfter(seconds);
        };
    }

    /** OpenAI's {@code x-ratelimit-*} headers for {@code r}. */
    static Map<String, String> headers(Reservation r) {
        if (r.requests() == null && r.tokens() == null) {
            return Map.of();
        }
        Map<String, String> h = new HashMap<>(8);
        if (r.requests() != null) {
            h.put("x-ratelimit-limit-requests", Long.toString(r.requests().limit()));
            h.put("x-ratelimit-remaining-requests", Long.toString(r.requests().remaining()));
            h.put("x-ratelimit-reset-requests", duration(r.requests().resetMillis()));
        }
        if (r.tokens() != null) {
            h.put("x-ratelimit-limit-tokens", Long.toString(r.tokens().limit()));
            h.put("x-ratelimit-remaining-tokens", Long.toString(r.tokens().remaining()));
            h.put("x-ratelimit-reset-tokens", duration(r.tokens().resetMillis()));
        }
        return h;
    }

    /** A duration the way OpenAI writes it: {@code 250ms}, {@code 12.5s}, {@code 1m0s}. */
    static String duration(long millis) {
        if (millis < 1000) {
            return millis + "ms";
        }
        if (millis < 60_000) {
            long s = millis / 1000;
            long rest = millis % 1000;
            if (rest == 0) {
                return s + "s";
            }
            // the milliseconds as three digits without trailing zeros (no String.format, no regex: every response)
            String frac = Long.toString(1000 + rest).substring(1);
            int end = 3;
            while (frac.charAt(end - 1) == '0') {
                end--;
            }
            return s + "." + frac.substring(0, end) + "s";
        }
        return (millis / 60_000) + "m" + (millis % 60_000) / 1000 + "s";
    }

    /**
     * Settles {@code grant} with what the request used: tokens corrected in L2, cost added to the key's budgets and
     * buffered for the usage table. Never throws (an unreachable L2 is counted).
     */
    public void settle(Grant grant, String model, Usage usage) {
        if (grant == null || grant.refusal() != null) {
            return;
        }
        Usage u = usage == null ? Usage.NONE : usage;
        long cached = cachedTokens(u);
        Price price = prices.price(model);
        BigDecimal cost = price == null ? BigDecimal.ZERO : price.cost(u.promptTokens(), cached, u.completionTokens());
        Reservation r = grant.reservation();
        if (limiter != null && r.ticket() != null) {
            try {
                limiter.settle(r, (long) u.promptTokens() + u.completionTokens(),
                        cost.multiply(NANOS_PER_USD).setScale(0, RoundingMode.CEILING).longValueExact());
            } catch (RuntimeException e) {
                metrics.limiterUnavailable();
            }
        }
        metrics.spent(grant.principal().tenant().id(), u.promptTokens(), u.completionTokens(), cost.doubleValue());
        if (spend != null) {
            LocalDate day = Instant.ofEpochMilli(grant.startedAtMillis()).atZone(ZoneOffset.UTC).toLocalDate();
            spend.record(new SpendKey(grant.principal().tenant().id(), grant.principal().keyId(),
                    model == null ? "unknown" : model, day),
                    new SpendTotals(1, u.promptTokens(), u.completionTokens(), cached, cost));
        }
    }

    /**
     * Writes buffered spend if it is due (called as each invocation ends, after the answer; see
     * {@link SpendRecorder}). Never throws.
     */
    public void flush() {
        if (spend != null) {
            int failed = spend.flushIfDue();
            if (failed > 0) {
                metrics.spendFlushFailed(failed);
            }
        }
    }

    /** Writes all buffered spend now (before a checkpoint, on shutdown). Never throws. */
    public void flushAll() {
        if (spend != null) {
            int failed = spend.flush();
            if (failed > 0) {
                metrics.spendFlushFailed(failed);
            }
        }
    }

    /** The request's token estimate: its text at 4 characters a token plus its completion cap per choice. */
    public long estimate(ChatRequest chat) {
        long chars = 0;
        for (ChatMessage m : chat.messages()) {
            JsonNode c = m.content();
            chars += c == null ? 0 : c.isTextual() ? c.asText().length() : c.toString().length();
        }
        Integer cap = chat.tokenLimit();
        return (chars + 3) / 4 + (long) (cap != null ? cap : estimatedCompletionTokens) * Math.max(1, chat.choices());
    }

    /**
     * The 404 a key gets for a model it may not use: the words of a model that does not exist, without the close
     * matches an unrestricted caller is offered (they could name models the key may not use).
     */
    public static GatewayException unknownModel(String model) {
        return GatewayException.of(ErrorKind.MODEL_NOT_FOUND, "The model '" + printable(model)
                + "' does not exist or is not served by this gateway.").withParam("model");
    }

    /** The key directory (admin cache control, tests). */
    public KeyDirectory keys() {
        return keys;
    }

    private static long cachedTokens(Usage u) {
        JsonNode details = u.extensions().get("prompt_tokens_details");
        return details == null ? 0 : Math.max(0, details.path("cached_tokens").asLong(0));
    }

    private static String printable(String s) {
        String shown = s.length() > 100 ? s.substring(0, 100) + "..." : s;
        return shown.replaceAll("[\\p{Cntrl}'\"\\\\]", "?");
    }
}
