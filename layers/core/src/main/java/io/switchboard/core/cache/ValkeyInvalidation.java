package io.switchboard.core.cache;

import io.valkey.Jedis;
import io.valkey.Pipeline;
import io.valkey.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The invalidation log's commands on one Valkey connection (used by {@link ValkeyL2Store} under its lock). */
final class ValkeyInvalidation {
    // One hash tag: every key the log script touches lives in one slot (ElastiCache Serverless is clustered).
    static final String SEQ = CacheKey.PREFIX + "inv:{log}:seq";
    static final String ID = CacheKey.PREFIX + "inv:{log}:id";
    static final String LOG = CacheKey.PREFIX + "inv:{log}:entries";
    /** Atomic: dedupe by event id, create the incarnation id if missing, take a sequence, log the scopes, trim. */
    private static final String APPEND = """
            if redis.call('SET', KEYS[4], '1', 'NX', 'PX', ARGV[2]) == false then return -1 end
            redis.call('SET', KEYS[2], ARGV[1], 'NX')
            local n = redis.call('INCR', KEYS[1])
            for i = 4, #ARGV do redis.call('ZADD', KEYS[3], n, n .. '|' .. ARGV[i]) end
            redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. (n - tonumber(ARGV[3]) + 1))
            return n
            """;

    private ValkeyInvalidation() {
    }

    static String doneKey(String eventId) {
        return CacheKey.PREFIX + "inv:{log}:done:" + eventId;
    }

    static InvalidationStore.LogRead readLog(Jedis j, long after, int maxSequences) {
        Pipeline p = j.pipelined();
        Response<List<String>> state = p.mget(SEQ, ID);
        Response<List<String>> log = p.zrangeByScore(LOG, "(" + after, Long.toString(after + maxSequences));
        p.sync();
        String seq = state.get().get(0);
        List<InvalidationStore.LogEntry> entries = new ArrayList<>();
        for (String m : log.get()) {
            int bar = m.indexOf('|');
            entries.add(new InvalidationStore.LogEntry(Long.parseLong(m.substring(0, bar)),
                    InvalidationScope.decode(m.substring(bar + 1))));
        }
        return new InvalidationStore.LogRead(state.get().get(1), seq == null ? 0 : Long.parseLong(seq), entries);
    }

    static long appendLog(Jedis j, String eventId, List<InvalidationScope> scopes, Duration dedupeTtl) {
        List<String> args = new ArrayList<>(3 + scopes.size());
        args.add(UUID.randomUUID().toString());
        args.add(Long.toString(Math.max(1, dedupeTtl.toMillis())));
        args.add(Integer.toString(InvalidationStore.LOG_KEEP));
        for (InvalidationScope s : scopes) {
            args.add(s.encode());
        }
        Object n = j.eval(APPEND, List.of(SEQ, ID, LOG, doneKey(eventId)), args);
        return ((Number) n).longValue();
    }

    /** One UNLINK per entry (entries live in different slots), then one SREM, all in one round trip. */
    static long unlinkMembers(Jedis j, String indexKey, List<String> members) {
        Pipeline p = j.pipelined();
        List<Response<Long>> unlinked = new ArrayList<>(members.size());
        for (String m : members) {
            unlinked.add(p.unlink(m));
        }
        if (indexKey != null) {
            p.srem(indexKey, members.toArray(String[]::new));
        }
        p.sync();
        long n = 0;
        for (Response<Long> r : unlinked) {
            n += r.get();
        }
        return n;
    }
}
