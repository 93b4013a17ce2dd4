package io.switchboard.core.governance.internal;

import io.switchboard.core.governance.LuaScript;
import io.switchboard.core.governance.Principal;
import io.switchboard.core.governance.RateLimiter;
import io.switchboard.core.governance.Reservation;
import io.switchboard.core.governance.ScriptRunner;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The {@link RateLimiter} in Valkey: a sliding-window counter per limit (the current and the previous minute's
 * counts, the previous one weighted by how much of it still overlaps the last 60 s), checked and incremented by one
 * Lua script, so concurrent environments can never together pass a limit. Every counter has a TTL (two windows for
 * rate counters; the end of the day or month plus a margin for spend). All keys of one request share the tenant's
 * hash tag ({@code {t:<tenant>}}), so the script runs on one shard of a cluster.
 *
 * <p>Spend is counted in nano-USD (integers), rounded up per request.
 */
public final class ValkeyRateLimiter implements RateLimiter {
    /** The window: one minute. */
    public static final long WINDOW_MILLIS = 60_000;

    static final LuaScript ACQUIRE = LuaScript.of("""
            local now = tonumber(ARGV[1])
            local win = tonumber(ARGV[2])
            local n = tonumber(ARGV[3])
            local b = tonumber(ARGV[4])
            local elapsed = now % win
            local weight = (win - elapsed) / win
            local v = redis.call('MGET', unpack(KEYS))
            local deny = 0
            local retry = 0
            local used = {}
            local costs = {}
            for i = 1, n do
              local limit = tonumber(ARGV[4 + 2 * i - 1])
              local cost = math.min(tonumber(ARGV[4 + 2 * i]), limit)
              local cur = tonumber(v[2 * i - 1] or '0')
              local prev = tonumber(v[2 * i] or '0')
              local u = prev * weight + cur
              used[i] = u
              costs[i] = cost
              if deny == 0 and u + cost > limit then
                deny = i
                if cur + cost > limit then
                  local e = 0
                  if cur > 0 then e = win * (1 - (limit - cost) / cur) end
                  retry = (win - elapsed) + math.max(0, e)
                else
                  local e = win * (1 - (limit - cur - cost) / prev)
                  retry = math.max(1, e - elapsed)
                end
              end
            end
            if deny == 0 then
              for j = 1, b do
                if tonumber(v[2 * n + j] or '0') >= tonumber(ARGV[4 + 2 * n + j]) then
                  deny = -j
                  break
                end
              end
            end
            local out = {deny, math.ceil(retry)}
            for i = 1, n do
              local left = tonumber(ARGV[4 + 2 * i - 1]) - used[i]
              if deny == 0 then
                local c = redis.call('INCRBY', KEYS[2 * i - 1], costs[i])
                if c == costs[i] then redis.call('PEXPIRE', KEYS[2 * i - 1], 2 * win) end
                left = left - costs[i]
              end
              out[#out + 1] = math.max(0, math.floor(left))
            end
            return out
            """);

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

    private static final BigDecimal NANOS_PER_USD = BigDecimal.valueOf(1_000_000_000L);

    private final ScriptRunner l2;

    /** A limiter whose counters live in the L2 {@code l2} reaches. */
    public ValkeyRateLimiter(ScriptRunner l2) {
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
        List<String> keys = new ArrayList<>(limits.size() * 2 + spendKeys.size());
        List<String> args = new ArrayList<>(4 + limits.size() * 2 + spendKeys.size());
        args.add(Long.toString(nowMillis));
        args.add(Long.toString(WINDOW_MILLIS));
        args.add(Integer.toString(limits.size()));
        args.add(Integer.toString(spendKeys.size()));
        List<String> tokenKeys = new ArrayList<>(2);
        for (Limit l : limits) {
            keys.add(l.base() + idx);
            keys.add(l.base() + (idx - 1));
            args.add(Long.toString(l.limit()));
            args.add(Long.toString(Math.max(0, l.cost())));
            if (l.kind() == Kind.TOKENS) {
                tokenKeys.add(l.base() + idx);
            }
        }
        keys.addAll(spendKeys);
        args.addAll(spendLimits);
        List<?> reply = (List<?>) l2.run(ACQUIRE, keys, args);
        long deny = ((Number) reply.get(0)).longValue();
        long retry = ((Number) reply.get(1)).longValue();
        long resetMillis = WINDOW_MILLIS - nowMillis % WINDOW_MILLIS;
        Reservation.LimitState requests = null;
        Reservation.LimitState tokens = null;
        for (int i = 0; i < limits.size(); i++) {
            Limit l = limits.get(i);
            long left = ((Number) reply.get(2 + i)).longValue();
            Reservation.LimitState s = new Reservation.LimitState(l.limit(), left, resetMillis);
            if (l.kind() == Kind.REQUESTS) {
                requests = requests == null || left < requests.remaining() ? s : requests;
            } else {
                tokens = tokens == null || left < tokens.remaining() ? s : tokens;
            }
        }
        Reservation.Denial denial = null;
        if (deny > 0) {
            denial = limits.get((int) deny - 1).kind() == Kind.REQUESTS ? Reservation.Denial.REQUESTS
                    : Reservation.Denial.TOKENS;
        } else if (deny < 0) {
            int j = (int) -deny - 1;
            denial = spendKinds.get(j);
            retry = spendEnds.get(j) - (denial == Reservation.Denial.BUDGET_DAILY ? 3_600_000L : 86_400_000L)
                    - nowMillis;
        }
        long reserved = denial == null && !tokenKeys.isEmpty() ? estimatedTokens : 0;
        return new Reservation(denial, retry, requests, tokens, reserved,
                denial == null ? new Ticket(tokenKeys, spendKeys, spendEnds) : null);
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
        l2.run(SETTLE, keys, args);
    }

    private static String nanos(BigDecimal usd) {
        return usd.multiply(NANOS_PER_USD).setScale(0, java.math.RoundingMode.CEILING).toPlainString();
    }
}
