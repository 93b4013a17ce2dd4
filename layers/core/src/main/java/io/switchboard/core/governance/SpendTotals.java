package io.switchboard.core.governance;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * Requests, tokens and spend added up.
 *
 * @param requests requests
 * @param promptTokens prompt tokens (cached ones included)
 * @param completionTokens completion tokens
 * @param cachedTokens prompt tokens served from the provider's prompt cache
 * @param costUsd exact cost in USD
 */
public record SpendTotals(long requests, long promptTokens, long completionTokens, long cachedTokens,
        BigDecimal costUsd) {
    /** Nothing. */
    public static final SpendTotals ZERO = new SpendTotals(0, 0, 0, 0, BigDecimal.ZERO);

    public SpendTotals {
        Objects.requireNonNull(costUsd, "costUsd");
    }

    /** The sum of this and {@code o}. */
    public SpendTotals plus(SpendTotals o) {
        return new SpendTotals(requests + o.requests, promptTokens + o.promptTokens,
                completionTokens + o.completionTokens, cachedTokens + o.cachedTokens, costUsd.add(o.costUsd));
    }
}
