package io.switchboard.core.governance;

import java.time.Duration;
import java.util.Map;

/**
 * How keys, limits and spend are governed, read from {@code SWITCHBOARD_KEYS_TABLE}, {@code SWITCHBOARD_USAGE_TABLE},
 * {@code SWITCHBOARD_KEY_CACHE_MS}, {@code SWITCHBOARD_LIMITS_FAILURE} ({@code open}|{@code closed}),
 * {@code SWITCHBOARD_PRICES}, {@code SWITCHBOARD_ESTIMATED_COMPLETION_TOKENS} and {@code SWITCHBOARD_SPEND_FLUSH_MS}.
 *
 * @param keysTable the keys table, or null: environment keys only
 * @param usageTable the usage table, or null: spend is not recorded
 * @param keyCacheTtl how long an environment trusts a key read (at most 4 s: the revocation bound is this plus one
 *     read, at most 5 s)
 * @param staleIfError how long a key read may still be used while the table cannot be read
 * @param failClosed whether a request is refused (rather than admitted unchecked) when L2 cannot be reached
 * @param pricesJson price overrides, or null
 * @param estimatedCompletionTokens the completion tokens reserved when a request sets no {@code max_tokens}
 * @param spendFlushInterval how long spend may wait in an environment's buffer before an invocation's end writes it
 *     (zero: every invocation writes; at most {@link #MAX_SPEND_FLUSH_INTERVAL})
 */
public record GovernanceSettings(String keysTable, String usageTable, Duration keyCacheTtl, Duration staleIfError,
        boolean failClosed, String pricesJson, int estimatedCompletionTokens, Duration spendFlushInterval) {
    /** The most an environment may trust a key read. */
    public static final Duration MAX_KEY_CACHE_TTL = Duration.ofSeconds(4);
    /** The longest spend may wait in an environment's buffer. */
    public static final Duration MAX_SPEND_FLUSH_INTERVAL = Duration.ofSeconds(60);

    public GovernanceSettings {
        keysTable = blankToNull(keysTable);
        usageTable = blankToNull(usageTable);
        if (keyCacheTtl.isNegative() || keyCacheTtl.compareTo(MAX_KEY_CACHE_TTL) > 0) {
            throw new IllegalArgumentException("SWITCHBOARD_KEY_CACHE_MS must be 0..4000");
        }
        if (estimatedCompletionTokens < 0) {
            throw new IllegalArgumentException("SWITCHBOARD_ESTIMATED_COMPLETION_TOKENS must not be negative");
        }
        if (spendFlushInterval.isNegative() || spendFlushInterval.compareTo(MAX_SPEND_FLUSH_INTERVAL) > 0) {
            throw new IllegalArgumentException("SWITCHBOARD_SPEND_FLUSH_MS must be 0..60000");
        }
    }

    /** Reads the settings from {@code env}. */
    public static GovernanceSettings from(Map<String, String> env) {
        String failure = env.getOrDefault("SWITCHBOARD_LIMITS_FAILURE", "open").strip();
        if (!failure.equals("open") && !failure.equals("closed")) {
            throw new IllegalArgumentException("SWITCHBOARD_LIMITS_FAILURE must be 'open' or 'closed'");
        }
        return new GovernanceSettings(env.get("SWITCHBOARD_KEYS_TABLE"), env.get("SWITCHBOARD_USAGE_TABLE"),
                Duration.ofMillis(number(env, "SWITCHBOARD_KEY_CACHE_MS", 4000)), Duration.ofSeconds(60),
                failure.equals("closed"), blankToNull(env.get("SWITCHBOARD_PRICES")),
                (int) number(env, "SWITCHBOARD_ESTIMATED_COMPLETION_TOKENS", 512),
                Duration.ofMillis(number(env, "SWITCHBOARD_SPEND_FLUSH_MS", 1000)));
    }

    /** Whether keys are stored in a table. */
    public boolean hasKeysTable() {
        return keysTable != null;
    }

    private static long number(Map<String, String> env, String name, long fallback) {
        String v = blankToNull(env.get(name));
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number", e);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
