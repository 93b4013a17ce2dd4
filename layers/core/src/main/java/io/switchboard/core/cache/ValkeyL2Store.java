package io.switchboard.core.cache;

import io.switchboard.core.Lazy;
import io.switchboard.core.Ticker;
import io.valkey.DefaultJedisClientConfig;
import io.valkey.HostAndPort;
import io.valkey.Jedis;
import io.valkey.Pipeline;
import io.valkey.params.SetParams;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentials;

/**
 * L2 on ElastiCache for Valkey (or any Redis): one connection per environment, opened on first use with tight
 * connect and read timeouts, over TLS with an IAM token on AWS ({@code rediss://} and an IAM user) or plain TCP
 * locally. A failed command drops the connection so the next use reconnects. Also the {@link InvalidationStore}: the
 * invalidation log and batched removal of indexed entries.
 */
public final class ValkeyL2Store implements L2Store, InvalidationStore, io.switchboard.core.governance.CounterL2 {
    private static final byte[] UNLOCK = ("if redis.call('get', KEYS[1]) == ARGV[1] then "
            + "return redis.call('del', KEYS[1]) else return 0 end").getBytes(StandardCharsets.UTF_8);

    private final Lazy<Jedis> connection;
    private final ReentrantLock lock = new ReentrantLock();

    /**
     * A store for {@code settings.l2Url()}.
     *
     * @param credentials AWS credentials for IAM tokens (only used when {@code settings.iamUser()} is set)
     */
    public ValkeyL2Store(CacheSettings settings, String region, Supplier<AwsCredentials> credentials, Clock clock,
            Ticker ticker, Lazy.Listener listener) {
        this.connection = Lazy.of("l2-connection", () -> connect(settings, region, credentials, clock), ticker,
                listener);
    }

    private static Jedis connect(CacheSettings s, String region, Supplier<AwsCredentials> credentials, Clock clock) {
        int timeout = (int) Math.max(1, s.l2Timeout().toMillis());
        boolean tls = "rediss".equals(s.l2Url().getScheme());
        int port = s.l2Url().getPort() > 0 ? s.l2Url().getPort() : 6379;
        DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(Math.max(timeout, 100))
                .socketTimeoutMillis(timeout)
                .ssl(tls)
                .clientName("switchboard");
        if (s.iamUser() != null) {
            b.user(s.iamUser()).password(ElastiCacheIamToken.mint(s.cacheName(), s.iamUser(), region, s.serverless(),
                    credentials.get(), clock));
        }
        Jedis j = new Jedis(new HostAndPort(s.l2Url().getHost(), port), b.build());
        j.ping(); // connect now, inside the build's timing, so a dead L2 fails here and not mid-request
        return j;
    }

    private <T> T call(java.util.function.Function<Jedis, T> command) {
        lock.lock();
        try {
            return command.apply(connection.get());
        } catch (RuntimeException e) {
            connection.reset();
            throw e;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code command} on this environment's connection, under its lock, as every command here: for other state
     * shared through L2 (the circuit breakers'). May throw like any L2 call.
     */
    public <T> T execute(java.util.function.Function<Jedis, T> command) {
        return call(command);
    }

    @Override
    public byte[] get(String key) {
        return call(j -> j.get(key.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void put(String key, byte[] value, Duration ttl, List<String> indexKeys, Duration indexTtl) {
        call(j -> {
            byte[] k = key.getBytes(StandardCharsets.UTF_8);
            Pipeline p = j.pipelined();
            p.set(k, value, SetParams.setParams().px(ttl.toMillis()));
            for (String idx : indexKeys) {
                byte[] i = idx.getBytes(StandardCharsets.UTF_8);
                p.sadd(i, k);
                p.pexpire(i, indexTtl.toMillis());
            }
            p.sync();
            return null;
        });
    }

    @Override
    public boolean tryLock(String lockKey, String owner, Duration ttl) {
        return call(j -> "OK".equals(j.set(lockKey, owner, SetParams.setParams().nx().px(ttl.toMillis()))));
    }

    @Override
    public void unlock(String lockKey, String owner) {
        call(j -> j.eval(UNLOCK, 1, lockKey.getBytes(StandardCharsets.UTF_8),
                owner.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public LogRead readLog(long after, int maxSequences) {
        return call(j -> ValkeyInvalidation.readLog(j, after, maxSequences));
    }

    @Override
    public long appendLog(String eventId, List<InvalidationScope> scopes, Duration dedupeTtl) {
        return call(j -> ValkeyInvalidation.appendLog(j, eventId, scopes, dedupeTtl));
    }

    @Override
    public boolean recorded(String eventId) {
        return call(j -> j.get(ValkeyInvalidation.doneKey(eventId)) != null);
    }

    @Override
    public long unlinkIndexed(String indexKey, int batch) {
        long removed = 0;
        String cursor = io.valkey.params.ScanParams.SCAN_POINTER_START;
        do {
            String from = cursor;
            io.valkey.resps.ScanResult<String> page = call(j -> j.sscan(indexKey, from,
                    new io.valkey.params.ScanParams().count(batch)));
            List<String> members = page.getResult();
            if (!members.isEmpty()) {
                removed += call(j -> ValkeyInvalidation.unlinkMembers(j, indexKey, members));
            }
            cursor = page.getCursor();
        } while (!io.valkey.params.ScanParams.SCAN_POINTER_START.equals(cursor));
        return removed;
    }

    @Override
    public long unlink(List<String> keys) {
        return keys.isEmpty() ? 0 : call(j -> ValkeyInvalidation.unlinkMembers(j, null, keys));
    }

    @Override
    public List<Object> pipeline(List<String[]> commands) {
        return call(j -> {
            io.valkey.Connection c = j.getConnection();
            for (String[] command : commands) {
                String[] args = java.util.Arrays.copyOfRange(command, 1, command.length);
                c.sendCommand(io.valkey.Protocol.Command.valueOf(command[0]), args);
            }
            return c.getMany(commands.size()); // one flush, then every reply
        });
    }

    /**
     * Runs {@code script} by its SHA-1 ({@code EVALSHA}), sending its source only when the server does not know it
     * yet ({@code NOSCRIPT}): one round trip once loaded.
     */
    @Override
    public Object runScript(io.switchboard.core.governance.LuaScript script, List<String> keys, List<String> args) {
        return call(j -> {
            try {
                return j.evalsha(script.sha1(), keys, args);
            } catch (io.valkey.exceptions.JedisNoScriptException notLoaded) {
                return j.eval(script.source(), keys, args);
            }
        });
    }

    /** Whether a connection is open now. */
    public boolean connected() {
        return connection.isBuilt();
    }

    @Override
    public void close() {
        connection.reset();
    }
}
