package io.switchboard.core.governance;

/**
 * A tenant's own limits, shared by all its keys.
 *
 * @param tenant the tenant
 * @param rpm requests per minute across the tenant's keys, 0: none
 * @param tpm tokens per minute across the tenant's keys, 0: none
 */
public record TenantLimits(String tenant, long rpm, long tpm) {
    public TenantLimits {
        if (rpm < 0 || tpm < 0) {
            throw new IllegalArgumentException("limits must not be negative");
        }
    }

    /** No tenant limits. */
    public static TenantLimits none(String tenant) {
        return new TenantLimits(tenant, 0, 0);
    }
}
