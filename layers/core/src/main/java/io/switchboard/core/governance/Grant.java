package io.switchboard.core.governance;

import io.switchboard.shared.GatewayException;
import java.util.Map;
import java.util.Objects;

/**
 * An admission decision: who is asking, what was reserved, the {@code x-ratelimit-*} headers the answer carries,
 * and the refusal when there is one.
 *
 * @param principal the caller
 * @param reservation what the limiter counted (settled at the end)
 * @param headers the rate-limit headers of the answer (empty when no limit applies)
 * @param refusal the 429 (or, fail-closed, the limiter's unavailability), or null when admitted
 * @param startedAtMillis wall time of the admission (the day spend is recorded under)
 */
public record Grant(Principal principal, Reservation reservation, Map<String, String> headers,
        GatewayException refusal, long startedAtMillis) {
    public Grant {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(reservation, "reservation");
        headers = Map.copyOf(headers);
    }

    /** Throws the refusal, if any. */
    public void check() {
        if (refusal != null) {
            throw refusal;
        }
    }
}
