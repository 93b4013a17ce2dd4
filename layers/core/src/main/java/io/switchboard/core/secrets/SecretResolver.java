package io.switchboard.core.secrets;

import io.switchboard.core.Ticker;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import io.switchboard.shared.config.SecretRef;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves {@link SecretRef}s: {@code env:} from the environment, {@code ssm:} from Parameter Store, each fetched on
 * first use and reused for a TTL. A failure is reported as a gateway error that names the reference, never a value.
 */
public final class SecretResolver {
    private record Cached(String value, long expiresAt) {
    }

    private final Map<String, String> env;
    private final SecretStore ssm;
    private final Ticker ticker;
    private final long ttlNanos;
    private final Map<SecretRef, Cached> cache = new ConcurrentHashMap<>();

    /** A resolver over {@code env} and {@code ssm}, caching for {@code ttl}. */
    public SecretResolver(Map<String, String> env, SecretStore ssm, Ticker ticker, Duration ttl) {
        this.env = Map.copyOf(env);
        this.ssm = ssm;
        this.ticker = ticker;
        this.ttlNanos = ttl.toNanos();
    }

    /** The secret's value. */
    public String resolve(SecretRef ref) {
        if (ref.source() == SecretRef.Source.ENV) {
            String v = env.get(ref.name());
            if (v == null || v.isBlank()) {
                throw GatewayException.of(ErrorKind.INTERNAL,
                        "A provider key is not configured (" + ref + " is empty).");
            }
            return v;
        }
        long now = ticker.read();
        Cached c = cache.get(ref);
        if (c != null && now - c.expiresAt() < 0) {
            return c.value();
        }
        String value;
        try {
            value = ssm.read(ref.name());
        } catch (RuntimeException e) {
            if (c != null) {
                return c.value(); // a stale key beats an outage of Parameter Store
            }
            throw GatewayException.of(ErrorKind.INTERNAL, "A provider key could not be read (" + ref + ").")
                    .withCause(e);
        }
        cache.put(ref, new Cached(value, now + ttlNanos));
        return value;
    }

    /** Forgets cached values, so keys rotated in SSM are read again. */
    public void invalidate() {
        cache.clear();
    }
}
