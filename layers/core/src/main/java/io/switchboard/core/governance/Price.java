package io.switchboard.core.governance;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * A model's price in USD per million tokens.
 *
 * @param input prompt tokens not served from the provider's prompt cache
 * @param output completion tokens
 * @param cachedInput prompt tokens served from the provider's prompt cache
 */
public record Price(BigDecimal input, BigDecimal output, BigDecimal cachedInput) {
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    public Price {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(cachedInput, "cachedInput");
        if (input.signum() < 0 || output.signum() < 0 || cachedInput.signum() < 0) {
            throw new IllegalArgumentException("prices must not be negative");
        }
    }

    /** The exact cost in USD of {@code prompt} tokens ({@code cached} of them cached) and {@code completion}. */
    public BigDecimal cost(long prompt, long cached, long completion) {
        long uncached = Math.max(0, prompt - cached);
        return input.multiply(BigDecimal.valueOf(uncached))
                .add(cachedInput.multiply(BigDecimal.valueOf(Math.min(cached, prompt))))
                .add(output.multiply(BigDecimal.valueOf(completion)))
                .divide(MILLION);
    }
}
