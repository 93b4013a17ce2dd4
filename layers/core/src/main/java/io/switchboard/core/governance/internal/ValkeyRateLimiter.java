package io.switchboard.core.governance.internal;

import io.switchboard.core.governance.LuaScript;
import io.switchboard.core.governance.Principal;
import io.switchboard.core.governance.RateLimiter;
import io.switchboard.core.governance.Reservation;
import io.switchboard.core.governance.CounterL2;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The {@link RateLimiter} in Valkey: a sliding-window counter per limit (the current and the previous minute's
 * counts, the previous one weighted by how much of it still overlaps the last 60 s). One round trip per request, with
 * no script: the request's cost is added to each current counter first ({@code INCRBY}, atomic per counter), the
 * previous counters and the budgets' spend counters are read in the same write (one {@code MGET}), and the request is
 * admitted only if every limit still holds with its own cost counted. Increment-then-check can never admit more than
 * a limit (each admitted request saw a total, its own cost included, within the limit, and totals only grow within a
 * window), however many environments race; a refused request gives its increments back in a second round trip (only
 * refusals pay it), and until then may make a concurrent request near the limit be refused too (never admitted). A
 * Lua script did the same check-and-count atomically, but cost redis 12.7 µs per call against 2-3 µs for the plain
 * commands (measured with {@code INFO commandstats}), most of it the script VM, not the counters.
 *
 * <p>Every counter has a TTL: two windows from the first count each environment makes in a window ({@code PEXPIRE}
 * in that request's round trip, not in every one: it cost 1.3 µs of the round trip per counter), so a counter, which
 * is only counted during its own window, outlives the next window in which it is read as the previous one; a counter
 * an environment finds new after it set the TTL (evicted, deleted) gets one at once. Spend counters live until the
 * end of their day or month plus a margin. All keys of one request share the tenant's hash tag ({@code {t:<tenant>}}),
 * so they live on one shard of a cluster. Spend is counted in nano-USD (integers), rounded up per request, by
 * {@link #settle}'s script after the answer (off the critical path).
 */
public final class ValkeyRateLimiter implements RateLimiter {
    /** The window: one minute. */
    public static final long WINDOW_MILLIS = 60_000;

    static final LuaScript SETTLE = LuaScript.of("""
            local delta = tonumber(ARGV[1])
            local t = tonumber(ARGV[2])
            for i = 1, t do
              if redis.call('EXISTS', KEYS[i]) == 1 then
                local v = redis.call('INCRBY', KEYS[i], delta)
                if v < 0 then redis.call('SET', KEYS[i], 0, 'KEEPTTL') end
              end
            end
            local cost = tonumber(ARGV[3])
            if cost > 0 then
              for j = t + 1, #KEYS do
                redis.call('INCRBY', KEYS[j], cost)
                redis.call('PEXPIREAT', KEYS[j], tonumber(ARGV[3 + j - t]))
              end
            end
            return 1
            """);

    private static final String TWO_WINDOWS = Long.toString(2 * WINDOW_MILLIS);
    private static final BigDecimal NANOS_PER_USD = BigDecimal.valueOf(1_000_000_000L);

    /** How many counters' TTL windows one environment remembers before it starts again. */
    private static final int MAX_REMEMBERED = 4096;

    private final CounterL2 l2;
    /** Per counter (its key without the window): the window this environment set its TTL in. */
    private final java.util.Map<String, Long> expiresSet = new java.util.concurrent.ConcurrentHashMap<>();

    /** A limiter whose counters live in the L2 {@code l2} reaches. */
    public ValkeyRateLimiter(CounterL2 l2) {
        this.l2 = Objects.requireNonNull(l2, "l2");
    }

    /** What settle needs: the token counters of the reservation's window, the spend counters and their ends. */
    private record Ticket(List<String> tokenKeys, List<String> spendKeys, List<Long> spendExpireAt) {
    }

    private enum Kind { REQUESTS, TOKENS }

    private record Limit(Kind kind, String base, long limit, long cost) {
    }

    @Override
    public Reservation acquire(Principal caller, long estimatedTokens, long nowMillis) {
        String tag = "gov:{t:" + caller.tenant().id() + "}:";
        String keyTag = tag + "k:" + caller.keyId() + ":";
        List<Limit> limits = new ArrayList<>(4);
        var key = caller.key();
        if (key != null && key.rpm() > 0) {
            limits.add(new Limit(Kind.REQUESTS, keyTag + "rpm:", key.rpm(), 1));
        }
        if (key != null && key.tpm() > 0) {
            limits.add(new Limit(Kind.TOKENS, keyTag + "tpm:", key.tpm(), estimatedTokens));
        }
        if (caller.tenantLimits().rpm() > 0) {
            limits.add(new Limit(Kind.REQUESTS, tag + "rpm:", caller.tenantLimits().rpm(), 1));
        }
        if (caller.tenantLimits().tpm() > 0) {
            limits.add(new Limit(Kind.TOKENS, tag + "tpm:", caller.tenantLimits().tpm(), estimatedTokens));
        }
        List<String> spendKeys = new ArrayList<>(2);
        List<Long> spendEnds = new ArrayList<>(2);
        List<String> spendLimits = new ArrayList<>(2);
        List<Reservation.Denial> spendKinds = new ArrayList<>(2);
        LocalDate day = Instant.ofEpochMilli(nowMillis).atZone(ZoneOffset.UTC).toLocalDate();
        if (key != null && key.budgetDailyUsd() != null) {
            spendKeys.add(keyTag + "spend:d:" + day);
            spendEnds.add(day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli() + 3_600_000L);
            spendLimits.add(nanos(key.budgetDailyUsd()));
            spendKinds.add(Reservation.Denial.BUDGET_DAILY);
        }
        if (key != null && key.budgetMonthlyUsd() != null) {
            spendKeys.add(keyTag + "spend:m:" + day.getYear() + "-" + day.getMonthValue());
            spendEnds.add(day.withDayOfMonth(1).plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant()
                    .toEpochMilli() + 86_400_000L);
            spendLimits.add(nanos(key.budgetMonthlyUsd()));
            spendKinds.add(Reservation.Denial.BUDGET_MONTHLY);
        }
        if (limits.isEmpty() && spendKeys.isEmpty()) {
            return Reservation.UNLIMITED;
        }
        long idx = nowMillis / WINDOW_MILLIS;
        long elapsed = nowMillis % WINDOW_MILLIS;
        double weight = (double) (WINDOW_MILLIS - elapsed) / WINDOW_MILLIS;
        int n = limits.size();
        List<String[]> commands = new ArrayList<>(2 * n + 1);
        long[] costs = new long[n];
        int[] incrAt = new int[n];
        boolean[] expiring = new boolean[n];
        String[] reads = new String[1 + n + spendKeys.size()];
        reads[0] = "MGET";
        String[] current = new String[n];
        String window = Long.toString(idx);
        String previous = Long.toString(idx - 1);
        for (int i = 0; i < n; i++) {
            Limit l = limits.get(i);
            costs[i] = Math.min(Math.max(0, l.cost()), l.limit()); // a request larger than the limit is checked as the limit
            String cur = current[i] = l.base() + window;
            incrAt[i] = commands.size();
            commands.add(new String[] {"INCRBY", cur, Long.toString(costs[i])});
            // the counter's TTL: with this environment's first count of the window (a zero cost creates it too)
            Long ttlWindow = expiresSet.get(l.base());
            expiring[i] = costs[i] == 0 || ttlWindow == null || ttlWindow != idx;
            if (expiring[i]) {
                commands.add(new String[] {"PEXPIRE", cur, TWO_WINDOWS});
            }
            reads[1 + i] = l.base() + previous;
        }
        for (int j = 0; j < spendKeys.size(); j++) {
            reads[1 + n + j] = spendKeys.get(j);
        }
        int readAt = commands.size();
        commands.add(reads);
        List<Object> reply = l2.pipeline(commands);
        List<?> values = values(reply.get(readAt), reads.length - 1);
        ensureExpiry(limits, costs, incrAt, expiring, reply, idx);
        int deny = 0;
        double retry = 0;
        double[] used = new double[n]; // with this request's cost
        for (int i = 0; i < n; i++) {
            long limit = limits.get(i).limit();
            long after = integer(reply.get(incrAt[i]));
            long prev = integer(values.get(i));
            long cur = after - costs[i]; // what others had counted before this request
            used[i] = prev * weight + after;
            if (deny == 0 && used[i] > limit) {
                deny = i + 1;
                if (after > limit) {
                    double e = cur > 0 ? WINDOW_MILLIS * (1 - (double) (limit - costs[i]) / cur) : 0;
                    retry = (WINDOW_MILLIS - elapsed) + Math.max(0, e);
                } else {
                    double e = WINDOW_MILLIS * (1 - (double) (limit - after) / prev);
                    retry = Math.max(1, e - elapsed);
                }
            }
        }
        if (deny == 0) {
            for (int j = 0; j < spendKeys.size(); j++) {
                if (integer(values.get(n + j)) >= Long.parseLong(spendLimits.get(j))) {
                    deny = -(j + 1);
                    break;
                }
            }
        }
        if (deny != 0 && n > 0) {
            giveBack(limits, costs, idx);
        }
        long resetMillis = WINDOW_MILLIS - elapsed;
        Reservation.LimitState requests = null;
        Reservation.LimitState tokens = null;
        List<String> tokenKeys = new ArrayList<>(2);
        for (int i = 0; i < n; i++) {
            Limit l = limits.get(i);
            double counted = deny == 0 ? used[i] : used[i] - costs[i];
            long left = Math.max(0, (long) Math.floor(l.limit() - counted));
            Reservation.LimitState st = new Reservation.LimitState(l.limit(), left, resetMillis);
            if (l.kind() == Kind.REQUESTS) {
                requests = requests == null || left < requests.remaining() ? st : requests;
            } else {
                tokens = tokens == null || left < tokens.remaining() ? st : tokens;
                tokenKeys.add(current[i]);
            }
        }
        long retryMillis = (long) Math.ceil(retry);
        Reservation.Denial denial = null;
        if (deny > 0) {
            denial = limits.get(deny - 1).kind() == Kind.REQUESTS ? Reservation.Denial.REQUESTS
                    : Reservation.Denial.TOKENS;
        } else if (deny < 0) {
            int j = -deny - 1;
            denial = spendKinds.get(j);
            retryMillis = spendEnds.get(j) - (denial == Reservation.Denial.BUDGET_DAILY ? 3_600_000L : 86_400_000L)
                    - nowMillis;
        }
        long reserved = denial == null && !tokenKeys.isEmpty() ? estimatedTokens : 0;
        return new Reservation(denial, retryMillis, requests, tokens, reserved,
                denial == null ? new Ticket(tokenKeys, spendKeys, spendEnds) : null);
    }

    /**
     * Records the counters whose TTL this round trip set, and sets it on any counter this environment had already
     * given one this window but that the round trip found new (its count equals this request's cost: the counter was
     * evicted or deleted since), in a second round trip — rare, and never left out: no counter lives without a TTL.
     */
    private void ensureExpiry(List<Limit> limits, long[] costs, int[] incrAt, boolean[] expiring, List<Object> reply,
            long idx) {
        List<String[]> missing = null;
        for (int i = 0; i < limits.size(); i++) {
            String base = limits.get(i).base();
            if (expiring[i]) {
                if (!(reply.get(incrAt[i] + 1) instanceof RuntimeException) && costs[i] > 0) {
                    if (expiresSet.size() >= MAX_REMEMBERED) {
                        expiresSet.clear(); // many keys in one environment: they only cost a PEXPIRE again
                    }
                    expiresSet.put(base, idx);
                }
            } else if (integer(reply.get(incrAt[i])) == costs[i]) {
                if (missing == null) {
                    missing = new ArrayList<>(2);
                }
                missing.add(new String[] {"PEXPIRE", base + idx, TWO_WINDOWS});
            }
        }
        if (missing != null) {
            l2.pipeline(missing);
        }
    }

    /** The replies of one {@code MGET} of {@code count} keys. */
    private static List<?> values(Object reply, int count) {
        if (reply instanceof List<?> l && l.size() == count) {
            return l;
        }
        if (reply instanceof RuntimeException e) {
            throw e;
        }
        throw new IllegalStateException("unexpected L2 reply to MGET");
    }

    /** A refused request's increments, given back (best effort: a failure only over-counts, for two windows). */
    private void giveBack(List<Limit> limits, long[] costs, long idx) {
        List<String[]> commands = new ArrayList<>(limits.size());
        for (int i = 0; i < limits.size(); i++) {
            if (costs[i] > 0) {
                commands.add(new String[] {"DECRBY", limits.get(i).base() + idx, Long.toString(costs[i])});
            }
        }
        if (!commands.isEmpty()) {
            try {
                l2.pipeline(commands);
            } catch (RuntimeException e) {
                // the refusal stands; the counters stay high until their window passes
            }
        }
    }

    private static long integer(Object reply) {
        if (reply == null) {
            return 0;
        }
        if (reply instanceof Long l) {
            return l;
        }
        if (reply instanceof byte[] b) {
            return Long.parseLong(new String(b, java.nio.charset.StandardCharsets.US_ASCII));
        }
        if (reply instanceof RuntimeException e) {
            throw e;
        }
        throw new IllegalStateException("unexpected L2 reply " + reply.getClass().getSimpleName());
    }

    @Override
    public void settle(Reservation reservation, long actualTokens, long costNanoUsd) {
        if (!(reservation.ticket() instanceof Ticket t)) {
            return;
        }
        long delta = actualTokens - reservation.reservedTokens();
        List<String> tokenKeys = delta == 0 ? List.of() : t.tokenKeys();
        List<String> spendKeys = costNanoUsd > 0 ? t.spendKeys() : List.of();
        if (tokenKeys.isEmpty() && spendKeys.isEmpty()) {
            return;
        }
        List<String> keys = new ArrayList<>(tokenKeys);
        keys.addAll(spendKeys);
        List<String> args = new ArrayList<>();
        args.add(Long.toString(delta));
        args.add(Integer.toString(tokenKeys.size()));
        args.add(Long.toString(costNanoUsd));
        for (int j = 0; j < spendKeys.size(); j++) {
            args.add(Long.toString(t.spendExpireAt().get(j)));
        }
        l2.runScript(SETTLE, keys, args);
    }

    private static String nanos(BigDecimal usd) {
        return usd.multiply(NANOS_PER_USD).setScale(0, java.math.RoundingMode.CEILING).toPlainString();
    }
}
