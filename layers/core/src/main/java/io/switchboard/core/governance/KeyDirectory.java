package io.switchboard.core.governance;

import io.switchboard.core.Ticker;
import io.switchboard.core.auth.Authenticator;
import io.switchboard.core.auth.Tenant;
import io.switchboard.shared.ErrorKind;
import io.switchboard.shared.GatewayException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves {@code Authorization: Bearer <key>} to a {@link Principal} on the request path. Keys of
 * {@code SWITCHBOARD_API_KEYS} are checked first (bootstrap and break-glass: they work even with the table down);
 * any other key is looked up by its SHA-256 in the {@link KeyStore}, one strongly consistent read per key per
 * environment, and the answer (found or not) kept in this environment's L1 for {@code ttl}. A revoked, expired,
 * changed or deleted key therefore takes effect in every environment within {@code ttl} plus one read's time
 * (4 s + the 1 s call timeout by default: at most 5 s). When the store cannot be read, an entry read less than
 * {@code staleIfError} ago is used as it was; otherwise the request fails with 500 (never admitted unchecked). After
 * a failed read the store is not asked again for {@link #RETRY_STORE_AFTER}: meanwhile stale entries are served and
 * unknown keys refused without waiting, so an outage costs one read timeout per second per environment, not one
 * (or two: the key and its tenant) per request.
 */
public final class KeyDirectory {
    /** How long the store is left alone after a read failed. */
    public static final Duration RETRY_STORE_AFTER = Duration.ofSeconds(1);
    private static final int MAX_ENTRIES = 10_000;

    private final Authenticator environmentKeys;
    private final KeyStore store;
    private final Ticker ticker;
    private final InstantSource clock;
    private final long ttlNanos;
    private final long staleIfErrorNanos;
    private final ConcurrentHashMap<String, Entry> keys = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, TenantEntry> tenants = new ConcurrentHashMap<>();
    private volatile boolean storeDown;
    private volatile long retryStoreAt;

    private record Entry(KeyRecord key, long readAt) {
    }

    private record TenantEntry(TenantLimits limits, long readAt) {
    }

    /**
     * A directory over {@code environmentKeys} and {@code store} (null: environment keys only).
     *
     * @param ttl how long a read is trusted (the revocation bound, less one read)
     * @param staleIfError how long a read may still be used while the store cannot be read
     */
    public KeyDirectory(Authenticator environmentKeys, KeyStore store, Duration ttl, Duration staleIfError,
            Ticker ticker, InstantSource clock) {
        this.environmentKeys = Objects.requireNonNull(environmentKeys, "environmentKeys");
        this.store = store;
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ttlNanos = ttl.toNanos();
        this.staleIfErrorNanos = staleIfError.toNanos();
    }

    /** The caller of {@code authorization} (the header's value, possibly null); 401 for a missing or bad key. */
    public Principal resolve(String authorization) {
        String presented = Authenticator.bearer(authorization);
        byte[] hash = Authenticator.sha256(presented);
        Tenant env = environmentKeys.match(hash);
        if (env != null) {
            return Principal.environment(env);
        }
        if (store == null) {
            if (environmentKeys.empty()) {
                throw GatewayException.of(ErrorKind.AUTHENTICATION,
                        "This gateway has no keys configured (SWITCHBOARD_API_KEYS), so it accepts none.");
            }
            throw GatewayException.of(ErrorKind.AUTHENTICATION, "Incorrect gateway key provided.");
        }
        KeyRecord key = lookup(HexFormat.of().formatHex(hash));
        if (key == null) {
            throw GatewayException.of(ErrorKind.AUTHENTICATION, "Incorrect gateway key provided.");
        }
        if (key.revoked()) {
            throw GatewayException.of(ErrorKind.AUTHENTICATION, "This gateway key has been revoked.");
        }
        if (!key.usableAt(clock.instant())) {
            throw GatewayException.of(ErrorKind.AUTHENTICATION, "This gateway key has expired.");
        }
        return new Principal(new Tenant(key.tenant()), key, tenantLimits(key.tenant()));
    }

    private KeyRecord lookup(String hashHex) {
        long now = ticker.read();
        Entry e = keys.get(hashHex);
        if (e != null && now - e.readAt() < ttlNanos) {
            return e.key();
        }
        KeyRecord read;
        try {
            read = readStore(now, () -> store.findByHash(hashHex).orElse(null));
        } catch (RuntimeException failure) {
            if (e != null && now - e.readAt() < staleIfErrorNanos) {
                return e.key();
            }
            throw GatewayException.of(ErrorKind.INTERNAL, "The gateway could not check the key. Retry.")
                    .withCause(failure);
        }
        if (keys.size() >= MAX_ENTRIES) {
            keys.clear(); // bounded: a flood of unknown keys costs reads, never memory
        }
        keys.put(hashHex, new Entry(read, ticker.read()));
        return read;
    }

    private TenantLimits tenantLimits(String tenant) {
        long now = ticker.read();
        TenantEntry e = tenants.get(tenant);
        if (e != null && now - e.readAt() < ttlNanos) {
            return e.limits();
        }
        try {
            TenantLimits read = readStore(now, () -> store.tenantLimits(tenant));
            tenants.put(tenant, new TenantEntry(read, ticker.read()));
            return read;
        } catch (RuntimeException failure) {
            if (e != null && now - e.readAt() < staleIfErrorNanos) {
                return e.limits();
            }
            throw GatewayException.of(ErrorKind.INTERNAL, "The gateway could not check the key. Retry.")
                    .withCause(failure);
        }
    }

    /** One read of the store, unless a read failed less than {@link #RETRY_STORE_AFTER} ago (then it fails at once). */
    private <T> T readStore(long now, java.util.function.Supplier<T> read) {
        if (storeDown && now - retryStoreAt < 0) {
            throw new IllegalStateException("the key store failed less than " + RETRY_STORE_AFTER.toMillis()
                    + " ms ago");
        }
        try {
            T value = read.get();
            storeDown = false;
            return value;
        } catch (RuntimeException failure) {
            retryStoreAt = ticker.read() + RETRY_STORE_AFTER.toNanos();
            storeDown = true;
            throw failure;
        }
    }

    /** Forgets every read (tests, SnapStart restore). */
    public void clear() {
        keys.clear();
        tenants.clear();
    }
}
