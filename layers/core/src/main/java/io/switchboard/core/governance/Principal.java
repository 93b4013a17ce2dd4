package io.switchboard.core.governance;

import io.switchboard.core.auth.Tenant;
import java.util.Objects;

/**
 * An authenticated caller: its tenant, and for a stored key its record and its tenant's limits. A key from
 * {@code SWITCHBOARD_API_KEYS} (the bootstrap and break-glass set) has no record: every model, no limits, no budget.
 *
 * @param tenant the tenant
 * @param key the stored key, or null for an environment key
 * @param tenantLimits the tenant's limits
 */
public record Principal(Tenant tenant, KeyRecord key, TenantLimits tenantLimits) {
    public Principal {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(tenantLimits, "tenantLimits");
    }

    /** A caller holding an environment key. */
    public static Principal environment(Tenant tenant) {
        return new Principal(tenant, null, TenantLimits.none(tenant.id()));
    }

    /** Whether the caller may use {@code model}. */
    public boolean allows(String model) {
        return key == null || key.allows(model);
    }

    /** The key's id, or {@code env} for an environment key. */
    public String keyId() {
        return key == null ? "env" : key.id();
    }
}
