package io.switchboard.core.governance;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A gateway key as stored: who it belongs to and what it may do. The key itself is never stored, only its SHA-256
 * ({@code hash}), and {@code hash} is never returned by the admin API.
 *
 * @param id the key's public id ({@code key_...}), stable across rotations
 * @param hash lower-case hex SHA-256 of the key
 * @param tenant the tenant the key belongs to
 * @param name a human-readable name
 * @param models model names or {@code *} patterns the key may use; empty: every model
 * @param rpm requests per minute, 0: no limit of its own
 * @param tpm tokens per minute, 0: no limit of its own
 * @param budgetDailyUsd spend allowed per UTC day, or null
 * @param budgetMonthlyUsd spend allowed per UTC month, or null
 * @param expiresAt when the key stops working, or null
 * @param revoked whether the key was revoked
 * @param metadata free-form string pairs
 * @param createdAt creation time
 * @param updatedAt last change
 * @param version optimistic-concurrency version, 1 on creation
 */
public record KeyRecord(String id, String hash, String tenant, String name, List<String> models, long rpm, long tpm,
        BigDecimal budgetDailyUsd, BigDecimal budgetMonthlyUsd, Instant expiresAt, boolean revoked,
        Map<String, String> metadata, Instant createdAt, Instant updatedAt, long version) {

    public KeyRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(name, "name");
        models = models == null ? List.of() : List.copyOf(models);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** Whether the key may use {@code model} (by name, or by a pattern with {@code *}). */
    public boolean allows(String model) {
        if (models.isEmpty()) {
            return true;
        }
        for (String m : models) {
            if (ModelPatterns.matches(m, model)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the key works at {@code now}: not revoked, not expired. */
    public boolean usableAt(Instant now) {
        return !revoked && (expiresAt == null || now.isBefore(expiresAt));
    }

    /** This record with another hash (rotation), one version later. */
    public KeyRecord withHash(String newHash, Instant now) {
        return new KeyRecord(id, newHash, tenant, name, models, rpm, tpm, budgetDailyUsd, budgetMonthlyUsd,
                expiresAt, revoked, metadata, createdAt, now, version + 1);
    }

    @Override
    public String toString() {
        return "KeyRecord[id=" + id + ", tenant=" + tenant + ", name=" + name + "]"; // never the hash
    }
}
