package io.switchboard.core.config;

import java.time.Duration;
import java.util.Map;

/**
 * How streamed answers are watched and kept alive.
 *
 * @param idleTimeout longest silence between two upstream events once a stream started ({@code
 *     SWITCHBOARD_STREAM_IDLE_TIMEOUT_MS}, default 60 s); the first event is bounded by the upstream timeout
 * @param keepAlive how long the caller may see nothing before a {@code : keep-alive} comment is sent ({@code
 *     SWITCHBOARD_STREAM_KEEPALIVE_MS}, default 10 s; 0 turns keep-alives off)
 */
public record StreamSettings(Duration idleTimeout, Duration keepAlive) {
    /** The defaults. */
    public static final StreamSettings DEFAULTS = new StreamSettings(Duration.ofSeconds(60), Duration.ofSeconds(10));

    public StreamSettings {
        if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException(EnvNames.STREAM_IDLE_TIMEOUT_MS + " must be positive");
        }
        if (keepAlive == null || keepAlive.isNegative()) {
            throw new IllegalArgumentException(EnvNames.STREAM_KEEPALIVE_MS + " must not be negative");
        }
    }

    /** Reads the settings from {@code env}. */
    static StreamSettings from(Map<String, String> env) {
        return new StreamSettings(
                Duration.ofMillis(Settings.longOf(env, EnvNames.STREAM_IDLE_TIMEOUT_MS,
                        DEFAULTS.idleTimeout().toMillis())),
                Duration.ofMillis(Settings.longOf(env, EnvNames.STREAM_KEEPALIVE_MS, DEFAULTS.keepAlive().toMillis())));
    }
}
