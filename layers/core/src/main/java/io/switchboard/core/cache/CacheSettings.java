package io.switchboard.core.cache;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * How the response cache behaves in one environment.
 *
 * @param enabled whether responses are cached at all
 * @param deterministicOnly cache only deterministic requests ({@code temperature} 0 or a {@code seed}, {@code n} 1)
 * @param l1MaxBytes the L1's weight bound in bytes
 * @param l1Ttl how long an entry lives in L1 (also after promotion from L2)
 * @param ttl default lifetime of an entry in L2
 * @param maxTtl the longest lifetime a request may ask for
 * @param l2Url {@code redis://host:port} or {@code rediss://host:port} (TLS), or null for L1 only
 * @param iamUser ElastiCache user id for IAM authentication, or null
 * @param cacheName ElastiCache cache name the IAM token is minted for, or null
 * @param serverless whether the cache is serverless (the IAM token names the resource type)
 * @param l2Timeout connect and read timeout of one L2 command
 * @param failuresToOpen consecutive L2 failures after which L2 is skipped for {@code openFor}
 * @param openFor how long L2 is skipped after repeated failures
 * @param compressMinBytes values at least this large are compressed in L2
 * @param lockTtl lifetime of the stampede lock (covers one upstream call)
 * @param lockWait how long other environments wait for the lock holder's value before calling upstream
 */
public record CacheSettings(boolean enabled, boolean deterministicOnly, long l1MaxBytes, Duration l1Ttl, Duration ttl,
        Duration maxTtl, URI l2Url, String iamUser, String cacheName, boolean serverless, Duration l2Timeout,
        int failuresToOpen, Duration openFor, int compressMinBytes, Duration lockTtl, Duration lockWait) {

    /** Defaults: on, deterministic requests only, 32 MiB / 60 s L1, 1 h L2, 50 ms L2 timeout. */
    public static final CacheSettings DEFAULTS = new CacheSettings(true, true, 32L * 1024 * 1024,
            Duration.ofSeconds(60), Duration.ofHours(1), Duration.ofDays(7), null, null, null, true,
            Duration.ofMillis(50), 3, Duration.ofSeconds(5), 1024, Duration.ofSeconds(30), Duration.ofSeconds(5));

    public CacheSettings {
        Objects.requireNonNull(l1Ttl, "l1Ttl");
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(maxTtl, "maxTtl");
        Objects.requireNonNull(l2Timeout, "l2Timeout");
        Objects.requireNonNull(openFor, "openFor");
        Objects.requireNonNull(lockTtl, "lockTtl");
        Objects.requireNonNull(lockWait, "lockWait");
        if (l1MaxBytes < 0 || compressMinBytes < 0 || failuresToOpen < 1) {
            throw new IllegalArgumentException("cache sizes must not be negative and failuresToOpen at least 1");
        }
        if (l1Ttl.isNegative() || ttl.isNegative() || ttl.isZero() || maxTtl.compareTo(ttl) < 0) {
            throw new IllegalArgumentException("cache TTLs must be positive and maxTtl at least ttl");
        }
        if (l2Url != null && !"redis".equals(l2Url.getScheme()) && !"rediss".equals(l2Url.getScheme())) {
            throw new IllegalArgumentException("the L2 URL must be redis://host:port or rediss://host:port");
        }
        if (iamUser != null && cacheName == null) {
            throw new IllegalArgumentException("IAM authentication needs the cache name");
        }
    }

    /** Whether an L2 is configured. */
    public boolean hasL2() {
        return enabled && l2Url != null;
    }
}
