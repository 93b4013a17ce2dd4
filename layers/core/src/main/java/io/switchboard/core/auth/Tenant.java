package io.switchboard.core.auth;

import java.util.Objects;

/**
 * The authenticated caller. Everything a tenant stores (cache entries, later) is scoped by its id.
 *
 * @param id the tenant's configured name
 */
public record Tenant(String id) {
    public Tenant {
        Objects.requireNonNull(id, "id");
    }
}
