package io.switchboard.core.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.core.Lazy;
import io.switchboard.core.cache.CacheKey;
import io.switchboard.core.cache.CacheSettings;
import io.switchboard.core.cache.CacheTrace;
import io.switchboard.core.cache.L1Cache;
import io.switchboard.core.cache.L2Guard;
import io.switchboard.core.cache.L2Store;
import io.switchboard.core.cache.RedisServer;
import io.switchboard.core.cache.ResponseCache;
import io.switchboard.core.cache.ValkeyL2Store;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The stampede-lock wait ends by the request's deadline: while another environment holds the lock in a real
 * {@code redis-server}, a request with no time left for waiting tries the lock once and goes on, instead of waiting
 * the configured {@code lockWait}.
 */
class CacheLockDeadlineTest {
    /** The real store, counting lock attempts and reads. */
    private record Counting(L2Store real, AtomicInteger locks, AtomicInteger gets) implements L2Store {
        @Override
        public byte[] get(String key) {
            gets.incrementAndGet();
            return real.get(key);
        }

        @Override
        public void put(String key, byte[] value, Duration ttl, List<String> indexKeys, Duration indexTtl) {
            real.put(key, value, ttl, indexKeys, indexTtl);
        }

        @Override
        public boolean tryLock(String lockKey, String owner, Duration ttl) {
            locks.incrementAndGet();
            return real.tryLock(lockKey, owner, ttl);
        }

        @Override
        public void unlock(String lockKey, String owner) {
            real.unlock(lockKey, owner);
        }

        @Override
        public void close() {
            real.close();
        }
    }

    @Test
    void lockHeldElsewhere_noTimeLeft_oneTryAndNoWait() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            FakeTime time = FakeTime.manual();
            CacheSettings d = CacheSettings.DEFAULTS;
            CacheSettings s = new CacheSettings(true, true, d.l1MaxBytes(), d.l1Ttl(), d.ttl(), d.maxTtl(),
                    URI.create(redis.url()), null, null, false, Duration.ofMillis(500), 3, d.openFor(),
                    d.compressMinBytes(), d.lockTtl(), Duration.ofSeconds(10));
            Lazy.Listener quiet = (name, nanos) -> { };
            ValkeyL2Store store = new ValkeyL2Store(s, "us-east-1", () -> null, Clock.systemUTC(), time, quiet);
            Counting counting = new Counting(store, new AtomicInteger(), new AtomicInteger());
            try (ResponseCache cache = new ResponseCache(s, new L1Cache(1 << 20, d.l1Ttl(), time), counting,
                    new L2Guard(3, d.openFor(), time), time)) {
                CacheKey key = new CacheKey("t", "default", "digest-1", "up", "m");
                assertTrue(store.tryLock(key.lockKey(), "other-environment", Duration.ofSeconds(30)));

                ResponseCache.Lease lease = cache.acquire(key, new CacheTrace(), time.read());
                assertFalse(lease.owned());
                assertNull(lease.value());
                assertEquals(1, counting.locks().get(), "one try, then on to the provider");
                assertEquals(0, counting.gets().get(), "no wait for the holder's value");
            }
        }
    }
}
