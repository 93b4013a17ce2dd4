package io.switchboard.core.governance;

import java.util.Optional;

/**
 * Where keys and tenant limits are kept. Reads by hash are strongly consistent (the request path's view of a
 * revocation is never older than the read); writes are all-or-nothing.
 */
public interface KeyStore {
    /** The key whose SHA-256 is {@code hashHex}, if any. */
    Optional<KeyRecord> findByHash(String hashHex);

    /** The key {@code id}, if any. */
    Optional<KeyRecord> get(String id);

    /** Stores a new key; fails if its id or hash exists. */
    void create(KeyRecord key);

    /**
     * Replaces {@code old} with {@code updated} (same id; the hash may differ: rotation), if nobody changed it in
     * between ({@link KeyRecord#version()}).
     *
     * @return false when {@code old} is no longer current
     */
    boolean replace(KeyRecord old, KeyRecord updated);

    /** Removes {@code key}; false when it was already gone. */
    boolean delete(KeyRecord key);

    /** A page of {@code tenant}'s keys (null: every tenant's), at most {@code limit}, after {@code cursor}. */
    KeyPage list(String tenant, int limit, String cursor);

    /** The tenant's limits (none when never set). */
    TenantLimits tenantLimits(String tenant);

    /** Stores a tenant's limits. */
    void putTenantLimits(TenantLimits limits);
}
