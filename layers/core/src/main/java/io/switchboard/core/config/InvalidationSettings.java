package io.switchboard.core.config;

import io.switchboard.shared.config.ApiKeyEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How cache invalidation behaves, read by {@link Settings#invalidation()} from {@code SWITCHBOARD_CACHE_STALENESS_MS},
 * {@code SWITCHBOARD_ADMIN_KEYS} and {@code SWITCHBOARD_INVALIDATION_BATCH} ({@link EnvNames}).
 *
 * @param staleness the longest an environment's L1 may serve an entry after its invalidation was recorded (while L2
 *     is reachable): how often each environment reads the invalidation log, at most
 * @param adminKeys keys accepted by {@code POST /v1/cache/invalidate} (none: every request is refused)
 * @param batch members removed per SSCAN/UNLINK round
 * @param dedupeTtl how long a processed event's id is remembered, so a redelivery is recognised
 */
public record InvalidationSettings(Duration staleness, List<ApiKeyEntry> adminKeys, int batch, Duration dedupeTtl) {
    /** Defaults: 1 s staleness, no admin keys, batches of 1000, ids remembered for a day. */
    public static final InvalidationSettings DEFAULTS = new InvalidationSettings(Duration.ofSeconds(1), List.of(),
            1000, Duration.ofDays(1));

    public InvalidationSettings {
        adminKeys = List.copyOf(adminKeys);
        if (staleness == null || staleness.isNegative()) {
            throw new IllegalArgumentException(EnvNames.CACHE_STALENESS_MS + " must not be negative");
        }
        if (batch < 1 || batch > 100_000) {
            throw new IllegalArgumentException(EnvNames.INVALIDATION_BATCH + " must be 1..100000");
        }
        if (dedupeTtl == null || dedupeTtl.isNegative() || dedupeTtl.isZero()) {
            throw new IllegalArgumentException("the dedupe TTL must be positive");
        }
    }

    /** Reads the settings from {@code env}. */
    public static InvalidationSettings from(Map<String, String> env) {
        List<ApiKeyEntry> keys = new ArrayList<>();
        String spec = env.get(EnvNames.ADMIN_KEYS);
        if (spec != null) {
            for (String s : spec.split(",")) {
                if (!s.isBlank()) {
                    keys.add(ApiKeyEntry.parse(s));
                }
            }
        }
        return new InvalidationSettings(Duration.ofMillis(number(env, EnvNames.CACHE_STALENESS_MS,
                DEFAULTS.staleness().toMillis())), keys, (int) number(env, EnvNames.INVALIDATION_BATCH,
                DEFAULTS.batch()), DEFAULTS.dedupeTtl());
    }

    private static long number(Map<String, String> env, String name, long fallback) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number", e);
        }
    }
}
