package io.switchboard.core.governance;

import java.time.LocalDate;
import java.util.Objects;

/**
 * What spend is recorded per: tenant, key, model and UTC day.
 *
 * @param tenant the tenant
 * @param keyId the key's id ({@code env} for an environment key)
 * @param model the model the caller asked for
 * @param day the UTC day
 */
public record SpendKey(String tenant, String keyId, String model, LocalDate day) {
    public SpendKey {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(day, "day");
    }
}
